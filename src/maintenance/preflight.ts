import type { EtcdBasis, Proposal } from '../findings/finding.js';
import type { ClusterObservation } from './cluster-observation.js';

/** What the pre-flight says about the next step. */
export type PreflightVerdict =
  | { kind: 'go' }
  /** Unsafe now: stop here and report. */
  | { kind: 'stop'; reason: string }
  /** The cluster moved from what was approved: re-plan and ask again rather than run a stale plan. */
  | { kind: 'replan'; reason: string };

const sameSet = (a: Iterable<string>, b: Iterable<string>): boolean => {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
};

/**
 * The rules before every step (after etcd-defrag's): the same cluster; every member healthy (an active NOSPACE is
 * allowed: it is what we are fixing; CORRUPT or any other alarm stops everything); one leader; no learner in the
 * plan. Then, against the approved basis: the same members, the same leader, no new alarm — else re-plan.
 * An alarm that went away (the disarm step) is not a move.
 */
export function preflight(
  observation: ClusterObservation,
  basis: EtcdBasis,
  plan: readonly Proposal[],
): PreflightVerdict {
  if (observation.clusterId && observation.clusterId !== basis.etcdClusterId) {
    return {
      kind: 'stop',
      reason: `the endpoints now answer for etcd cluster ${observation.clusterId}, not the approved ${basis.etcdClusterId}: check executor.clusters.${basis.cluster}.etcd.endpoints`,
    };
  }
  const down = observation.members.filter((member) => !member.healthy);
  if (down.length > 0) {
    return {
      kind: 'stop',
      reason: `not every member is healthy: ${down.map((member) => `${member.name} (${member.error ?? 'no answer'})`).join('; ')}`,
    };
  }
  const other = observation.alarms.filter((alarm) => alarm.alarm !== 'NOSPACE');
  if (other.length > 0) {
    return {
      kind: 'stop',
      reason: `alarm ${other.map((alarm) => `${alarm.alarm} on ${alarm.memberId}`).join(', ')} is active: never defragment a cluster with a CORRUPT alarm; investigate it first`,
    };
  }
  if (!observation.leaderId) return { kind: 'stop', reason: 'there is no leader (or the members disagree on it)' };
  const planned = plan.flatMap((step) =>
    step.action === 'etcd.defrag' ? step.members.map((member) => member.id) : [],
  );
  const learners = observation.members.filter((member) => member.isLearner && planned.includes(member.id));
  if (learners.length > 0) {
    return {
      kind: 'stop',
      reason: `${learners.map((member) => member.name).join(', ')} is a learner now: learners are never defragmented by plan`,
    };
  }
  if (
    !sameSet(
      observation.members.map((member) => member.id),
      basis.members.map((member) => member.id),
    )
  ) {
    return {
      kind: 'replan',
      reason: `the member set changed (approved: ${basis.members.map((member) => member.name).join(', ')}; now: ${observation.members.map((member) => member.name).join(', ')})`,
    };
  }
  if (observation.leaderId !== basis.leaderId) {
    const name = (id: string): string => observation.members.find((member) => member.id === id)?.name ?? id;
    return {
      kind: 'replan',
      reason: `the leader changed from ${name(basis.leaderId)} to ${name(observation.leaderId)}`,
    };
  }
  const known = new Set(basis.alarms.map((alarm) => `${alarm.alarm}:${alarm.memberId}`));
  const fresh = observation.alarms.filter((alarm) => !known.has(`${alarm.alarm}:${alarm.memberId}`));
  if (fresh.length > 0) {
    return {
      kind: 'replan',
      reason: `a new alarm appeared: ${fresh.map((alarm) => `${alarm.alarm} on ${alarm.memberId}`).join(', ')}`,
    };
  }
  return { kind: 'go' };
}
