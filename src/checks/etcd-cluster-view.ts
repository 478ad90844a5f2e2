import { EtcdUnreachableError, describeError } from '../core/errors.js';
import { clusterSetting } from '../core/setting-name.js';
import type { EtcdAlarm, EtcdMember, EtcdMemberStatus, EtcdReader } from '../ports/etcd-reader.js';

/** One member as seen from the worker: its identity, the endpoint used, and its status or why there is none. */
export interface MemberView {
  name: string;
  id?: string;
  endpoint: string;
  isLearner: boolean;
  status?: EtcdMemberStatus;
  error?: string;
}

export interface ClusterView {
  members: MemberView[];
  /** Set when the member list itself could not be read and the given endpoints stand in for members. */
  memberListError?: string;
  leader?: MemberView;
}

/** 2 GiB: etcd's default `--quota-backend-bytes`. */
export const DEFAULT_QUOTA_BYTES = 2 * 1024 ** 3;

function viewFromMember(member: EtcdMember): Omit<MemberView, 'status' | 'error'> {
  return {
    name: member.name || member.id,
    id: member.id,
    endpoint: member.clientURLs[0] ?? '',
    isLearner: member.isLearner,
  };
}

/**
 * Every member's status, read through one client per member endpoint. The member list comes from etcd itself (so a
 * single `--etcd-endpoints` value still reaches every member); when it cannot be read, the given endpoints stand in.
 */
export async function readClusterView(etcd: EtcdReader): Promise<ClusterView> {
  let base: Array<Omit<MemberView, 'status' | 'error'>>;
  let memberListError: string | undefined;
  try {
    base = (await etcd.members()).map(viewFromMember).sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    memberListError = describeError(error);
    base = etcd.endpoints.map((endpoint) => ({ name: endpoint, endpoint, isLearner: false }));
  }
  const members = await Promise.all(
    base.map(async (member): Promise<MemberView> => {
      if (!member.endpoint) return { ...member, error: 'the member has not started yet (no client URL)' };
      try {
        return { ...member, status: await etcd.status(member.endpoint) };
      } catch (error) {
        // The member alone did not answer: the settings' advice in the message would point the wrong way.
        return { ...member, error: error instanceof EtcdUnreachableError ? error.reason : describeError(error) };
      }
    }),
  );
  const leader = members.find((member) => member.status?.isLeader);
  return { members, ...(memberListError ? { memberListError } : {}), ...(leader ? { leader } : {}) };
}

export interface QuotaReading {
  bytes: number;
  source: string;
}

/** The quota the operator gave wins; then etcd 3.6's status; then etcd's own metric; then etcd's default. */
export async function resolveQuota(
  etcd: EtcdReader,
  view: ClusterView,
  configured: number | undefined,
  cluster: string,
): Promise<QuotaReading> {
  const setting = clusterSetting(cluster, 'etcd.quotaBytes');
  if (configured !== undefined) return { bytes: configured, source: setting };
  const reported = view.members.find((member) => member.status?.dbSizeQuotaBytes)?.status?.dbSizeQuotaBytes;
  if (reported) return { bytes: reported, source: 'etcd status (dbSizeQuota)' };
  for (const member of view.members.filter((candidate) => candidate.status)) {
    const fromMetrics = await etcd.quotaBytes(member.endpoint).catch(() => undefined);
    if (fromMetrics) return { bytes: fromMetrics, source: 'etcd metric etcd_server_quota_backend_bytes' };
  }
  return {
    bytes: DEFAULT_QUOTA_BYTES,
    source: `assumed: etcd default 2 GiB (set ${setting} if yours differs)`,
  };
}

/** Names members by their hex ID, as alarms only carry the ID. */
export function memberName(view: ClusterView, memberId: string): string {
  return (
    view.members.find((member) => member.id === memberId || member.status?.memberId === memberId)?.name ?? memberId
  );
}

export function alarmsOf(alarms: readonly EtcdAlarm[], type: EtcdAlarm['alarm']): EtcdAlarm[] {
  return alarms.filter((alarm) => alarm.alarm === type);
}
