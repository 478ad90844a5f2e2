import type { DefragMember, EtcdBasis, Proposal } from '../findings/finding.js';
import { formatBytes } from '../findings/format.js';
import type { ClusterObservation } from './cluster-observation.js';

/**
 * The same recovery, planned again against the cluster as it is now (after the leader changed, a member came or
 * went, or an alarm appeared): the steps the approved plan had, compaction at today's revision, every member that
 * answers defragmented followers first and the new leader last, disarm under the same condition. It is only a
 * proposal: it goes back to the approvers.
 */
export function replan(old: readonly Proposal[], oldBasis: EtcdBasis, observation: ClusterObservation): Proposal[] {
  const members = observation.members.filter((member) => member.status);
  const basis: EtcdBasis = {
    runId: oldBasis.runId,
    cluster: oldBasis.cluster,
    etcdClusterId: observation.clusterId ?? oldBasis.etcdClusterId,
    leaderId: observation.leaderId ?? '0',
    revision: observation.revision ?? oldBasis.revision,
    quotaBytes: oldBasis.quotaBytes,
    observedAt: observation.observedAt.toISOString(),
    members: members.map((member) => ({
      id: member.id,
      name: member.name,
      endpoint: member.endpoint,
      role: member.isLearner ? 'learner' : member.status?.isLeader ? 'leader' : 'follower',
      dbSizeBytes: member.status?.dbSizeBytes ?? 0,
      dbSizeInUseBytes: member.status?.dbSizeInUseBytes ?? member.status?.dbSizeBytes ?? 0,
      revision: member.status?.revision ?? '0',
      raftIndex: member.status?.raftIndex ?? 0,
    })),
    alarms: observation.alarms,
  };
  const plan: Proposal[] = [];
  for (const step of old) {
    if (step.action === 'etcd.compact') {
      plan.push({
        action: 'etcd.compact',
        summary: `Compact the keyspace to revision ${basis.revision} (the current one).`,
        revision: basis.revision,
        basis,
      });
    } else if (step.action === 'etcd.defrag') {
      const voters = members.filter((member) => !member.isLearner);
      const ordered = [
        ...voters.filter((member) => !member.status?.isLeader).sort((a, b) => a.name.localeCompare(b.name)),
        ...voters.filter((member) => member.status?.isLeader),
      ];
      const defrag: DefragMember[] = ordered.map((member) => {
        const size = member.status?.dbSizeBytes ?? 0;
        const inUse = member.status?.dbSizeInUseBytes ?? size;
        return {
          id: member.id,
          name: member.name,
          endpoint: member.endpoint,
          role: member.status?.isLeader ? 'leader' : 'follower',
          dbSizeBytes: size,
          dbSizeInUseBytes: inUse,
          expectedReclaimBytes: Math.max(0, size - inUse),
        };
      });
      if (defrag.length === 0) continue;
      const expectedReclaimBytes = defrag.reduce((sum, member) => sum + member.expectedReclaimBytes, 0);
      plan.push({
        action: 'etcd.defrag',
        summary: `Defragment ${defrag.map((member) => member.name).join(' → ')} one at a time (leader last), reclaiming about ${formatBytes(expectedReclaimBytes)}.`,
        members: defrag,
        expectedReclaimBytes,
        basis,
      });
    } else {
      const nospace = observation.alarms.filter((alarm) => alarm.alarm === 'NOSPACE');
      if (nospace.length === 0) continue;
      plan.push({
        ...step,
        alarms: nospace.map((alarm) => ({ memberId: alarm.memberId, alarm: 'NOSPACE' as const })),
        basis,
      });
    }
  }
  return plan;
}
