import { z } from 'zod';
import type { Lease } from '../ports/kube-types.js';
import type { Finding } from '../findings/finding.js';
import { formatDuration } from '../findings/format.js';
import { asComponent } from '../findings/cause-vocabulary.js';
import { defineCheck } from './check.js';

const Args = z.object({
  namespace: z.string().default('kube-system'),
  components: z.array(z.string().min(1)).min(1).default(['kube-scheduler', 'kube-controller-manager']),
  /**
   * A holder that acquired the lease less than this many minutes ago (`spec.acquireTime`), after earlier
   * transitions, is a recent leader change. `leaseTransitions` itself is never judged: it counts every change over
   * the lease's whole life (upgrades, node reboots), so a healthy year-old cluster has dozens.
   */
  recentChangeMinutes: z.number().positive().default(15),
  /**
   * Read each lease twice this many seconds apart and report changes between the reads; 0 reads once (s). At most
   * 20, so that the watch fits the runner's default 30 s deadline per check.
   */
  watchSeconds: z.number().nonnegative().max(20).default(0),
});

/** `cp-1_6b9e…` → `cp-1`: the holder identity is `<hostname>_<uuid>`. */
export function holderHost(identity: string | undefined): string {
  if (!identity) return '(nobody)';
  const separator = identity.lastIndexOf('_');
  return separator > 0 ? identity.slice(0, separator) : identity;
}

/** When a lease was last renewed, how long ago (ms; Infinity if never), and whether a leader holds it now. */
export function leaseState(lease: Lease | undefined, now: Date): { renewed?: string; ageMs: number; held: boolean } {
  const spec = lease?.spec ?? {};
  const renewed = spec.renewTime ?? spec.acquireTime;
  const ageMs = renewed ? now.getTime() - Date.parse(renewed) : Number.POSITIVE_INFINITY;
  const held = Boolean(spec.holderIdentity) && ageMs <= (spec.leaseDurationSeconds ?? 15) * 1000;
  return { ...(renewed ? { renewed } : {}), ageMs, held };
}

/** How to judge a lease: what counts as recent, and an earlier read of the same lease to compare with. */
export interface LeaseJudgement {
  /** A leader that took over less than this long ago is a recent change (ms). */
  recentChangeMs: number;
  /** The same lease read a short while before, to see changes as they happen. */
  earlier?: { lease: Lease; at: Date };
}

function describeComponent(component: string): string {
  if (component === 'kube-scheduler') return ' (new pods stay Pending)';
  if (component === 'kube-controller-manager') return ' (no reconciliation: deployments, nodes, endpoints go stale)';
  return '';
}

/** The lease's verdict at `now`; pure so the clock is the caller's. */
export function judgeLease(component: string, lease: Lease, now: Date, judgement: LeaseJudgement): Finding {
  const spec = lease.spec ?? {};
  const durationSeconds = spec.leaseDurationSeconds ?? 15;
  const { renewed, ageMs, held } = leaseState(lease, now);
  const holder = holderHost(spec.holderIdentity);
  const transitions = spec.leaseTransitions ?? 0;
  const acquiredMs = spec.acquireTime ? now.getTime() - Date.parse(spec.acquireTime) : undefined;
  const evidence = [
    { label: 'holder', value: spec.holderIdentity ?? '(none)' },
    { label: 'last renewed', value: renewed ? `${formatDuration(ageMs)} ago (${renewed})` : 'never' },
    { label: 'lease duration', value: `${durationSeconds}s` },
    {
      label: 'leader since',
      value:
        acquiredMs === undefined
          ? 'not recorded (no acquireTime)'
          : `${formatDuration(acquiredMs)} ago (${spec.acquireTime})`,
    },
    { label: 'transitions', value: `${transitions} over the lease's whole life (a running total, not a rate)` },
  ];
  const earlier = judgement.earlier;
  const earlierSpec = earlier?.lease.spec ?? {};
  const watchedMs = earlier ? now.getTime() - earlier.at.getTime() : undefined;
  const changesSeen = earlier
    ? Math.max(
        (spec.leaseTransitions ?? 0) - (earlierSpec.leaseTransitions ?? 0),
        earlierSpec.holderIdentity !== spec.holderIdentity ? 1 : 0,
      )
    : undefined;
  if (earlier && watchedMs !== undefined) {
    evidence.push({
      label: `watched ${formatDuration(watchedMs)}`,
      value:
        changesSeen === 0
          ? 'no change of leader'
          : `transitions ${earlierSpec.leaseTransitions ?? 0} → ${transitions}, holder ${holderHost(earlierSpec.holderIdentity)} → ${holder}`,
    });
  }
  const known = asComponent(component);
  // The holder identity is `<hostname>_<uuid>`, and kubeadm's node names are their hostnames: the node the leader
  // runs on, for the cause rules (a leader on a NotReady node).
  const node = spec.holderIdentity ? holder : undefined;
  const about = known ? { about: { component: known, ...(node ? { node } : {}) } } : {};
  const data = {
    component,
    holder: spec.holderIdentity ?? null,
    renewTime: renewed ?? null,
    ageMs,
    acquireTime: spec.acquireTime ?? null,
    leaderForMs: acquiredMs ?? null,
    transitions,
    changesSeen: changesSeen ?? null,
    watchedMs: watchedMs ?? null,
  };
  if (!held) {
    return {
      check: 'leases.leader',
      severity: 'critical',
      ...about,
      signals: ['lease.stale'],
      title: `${component} has no active leader: lease ${renewed ? `last renewed ${formatDuration(ageMs)} ago` : 'never renewed'} by ${holder}`,
      summary: `The lease expires after ${durationSeconds}s without renewal; no ${component} instance is doing its work${describeComponent(component)}.`,
      evidence,
      recommendation: `Check the ${component} static pods on the control-plane nodes (is ${holder} up? is the process crash-looping or unable to reach the API server?) and their logs: "failed to renew lease" or "leaderelection lost" on the last leader; on the others, "failed to acquire lease" with the reason, such as 403 Forbidden on leases.coordination.k8s.io (RBAC of system:${component}) or a timeout (API server or etcd). While no instance can take the lease over, none of them works, even if all their pods run.`,
      data,
    };
  }
  const recommendation = `Look for restarts of the ${component} pods (a crash hands the lease over), their logs for "leaderelection lost", and for API server or etcd latency (apiserver-latency playbook): a leader that cannot renew within the lease duration loses it.`;
  if (changesSeen !== undefined && changesSeen > 0 && watchedMs !== undefined) {
    return {
      check: 'leases.leader',
      severity: 'warning',
      ...about,
      signals: ['lease.leader-changed'],
      title: `${component} leader changed ${changesSeen === 1 ? 'once' : `${changesSeen} times`} within ${formatDuration(watchedMs)} (now ${holder})`,
      summary:
        'Leadership moved while Quorum watched the lease: instances are losing it now, not at some point in the past.',
      evidence,
      recommendation,
      data,
    };
  }
  if (acquiredMs !== undefined && acquiredMs < judgement.recentChangeMs && transitions > 0) {
    return {
      check: 'leases.leader',
      severity: 'warning',
      ...about,
      signals: ['lease.leader-changed'],
      title: `${component} leader changed ${formatDuration(acquiredMs)} ago (now ${holder})`,
      summary: `${holder} took the lease over ${formatDuration(acquiredMs)} ago: one change is normal after a restart or upgrade; repeated changes mean instances keep losing the lease (slow API server or etcd, restarts, clock skew).`,
      evidence,
      recommendation,
      data,
    };
  }
  return {
    check: 'leases.leader',
    severity: 'ok',
    ...about,
    title: `${component} leader ${holder} renewed ${formatDuration(ageMs)} ago`,
    summary: `Within the ${durationSeconds}s lease duration${acquiredMs === undefined ? '' : `; leader for ${formatDuration(acquiredMs)}`}.`,
    evidence,
    data,
  };
}

/** kube-scheduler and kube-controller-manager leader-election leases in kube-system. */
export const leaderLeasesCheck = defineCheck({
  id: 'leases.leader',
  description: 'leader-election leases of the scheduler and controller manager',
  needs: ['kube'],
  args: Args,
  async run({ kube, now, sleep, signal }, args) {
    const read = () => Promise.all(args.components.map((component) => kube.lease(args.namespace, component)));
    const judgement = { recentChangeMs: args.recentChangeMinutes * 60_000 };
    let earlier: { leases: Array<Lease | undefined>; at: Date } | undefined;
    let leases = await read();
    if (args.watchSeconds > 0) {
      earlier = { leases, at: now() };
      await sleep(args.watchSeconds * 1000, signal);
      leases = await read();
    }
    const at = now();
    return args.components.map((component, index): Finding => {
      const lease = leases[index];
      const before = earlier?.leases[index];
      if (lease) {
        return judgeLease(
          component,
          lease,
          at,
          earlier && before ? { ...judgement, earlier: { lease: before, at: earlier.at } } : judgement,
        );
      }
      const known = asComponent(component);
      return {
        check: 'leases.leader',
        severity: 'warning',
        ...(known ? { about: { component: known } } : {}),
        title: `No ${component} lease in ${args.namespace}`,
        summary: `Either ${component} never acquired leadership, runs with --leader-elect=false, or the control plane is managed and hides it.`,
        evidence: [{ label: 'lease', value: `${args.namespace}/${component}: not found` }],
        recommendation: `On a self-managed cluster, check that ${component} is running; on a managed one this is expected.`,
        data: { component, holder: null },
      };
    });
  },
});
