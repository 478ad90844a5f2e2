import { z } from 'zod';
import type { Evidence, Finding } from '../findings/finding.js';
import { pluralize } from '../findings/format.js';
import { defineCheck, type CheckContext } from './check.js';
import {
  blockingCategories,
  categoryLabel,
  groupLine,
  groupPendingPods,
  nodesSentence,
  type PendingGroup,
} from './pending-groups.js';
import { collectPendingPods, pendingAge, pendingPodData, type PendingPod } from './pending-pods.js';
import { formatResources } from './quantity-format.js';
import { describeCategory } from './scheduling-reasons.js';
import { DEFAULT_SCHEDULER, unattemptedFindings } from './unattempted-pods.js';

const Args = z.object({
  /** One namespace, or every namespace when empty. */
  namespace: z.string().default(''),
  /** Pods named per group. */
  examples: z.number().int().positive().max(20).default(5),
  /** This many pods blocked for one reason is critical. */
  criticalPods: z.number().int().positive().default(50),
  /** Scheduler lease namespace, to tell a missing scheduler from a busy one. */
  schedulerNamespace: z.string().default('kube-system'),
  /**
   * Minutes since a pod's creation before "no scheduler has tried it" is critical: until then it may just be new
   * or queued, and the finding says "not yet scheduled".
   */
  graceMinutes: z.number().nonnegative().default(5),
  /** How far back a scheduler's events (Scheduled, FailedScheduling) count as signs that it works (minutes). */
  activityLookbackMinutes: z.number().positive().default(60),
});
type Args = z.infer<typeof Args>;

/**
 * Pods the default scheduler never tried are what a kube-scheduler without a leader leaves behind: the cause rules
 * may put them under it. Pods of another scheduler name are not kube-scheduler's doing.
 */
function withUnattemptedSignal(finding: Finding): Finding {
  const problem = finding.severity === 'critical' || finding.severity === 'warning';
  return problem && finding.data?.schedulerName === DEFAULT_SCHEDULER
    ? { ...finding, signals: ['pods.unattempted'] }
    : finding;
}

export function pendingPodsOnce(context: Pick<CheckContext, 'once'>, namespace: string) {
  return context.once(`scheduler:pending:${namespace}`, (run) => collectPendingPods(run.kube, namespace || undefined));
}

/** One reason's group as a finding: its line ("2 pods held; blocks 1 of 8 nodes"), the nodes in words, examples. */
function groupFinding(group: PendingGroup, args: Args, now: Date): Finding {
  const { category, pods } = group;
  const example = pods[0] as PendingPod;
  const description = describeCategory(category);
  const evidence: Evidence[] = pods.slice(0, args.examples).map((pod) => ({
    label: `${pod.namespace}/${pod.name}`,
    value: [pendingAge(pod, now), formatResources(pod.requests)].filter(Boolean).join(', '),
  }));
  if (pods.length > args.examples) evidence.push({ label: 'more', value: `${pods.length - args.examples} more pods` });
  if (example.message) evidence.push({ label: `scheduler says (${example.source})`, value: example.message });
  const nodes = nodesSentence(group);
  return {
    check: 'scheduler.pending-pods',
    // Scheduling gates are set on purpose (queueing systems such as Kueue): worth knowing, not alarming.
    severity: category === 'scheduling-gated' ? 'info' : pods.length >= args.criticalPods ? 'critical' : 'warning',
    title: `${categoryLabel(category, group.resources)}: ${groupLine(group)}`,
    summary: [nodes, description.summary].filter(Boolean).map(sentence).join(' '),
    evidence,
    recommendation: sentence(description.action),
    data: {
      category,
      nodesBlocked: group.nodes?.high ?? null,
      totalNodes: group.totalNodes ?? null,
      pods: pods.map(pendingPodData),
    },
  };
}

/** Capitalised, with a full stop. */
function sentence(text: string | undefined): string {
  return text ? `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}.` : '';
}

/** Pending pods and why: FailedScheduling reasons with node counts, grouped; and pods no scheduler has tried. */
export const schedulerPendingCheck = defineCheck({
  id: 'scheduler.pending-pods',
  description: 'Pending pods and why the scheduler cannot place them',
  needs: ['kube'],
  about: 'workload',
  args: Args,
  async run(context, args) {
    const pods = await pendingPodsOnce(context, args.namespace);
    const now = context.now();
    if (pods.length === 0) {
      return [
        {
          check: 'scheduler.pending-pods',
          severity: 'ok',
          title: `No pods waiting for a scheduler${args.namespace ? ` in ${args.namespace}` : ''}`,
          summary: 'Every Pending pod (if any) is already bound to a node.',
          evidence: [],
          data: { pods: [] },
        },
      ] satisfies Finding[];
    }
    const groups = groupPendingPods(pods);
    const none = pods.filter((pod) => blockingCategories(pod).length === 0);
    const findings: Finding[] = [
      {
        check: 'scheduler.pending-pods',
        severity: none.length === pods.length ? 'info' : 'warning',
        title: `${pluralize(pods.length, 'pod')} waiting for a scheduler${args.namespace ? ` in ${args.namespace}` : ''}`,
        summary:
          groups.length === 0
            ? 'No scheduler has said why yet.'
            : `${pluralize(groups.length, 'reason')}, ranked by nodes blocked, then pods held.`,
        // One line per reason, in the order of the findings below.
        evidence: groups.map((group) => ({
          label: categoryLabel(group.category, group.resources),
          value: groupLine(group),
        })),
        data: { pods: pods.map(pendingPodData) },
      },
      ...groups.map((group) => groupFinding(group, args, now)),
    ];
    findings.push(
      ...(
        await unattemptedFindings(
          context.kube,
          none,
          pods,
          {
            schedulerNamespace: args.schedulerNamespace,
            graceMs: args.graceMinutes * 60_000,
            activityLookbackMs: args.activityLookbackMinutes * 60_000,
            examples: args.examples,
          },
          context.now,
        )
      ).map(withUnattemptedSignal),
    );
    return findings;
  },
});
