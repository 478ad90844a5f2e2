import type { IAlarmResponse, IMember, IStatusResponse } from 'etcd3';
import type { EtcdAlarm, EtcdAlarmType, EtcdMember, EtcdMemberStatus } from '../ports/etcd-reader.js';

/**
 * etcd3 returns every 64-bit number as a decimal string. Member IDs become hex as etcdctl prints them (`%x`); sizes
 * and raft indexes become numbers (they stay far below 2^53); the revision stays a string.
 */
export function memberIdHex(decimal: string): string {
  return BigInt(decimal).toString(16);
}

/** Fields etcd 3.4 added to the status response; an older server leaves them at their proto default, 0. */
function isAtLeast34(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 3 || (major === 3 && minor >= 4);
}

export function parseStatus(endpoint: string, response: IStatusResponse): EtcdMemberStatus {
  const memberId = memberIdHex(response.header.member_id);
  const leaderId = memberIdHex(response.leader);
  const modern = isAtLeast34(response.version);
  return {
    endpoint,
    clusterId: memberIdHex(response.header.cluster_id),
    memberId,
    leaderId,
    // Leader 0 means "no leader": never equal to a real member ID.
    isLeader: leaderId !== '0' && leaderId === memberId,
    version: response.version,
    dbSizeBytes: Number(response.dbSize),
    ...(modern ? { dbSizeInUseBytes: Number(response.dbSizeInUse) } : {}),
    // etcd3 1.1.2's proto predates 3.6's dbSizeQuota: the quota comes from config or /metrics instead.
    raftIndex: Number(response.raftIndex),
    raftTerm: Number(response.raftTerm),
    ...(modern ? { raftAppliedIndex: Number(response.raftAppliedIndex) } : {}),
    revision: response.header.revision,
    isLearner: response.isLearner,
    errors: response.errors.map((error) => error.trim()),
  };
}

export function parseMember(member: IMember): EtcdMember {
  return {
    id: memberIdHex(member.ID),
    name: member.name,
    peerURLs: [...member.peerURLs],
    clientURLs: [...member.clientURLs],
    isLearner: member.isLearner,
  };
}

const ALARM_TYPES: Readonly<Record<string, EtcdAlarmType>> = { Nospace: 'NOSPACE', Corrupt: 'CORRUPT' };

/** etcd3 names alarm types `Nospace`/`Corrupt`; `None` entries are not alarms. */
export function parseAlarms(response: IAlarmResponse): EtcdAlarm[] {
  return response.alarms.flatMap((entry) => {
    const alarm = ALARM_TYPES[String(entry.alarm)];
    return alarm ? [{ memberId: memberIdHex(entry.memberID), alarm }] : [];
  });
}
