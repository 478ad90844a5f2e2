import { z } from 'zod';
import type { KubeReader } from '../ports/kube-reader.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatDuration, pluralize } from '../findings/format.js';
import { defineCheck, type CheckContext } from './check.js';
import { holderHost, leaseState } from './leader-leases.js';
import { collectPendingPods, type PendingPod } from './pending-pods.js';
import { describeCategory, type SchedulingCategory } from './scheduling-reasons.js';

const Args = z.object({
  /** One namespace, or every namespace when empty. */
  namespace: z.string().default(''),
  /** Pods named per group. */
  examples: z.number().int().positive().max(20).default(5),
  /** This many pods blocked for one reason is critical. */
  criticalPods: z.number().int().positive().default(50),
  /** Scheduler lease namespace, to tell a missing scheduler from a busy one. */
  schedulerNamespace: z.string().default('kube-system'),
});
type Args = z.infer<typeof Args>;

const DEFAULT_SCHEDULER = 'default-scheduler';
/** kube-scheduler's own lease is named after the component, not after its `schedulerName`. */
const LEASE_OF: Record<string, string> = { [DEFAULT_SCHEDULER]: 'kube-scheduler' };

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

function podData(pod: PendingPod) {
  return {
    namespace: pod.namespace,
    name: pod.name,
    schedulerName: pod.schedulerName,
    reasons: (pod.parsed?.reasons ?? []).map((reason) => ({
      category: reason.category,
      nodes: reason.nodes ?? null,
      message: reason.message,
    })),
  };
}

function age(pod: PendingPod, now: Date): string {
  return pod.createdAt ? `pending ${formatDuration(now.getTime() - Date.parse(pod.createdAt))}` : 'pending';
}

/** "3 of 8 nodes" or "1–3 of 8 nodes" across the pods of a group. */
function nodeSpan(pods: readonly PendingPod[], category: SchedulingCategory): string {
  const counts: number[] = [];
  let total: number | undefined;
  for (const pod of pods) {
    const nodes = (pod.parsed?.reasons ?? [])
      .filter((reason) => reason.category === category)
      .reduce((sum, reason) => sum + (reason.nodes ?? 0), 0);
    if (nodes > 0) counts.push(nodes);
    total ??= pod.parsed?.totalNodes;
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
      age(pod, now),
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
    data: { category, pods: pods.map(podData) },
  };
}

/** Pods with no scheduling attempt at all: their scheduler is missing, down, or has not got to them yet. */
async function unattempted(kube: KubeReader, pods: PendingPod[], args: Args, now: Date): Promise<Finding[]> {
  const bySchedulers = new Map<string, PendingPod[]>();
  for (const pod of pods) {
    const list = bySchedulers.get(pod.schedulerName) ?? [];
    list.push(pod);
    bySchedulers.set(pod.schedulerName, list);
  }
  return Promise.all(
    [...bySchedulers].map(async ([scheduler, waiting]): Promise<Finding> => {
      const lease = await kube.lease(args.schedulerNamespace, LEASE_OF[scheduler] ?? scheduler);
      const { renewed, ageMs, held: fresh } = leaseState(lease, now);
      const examples: Evidence[] = waiting
        .slice(0, args.examples)
        .map((pod) => ({ label: `${pod.namespace}/${pod.name}`, value: age(pod, now) }));
      const data = {
        schedulerName: scheduler,
        servedBy: fresh ? holderHost(lease?.spec?.holderIdentity) : null,
        pods: waiting.map(podData),
      };
      if (!lease && scheduler !== DEFAULT_SCHEDULER) {
        return {
          check: 'scheduler.pending-pods',
          severity: 'critical',
          title: `${pluralize(waiting.length, 'pod')} ${waiting.length === 1 ? 'waits' : 'wait'} for scheduler "${scheduler}", which nothing runs`,
          summary: `These pods set spec.schedulerName: ${scheduler}; no scheduler by that name holds a lease in ${args.schedulerNamespace} and none has ever tried to place them (no FailedScheduling events).`,
          evidence: examples,
          recommendation: `Deploy or fix the "${scheduler}" scheduler, or remove spec.schedulerName from the workload so the default scheduler places it.`,
          data,
        };
      }
      if (!fresh) {
        return {
          check: 'scheduler.pending-pods',
          severity: 'critical',
          title: `${pluralize(waiting.length, 'pod')} never attempted: scheduler "${scheduler}" has no active leader`,
          summary: `Its lease ${renewed ? `was last renewed ${formatDuration(ageMs)} ago` : 'has never been renewed'}: no instance is scheduling.`,
          evidence: examples,
          recommendation:
            'Check the scheduler pods (kube-scheduler static pods on the control-plane nodes) and their logs.',
          data,
        };
      }
      return {
        check: 'scheduler.pending-pods',
        severity: 'info',
        title: `${pluralize(waiting.length, 'pod')} Pending with no scheduling attempt yet`,
        summary: `Scheduler "${scheduler}" is running (leader ${holderHost(lease?.spec?.holderIdentity)}); these pods may be new or queued behind others.`,
        evidence: examples,
        recommendation: 'If they stay Pending, check the scheduler queue (scheduler_pending_pods) and its logs.',
        data,
      };
    }),
  );
}

/** Pending pods and why: FailedScheduling reasons with node counts, grouped; and pods no scheduler has tried. */
export const schedulerPendingCheck = defineCheck({
  id: 'scheduler.pending-pods',
  description: 'Pending pods and why the scheduler cannot place them',
  needs: ['kube'],
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
        data: { pods: pods.map(podData) },
      },
      ...[...groups]
        .sort((a, b) => b[1].length - a[1].length)
        .map(([category, members]) => groupFinding(category, members, args, now)),
    ];
    findings.push(...(await unattempted(context.kube, none, args, now)));
    return findings;
  },
});
