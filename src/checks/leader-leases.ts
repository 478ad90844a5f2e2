import { z } from 'zod';
import type { Lease } from '../ports/kube-types.js';
import type { Finding } from '../findings/finding.js';
import { formatDuration } from '../findings/format.js';
import { defineCheck } from './check.js';

const Args = z.object({
  namespace: z.string().default('kube-system'),
  components: z.array(z.string().min(1)).min(1).default(['kube-scheduler', 'kube-controller-manager']),
  /** How many transitions count as a flapping leader. */
  maxTransitions: z.number().int().nonnegative().default(10),
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

/** The lease's verdict at `now`; pure so the clock is the caller's. */
export function judgeLease(component: string, lease: Lease, now: Date, maxTransitions: number): Finding {
  const spec = lease.spec ?? {};
  const durationSeconds = spec.leaseDurationSeconds ?? 15;
  const { renewed, ageMs, held } = leaseState(lease, now);
  const holder = holderHost(spec.holderIdentity);
  const transitions = spec.leaseTransitions ?? 0;
  const evidence = [
    { label: 'holder', value: spec.holderIdentity ?? '(none)' },
    { label: 'last renewed', value: renewed ? `${formatDuration(ageMs)} ago (${renewed})` : 'never' },
    { label: 'lease duration', value: `${durationSeconds}s` },
    { label: 'transitions', value: String(transitions) },
  ];
  const data = { component, holder: spec.holderIdentity ?? null, renewTime: renewed ?? null, ageMs, transitions };
  if (!held) {
    return {
      check: 'leases.leader',
      severity: 'critical',
      title: `${component} has no active leader: lease ${renewed ? `last renewed ${formatDuration(ageMs)} ago` : 'never renewed'} by ${holder}`,
      summary: `The lease expires after ${durationSeconds}s without renewal; no ${component} instance is doing its work${
        component === 'kube-scheduler'
          ? ' (new pods stay Pending)'
          : component === 'kube-controller-manager'
            ? ' (no reconciliation: deployments, nodes, endpoints go stale)'
            : ''
      }.`,
      evidence,
      recommendation: `Check the ${component} static pods on the control-plane nodes (is ${holder} up? is the process crash-looping or unable to reach the API server?) and their logs for "failed to renew lease" or "leaderelection lost".`,
      data,
    };
  }
  if (transitions > maxTransitions) {
    return {
      check: 'leases.leader',
      severity: 'warning',
      title: `${component} leadership changed ${transitions} times`,
      summary: `The leader is ${holder} now, but frequent transitions mean instances keep losing the lease (slow API server or etcd, restarts, clock skew).`,
      evidence,
      recommendation: `Look for restarts of ${component} and for API server latency (apiserver-latency playbook).`,
      data,
    };
  }
  return {
    check: 'leases.leader',
    severity: 'ok',
    title: `${component} leader ${holder} renewed ${formatDuration(ageMs)} ago`,
    summary: `Within the ${durationSeconds}s lease duration.`,
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
  async run({ kube, now }, args) {
    return Promise.all(
      args.components.map(async (component): Promise<Finding> => {
        const lease = await kube.lease(args.namespace, component);
        if (lease) return judgeLease(component, lease, now(), args.maxTransitions);
        return {
          check: 'leases.leader',
          severity: 'warning',
          title: `No ${component} lease in ${args.namespace}`,
          summary: `Either ${component} never acquired leadership, runs with --leader-elect=false, or the control plane is managed and hides it.`,
          evidence: [{ label: 'lease', value: `${args.namespace}/${component}: not found` }],
          recommendation: `On a self-managed cluster, check that ${component} is running; on a managed one this is expected.`,
          data: { component, holder: null },
        };
      }),
    );
  },
});
