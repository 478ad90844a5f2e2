import type { EtcdAlarm } from '../ports/etcd-reader.js';
import type { DefragMember, EtcdBasis, EtcdMemberSnapshot, Proposal } from '../findings/finding.js';
import type { RunIdentity } from './check.js';
import { formatBytes } from '../findings/format.js';
import type { ClusterView, MemberView } from './etcd-cluster-view.js';

export interface PlanThresholds {
  /** Defragment a member whose db size exceeds this share of the quota. */
  defragQuotaRatio: number;
  /** …or whose reclaimable space (db size − in use) is at least this many bytes. */
  minReclaimBytes: number;
  /** Disarm NOSPACE only if every member's in-use size is below this share of the quota. */
  disarmBelowRatio: number;
}

/**
 * The state the plan rests on, as the executor must find it again: the cluster's identity, its members, leader,
 * revision, sizes and alarms. `undefined` when no member reported a status (nothing can be planned then).
 */
export function observedBasis(
  run: RunIdentity,
  view: ClusterView,
  alarms: readonly EtcdAlarm[],
  quotaBytes: number,
  observedAt: Date,
): EtcdBasis | undefined {
  const members: EtcdMemberSnapshot[] = view.members.flatMap((member) => {
    const status = member.status;
    if (!status) return [];
    return [
      {
        id: status.memberId,
        name: member.name,
        endpoint: member.endpoint,
        role: status.isLearner ? 'learner' : status.isLeader ? 'leader' : 'follower',
        dbSizeBytes: status.dbSizeBytes,
        dbSizeInUseBytes: status.dbSizeInUseBytes ?? status.dbSizeBytes,
        revision: status.revision,
        raftIndex: status.raftIndex,
      },
    ];
  });
  const reference = view.leader?.status ?? view.members.find((member) => member.status)?.status;
  if (!reference || members.length === 0) return undefined;
  return {
    runId: run.runId,
    cluster: run.cluster,
    etcdClusterId: reference.clusterId,
    leaderId: reference.leaderId,
    revision: reference.revision,
    quotaBytes,
    observedAt: observedAt.toISOString(),
    members,
    alarms: alarms.map((alarm) => ({ memberId: alarm.memberId, alarm: alarm.alarm })),
  };
}

/** Bytes in use; the whole file when the member does not report it (etcd before 3.4). */
function inUseBytes(member: MemberView): number {
  return member.status?.dbSizeInUseBytes ?? member.status?.dbSizeBytes ?? 0;
}

function reclaimable(member: MemberView): number {
  const status = member.status;
  if (!status || status.dbSizeInUseBytes === undefined) return 0;
  return Math.max(0, status.dbSizeBytes - status.dbSizeInUseBytes);
}

/**
 * The NOSPACE recovery plan from the etcd maintenance guide, as proposals: compact to the current revision, then
 * defragment (followers first, leader last; every member when NOSPACE is raised), then disarm NOSPACE. Each step is
 * proposed only when it helps; nothing here runs anything.
 */
export function planSpaceMaintenance(
  view: ClusterView,
  alarms: readonly EtcdAlarm[],
  basis: EtcdBasis | undefined,
  thresholds: PlanThresholds,
): Proposal[] {
  const reachable = view.members.filter((member) => member.status && !member.isLearner);
  if (reachable.length === 0 || !basis) return [];
  const { quotaBytes } = basis;
  const nospace = alarms.filter((alarm) => alarm.alarm === 'NOSPACE');
  const proposals: Proposal[] = [];
  const revision = (view.leader ?? reachable[0])?.status?.revision;
  const inUseHigh = reachable.some((member) => inUseBytes(member) >= quotaBytes * thresholds.defragQuotaRatio);
  if (revision && (nospace.length > 0 || inUseHigh)) {
    proposals.push({
      action: 'etcd.compact',
      summary: `Compact the keyspace to revision ${revision} (the current one), dropping superseded history so defragmentation can free it.`,
      revision,
      basis,
    });
  }
  const worth = reachable.filter(
    (member) =>
      nospace.length > 0 ||
      (member.status?.dbSizeBytes ?? 0) >= quotaBytes * thresholds.defragQuotaRatio ||
      reclaimable(member) >= thresholds.minReclaimBytes,
  );
  const ordered = [
    ...worth.filter((member) => !member.status?.isLeader).sort((a, b) => a.name.localeCompare(b.name)),
    ...worth.filter((member) => member.status?.isLeader),
  ];
  const members: DefragMember[] = ordered.map((member) => ({
    id: member.status?.memberId ?? member.id ?? '',
    name: member.name,
    endpoint: member.endpoint,
    role: member.status?.isLeader ? 'leader' : 'follower',
    dbSizeBytes: member.status?.dbSizeBytes ?? 0,
    dbSizeInUseBytes: inUseBytes(member),
    expectedReclaimBytes: reclaimable(member),
  }));
  if (members.length > 0) {
    const expectedReclaimBytes = members.reduce((sum, member) => sum + member.expectedReclaimBytes, 0);
    const skipped = view.members.length - members.length;
    proposals.push({
      action: 'etcd.defrag',
      summary: `Defragment ${members.map((member) => member.name).join(' → ')} one at a time (leader last, health check between), reclaiming about ${formatBytes(expectedReclaimBytes)}${
        skipped > 0 ? `; ${skipped} member(s) not in the plan (unreachable, learner or not worth it)` : ''
      }.`,
      members,
      expectedReclaimBytes,
      basis,
    });
  }
  // Proposed whenever NOSPACE is raised: right after compaction a member's dbSizeInUse still counts pages bbolt has
  // not released yet, so what is in use now does not say what defragmentation will leave. The executor disarms only
  // when every member's file is below the line after defragmentation, and says so when it is not.
  if (nospace.length > 0) {
    const full = reachable.filter((member) => inUseBytes(member) >= quotaBytes * thresholds.disarmBelowRatio);
    const line = `${Math.round(thresholds.disarmBelowRatio * 100)}%`;
    const compacting = proposals.some((proposal) => proposal.action === 'etcd.compact');
    proposals.push({
      action: 'etcd.disarm',
      summary:
        full.length === 0
          ? 'Disarm the NOSPACE alarm once space is reclaimed, then verify that a write succeeds.'
          : `Disarm the NOSPACE alarm only if ${compacting ? 'compaction and defragmentation bring' : 'defragmentation brings'} every member below ${line} of the quota, then verify that a write succeeds. ${full.map((member) => member.name).join(', ')} ${full.length === 1 ? 'reports' : 'report'} at least that much in use now; if that space is live data, the alarm stays armed and the quota must grow.`,
      alarms: nospace.map((alarm) => ({ memberId: alarm.memberId, alarm: 'NOSPACE' as const })),
      condition: {
        description: `every member's db size is below ${line} of the ${formatBytes(quotaBytes)} quota after defragmentation`,
        maxDbSizeRatio: thresholds.disarmBelowRatio,
        quotaBytes,
        belowBytes: Math.floor(quotaBytes * thresholds.disarmBelowRatio),
      },
      basis,
    });
  }
  return proposals;
}
