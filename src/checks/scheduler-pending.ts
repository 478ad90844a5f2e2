import { z } from 'zod';
import type { Evidence, Finding } from '../findings/finding.js';
import { pluralize } from '../findings/format.js';
import { defineCheck, type CheckContext } from './check.js';
import { nodesFor } from './failed-scheduling-parser.js';
import { collectPendingPods, pendingAge, pendingPodData, type PendingPod } from './pending-pods.js';
import { describeCategory, type SchedulingCategory } from './scheduling-reasons.js';
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

/** Taints every control plane carries: they explain why those nodes were skipped, not why the pod is stuck. */
export const CONTROL_PLANE_TAINTS: ReadonlySet<string> = new Set([
  'node-role.kubernetes.io/control-plane',
  'node-role.kubernetes.io/master',
]);

/**
 * The categories that block a pod. A control-plane taint is left out when the pod has other reasons: it is true of
 * every pod that does not run on control-plane nodes and would put every Pending pod into one useless group.
 */
export function blockingCategories(pod: PendingPod): SchedulingCategory[] {
  const reasons = pod.parsed?.reasons ?? [];
  const meaningful = reasons.filter(
    (reason) =>
      !(reason.category === 'untolerated-taint' && reason.taint && CONTROL_PLANE_TAINTS.has(reason.taint.key)),
  );
  return [...new Set((meaningful.length > 0 ? meaningful : reasons).map((reason) => reason.category))];
}

/** "3 of 8 nodes" or "1–3 of 8 nodes" across the pods of a group; never more than a message's own total. */
function nodeSpan(pods: readonly PendingPod[], category: SchedulingCategory): string {
  const counts: number[] = [];
  let total: number | undefined;
  for (const pod of pods) {
    if (!pod.parsed) continue;
    const nodes = nodesFor(pod.parsed, category) ?? 0;
    if (nodes > 0) counts.push(nodes);
    total ??= pod.parsed.totalNodes;
  }
  if (counts.length === 0) return '';
  const low = Math.min(...counts);
  const high = Math.max(...counts);
  return ` on ${low === high ? low : `${low}–${high}`}${total === undefined ? '' : ` of ${total}`} nodes`;
}

function groupFinding(category: SchedulingCategory, pods: PendingPod[], args: Args, now: Date): Finding {
  const example = pods[0] as PendingPod;
  const description = describeCategory(category);
  const evidence: Evidence[] = pods.slice(0, args.examples).map((pod) => ({
    label: `${pod.namespace}/${pod.name}`,
    value: [
      pendingAge(pod, now),
      ...Object.entries(pod.requests).map(([name, value]) => `${name} ${Number(value.toPrecision(3))}`),
    ].join(', '),
  }));
  if (pods.length > args.examples) evidence.push({ label: 'more', value: `${pods.length - args.examples} more pods` });
  if (example.message) evidence.push({ label: `scheduler says (${example.source})`, value: example.message });
  return {
    check: 'scheduler.pending-pods',
    // Scheduling gates are set on purpose (queueing systems such as Kueue): worth knowing, not alarming.
    severity: category === 'scheduling-gated' ? 'info' : pods.length >= args.criticalPods ? 'critical' : 'warning',
    title: `${pluralize(pods.length, 'Pending pod')}: ${category.replace(/-/g, ' ')}${nodeSpan(pods, category)}`,
    summary: `${description.summary[0]?.toUpperCase() ?? ''}${description.summary.slice(1)}.`,
    evidence,
    recommendation: `${description.action[0]?.toUpperCase() ?? ''}${description.action.slice(1)}.`,
    data: { category, pods: pods.map(pendingPodData) },
  };
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
    // A pod blocked for several reasons appears under each: every reason has to go before it can run.
    const groups = new Map<SchedulingCategory, PendingPod[]>();
    const none: PendingPod[] = [];
    for (const pod of pods) {
      const categories = blockingCategories(pod);
      if (categories.length === 0) none.push(pod);
      for (const category of categories) {
        const group = groups.get(category) ?? [];
        group.push(pod);
        groups.set(category, group);
      }
    }
    const findings: Finding[] = [
      {
        check: 'scheduler.pending-pods',
        severity: none.length === pods.length ? 'info' : 'warning',
        title: `${pluralize(pods.length, 'pod')} waiting for a scheduler${args.namespace ? ` in ${args.namespace}` : ''}`,
        summary: [...groups]
          .sort((a, b) => b[1].length - a[1].length)
          .map(([category, members]) => `${category.replace(/-/g, ' ')} ${members.length}`)
          .join(', '),
        evidence: [],
        data: { pods: pods.map(pendingPodData) },
      },
      ...[...groups]
        .sort((a, b) => b[1].length - a[1].length)
        .map(([category, members]) => groupFinding(category, members, args, now)),
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
          now,
        )
      ).map(withUnattemptedSignal),
    );
    return findings;
  },
});
