import { describeError } from '../core/errors.js';
import { classifyEtcdFailure } from '../etcd/etcd3-errors.js';
import type { EtcdAlarm, EtcdMemberStatus } from '../ports/etcd-reader.js';
import type { EtcdMaintenanceClient } from './etcd-maintenance-client.js';

/** One member as the executor sees it right before a step. */
export interface MemberState {
  id: string;
  name: string;
  endpoint: string;
  isLearner: boolean;
  status?: EtcdMemberStatus;
  healthy: boolean;
  /** Why it is not healthy, in words. */
  error?: string;
}

/** The whole cluster right before a step. */
export interface ClusterObservation {
  members: MemberState[];
  alarms: EtcdAlarm[];
  /** From the members' statuses; undefined when they disagree or none answered. */
  clusterId?: string;
  leaderId?: string;
  /** The leader's revision. */
  revision?: string;
  observedAt: Date;
}

/**
 * Reads the member list, then every member's status and a quorum read through that member (one client each), and
 * the alarms. A member that does not answer is recorded as unhealthy with the reason, not thrown: the pre-flight
 * decides what that means.
 *
 * @param requestMs - the deadline the reasons mention (ms).
 */
export async function observeCluster(client: EtcdMaintenanceClient, requestMs: number): Promise<ClusterObservation> {
  const list = await client.members();
  const members = await Promise.all(
    list.map(async (member): Promise<MemberState> => {
      const endpoint = client.normalize(member.clientURLs[0] ?? '');
      const base = { id: member.id, name: member.name || member.id, endpoint, isLearner: member.isLearner };
      if (!member.clientURLs[0]) return { ...base, healthy: false, error: 'no client URL (not started yet?)' };
      try {
        const status = await client.status(endpoint);
        await client.health(endpoint);
        return { ...base, status, healthy: true };
      } catch (error) {
        return { ...base, healthy: false, error: classifyEtcdFailure(error, requestMs).reason || describeError(error) };
      }
    }),
  );
  const alarms = await client.alarms();
  const statuses = members.flatMap((member) => (member.status ? [member.status] : []));
  const clusterIds = new Set(statuses.map((status) => status.clusterId));
  const leaders = new Set(statuses.map((status) => status.leaderId).filter((id) => id !== '0'));
  const leader = statuses.find((status) => status.isLeader);
  return {
    members,
    alarms,
    ...(clusterIds.size === 1 ? { clusterId: [...clusterIds][0] as string } : {}),
    ...(leaders.size === 1 && leader ? { leaderId: leader.memberId, revision: leader.revision } : {}),
    observedAt: new Date(),
  };
}
