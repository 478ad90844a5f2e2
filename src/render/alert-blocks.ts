import type { RunTrigger } from '../diagnosis/run-request.js';
import { redact } from '../findings/redact.js';
import { groupTriggerAlerts, type AlertGroup } from './trigger-alerts.js';
import { formatDuration, pluralize } from '../findings/format.js';
import type { Block, BlockMessage } from './block-kit-types.js';
import { BLOCK_KIT_LIMITS } from './block-kit-limits.js';
import { fitMrkdwn } from './mrkdwn.js';

/** An alert run's alerts have all resolved (ISO times). */
export interface ShownResolution {
  resolvedAt: string;
  firingSince: string;
}

const SEVERITY_EMOJI: Readonly<Record<string, string>> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
};

/** A link Slack cannot misread: `<`, `>` and `|` end a link early, so they are percent-encoded. */
function safeUrl(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) return undefined;
  return url.replace(/[<>|\s]/g, (char) => encodeURIComponent(char));
}

function alertLine({ alert, count }: AlertGroup): string {
  const emoji = SEVERITY_EMOJI[alert.severity ?? ''] ?? ':bell:';
  const name = fitMrkdwn(alert.name, 150);
  const url = alert.generatorURL ? safeUrl(alert.generatorURL) : undefined;
  const shownName = url ? `<${url}|${name}>` : `*${name}*`;
  const times = count > 1 ? ` ×${count}` : '';
  const severity = alert.severity ? ` ${fitMrkdwn(alert.severity, 40)}` : '';
  const summary = alert.summary ? ` — ${fitMrkdwn(redact(alert.summary), 300)}` : '';
  return `${emoji} ${shownName}${times}${severity}${summary}`;
}

/**
 * Which alerts started the run, shown above the findings: name (linked to Prometheus' graph of the expression),
 * severity and summary annotation. Nothing for a run nobody's alert started.
 */
export function triggerAlertsBlock(trigger: RunTrigger): Block | undefined {
  if (trigger.kind !== 'alert' || !trigger.alerts || trigger.alerts.length === 0) return undefined;
  const total = Math.max(trigger.alertCount ?? 0, trigger.alerts.length);
  const head = `*Started by ${pluralize(total, 'alert')}:*`;
  // Whole lines only (a cut link would break the message): what does not fit is counted in "…and N more".
  const room = BLOCK_KIT_LIMITS.sectionTextChars - head.length - 40;
  const lines: string[] = [];
  let used = 0;
  let shown = 0;
  for (const group of groupTriggerAlerts(trigger.alerts)) {
    let line = alertLine(group);
    if (line.length > room) line = alertLine({ ...group, alert: { ...group.alert, generatorURL: undefined } });
    if (used + line.length + 1 > room) break;
    lines.push(line);
    used += line.length + 1;
    shown += group.count;
  }
  const more = total - shown;
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: `${head}\n${lines.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}` },
  };
}

/** "Resolved at 06:40:12 UTC, after firing for 3m 12s": first thing on a resolved run's message. */
export function resolutionBlock(resolution: ShownResolution): Block {
  const resolvedAt = new Date(resolution.resolvedAt);
  const firedMs = resolvedAt.getTime() - new Date(resolution.firingSince).getTime();
  const when = resolvedAt
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  return {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `:white_check_mark: *Alert resolved* at ${when}, after firing for ${formatDuration(Math.max(0, firedMs))}.`,
    },
  };
}

/** The note a repeat adds to the run's thread instead of a new run. */
export function stillFiringMessage(
  count: number,
  names: readonly string[],
  firingAgain: boolean,
  followedBy?: string,
): BlockMessage {
  const what = firingAgain ? 'Firing again' : 'Still firing';
  const shownNames = [...new Set(names)].slice(0, 5).join(', ');
  // Past the window a fresh diagnosis starts: this thread says where to follow it (`/quorum status RUN`).
  const after = followedBy
    ? ` past this run's window: a new diagnosis started, run \`${followedBy}\` (\`/quorum status ${followedBy}\`).`
    : '. No new run: this one covers the window.';
  const text = `${what} (${pluralize(count, 'alert')})${shownNames ? `: ${shownNames}` : ''}${after}`;
  return {
    text,
    blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: `:repeat: ${fitMrkdwn(text, 2_000)}` }] }],
  };
}
