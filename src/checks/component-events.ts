import { z } from 'zod';
import { eventLastSeen, type Event } from '../ports/kube-types.js';
import type { Finding } from '../findings/finding.js';
import { formatDuration, pluralize } from '../findings/format.js';
import { redact } from '../findings/redact.js';
import { defineCheck } from './check.js';
import { ComponentScopeArgs } from './control-plane-components.js';

const Args = z.object({
  ...ComponentScopeArgs,
  /** Only events seen within this many minutes count. */
  lookbackMinutes: z.number().positive().default(60),
  /** How many groups of events the finding lists. */
  top: z.number().int().positive().max(20).default(6),
});

interface EventGroup {
  object: string;
  reason: string;
  count: number;
  lastSeen: string;
  message: string;
}

function belongsTo(event: Event, components: readonly string[]): boolean {
  const name = event.involvedObject.name ?? '';
  const source = event.source?.component ?? event.reportingComponent ?? '';
  return components.some((component) => name === component || name.startsWith(`${component}-`) || source === component);
}

/** Groups Warning events by object and reason, keeping the newest message of each group. */
export function groupWarningEvents(
  events: Iterable<Event>,
  components: readonly string[],
  since: number,
): EventGroup[] {
  const groups = new Map<string, EventGroup>();
  for (const event of events) {
    if (event.type !== 'Warning' || !belongsTo(event, components)) continue;
    const lastSeen = eventLastSeen(event);
    if (!lastSeen || Date.parse(lastSeen) < since) continue;
    const object = `${event.involvedObject.kind ?? 'Object'}/${event.involvedObject.name ?? '?'}`;
    const reason = event.reason ?? 'Unknown';
    const key = `${object}\u0000${reason}`;
    const count = event.series?.count ?? event.count ?? 1;
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { object, reason, count, lastSeen, message: event.message ?? '' });
      continue;
    }
    group.count += count;
    if (Date.parse(lastSeen) > Date.parse(group.lastSeen)) {
      group.lastSeen = lastSeen;
      group.message = event.message ?? group.message;
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || Date.parse(b.lastSeen) - Date.parse(a.lastSeen));
}

/** Warning events about the control-plane components in kube-system. */
export const componentEventsCheck = defineCheck({
  id: 'control-plane.events',
  description: 'Warning events of control-plane components',
  needs: ['kube'],
  args: Args,
  async run({ kube, now }, args) {
    const since = now().getTime() - args.lookbackMinutes * 60_000;
    const warnings: Event[] = [];
    for await (const event of kube.events({ namespace: args.namespace, fieldSelector: 'type=Warning' })) {
      if (belongsTo(event, args.components)) warnings.push(event);
    }
    const groups = groupWarningEvents(warnings, args.components, since);
    const window = formatDuration(args.lookbackMinutes * 60_000);
    if (groups.length === 0) {
      return [
        {
          check: 'control-plane.events',
          severity: 'ok',
          title: `No Warning events for control-plane components in the last ${window}`,
          summary: `Looked at ${args.namespace} events for ${args.components.join(', ')}.`,
          evidence: [],
        },
      ] satisfies Finding[];
    }
    const total = groups.reduce((sum, group) => sum + group.count, 0);
    const shown = groups.slice(0, args.top);
    const nowMs = now().getTime();
    return [
      {
        check: 'control-plane.events',
        severity: 'warning',
        // event.count counts since the event was first seen, which may be days: say so rather than imply the window.
        title: `${pluralize(groups.length, 'kind')} of Warning event for control-plane components in the last ${window} (${total} occurrences since first seen)`,
        summary: shown
          .slice(0, 3)
          .map((group) => `${group.reason} on ${group.object} ×${group.count}`)
          .join('; '),
        evidence: shown.map((group) => ({
          label: `${group.reason} ${group.object} ×${group.count} (${formatDuration(nowMs - Date.parse(group.lastSeen))} ago)`,
          value: redact(group.message),
        })),
        recommendation:
          'These events say what the components themselves report: read the newest ones first; BackOff means a crash loop, Unhealthy a failing probe, FailedMount a missing certificate or config.',
        data: { groups: shown, totalGroups: groups.length },
      },
    ] satisfies Finding[];
  },
});
