import { z } from 'zod';
import type { KubeReader } from '../cluster/kube-reader.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatDuration, pluralize } from '../findings/format.js';
import { defineCheck } from './check.js';
import { holderHost } from './leader-leases.js';
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

export function pendingPodsOnce(
  context: { kube: KubeReader; once: <T>(key: string, produce: () => Promise<T>) => Promise<T> },
  namespace: string,
) {
  return context.once(`scheduler:pending:${namespace}`, () => collectPendingPods(context.kube, namespace || undefined));
}

function categoriesOfPod(pod: PendingPod): SchedulingCategory[] {
  return [...new Set((pod.parsed?.reasons ?? []).map((reason) => reason.category))].sort();
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

function label(pod: PendingPod, category: SchedulingCategory): string {
  const reason = pod.parsed?.reasons.find((candidate) => candidate.category === category);
  const nodes =
    reason?.nodes !== undefined && pod.parsed?.totalNodes !== undefined
      ? ` (${reason.nodes} of ${pod.parsed.totalNodes} nodes)`
      : '';
  return `${category.replace(/-/g, ' ')}${nodes}`;
}

function groupFinding(categories: SchedulingCategory[], pods: PendingPod[], args: Args, now: Date): Finding {
  const example = pods[0] as PendingPod;
  const descriptions = categories.map((category) => describeCategory(category));
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
    severity: categories.every((category) => category === 'scheduling-gated')
      ? 'info'
      : pods.length >= args.criticalPods
        ? 'critical'
        : 'warning',
    title: `${pluralize(pods.length, 'pod')} Pending: ${categories.map((category) => label(example, category)).join(' + ')}`,
    summary: `${descriptions.map((description) => description.summary).join('; ')}.`,
    evidence,
    recommendation: `${descriptions.map((description) => description.action).join('; ')}.`,
    data: { categories, pods: pods.map(podData) },
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
      const renewed = lease?.spec?.renewTime ?? lease?.spec?.acquireTime;
      const fresh =
        renewed !== undefined &&
        now.getTime() - Date.parse(renewed) <= (lease?.spec?.leaseDurationSeconds ?? 15) * 1000;
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
          summary: `Its lease ${renewed ? `was last renewed ${formatDuration(now.getTime() - Date.parse(renewed))} ago` : 'has never been renewed'}: no instance is scheduling.`,
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
    const groups = new Map<string, PendingPod[]>();
    const none: PendingPod[] = [];
    for (const pod of pods) {
      const categories = categoriesOfPod(pod);
      if (categories.length === 0) {
        none.push(pod);
        continue;
      }
      const key = categories.join(',');
      const group = groups.get(key) ?? [];
      group.push(pod);
      groups.set(key, group);
    }
    const findings = [...groups]
      .sort((a, b) => b[1].length - a[1].length)
      .map(([key, members]) => groupFinding(key.split(',') as SchedulingCategory[], members, args, now));
    findings.push(...(await unattempted(context.kube, none, args, now)));
    return findings;
  },
});
