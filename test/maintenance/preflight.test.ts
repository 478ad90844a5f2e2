import { describe, expect, it } from '@jest/globals';
import type { ClusterObservation, MemberState } from '../../src/maintenance/cluster-observation.js';
import { preflight } from '../../src/maintenance/preflight.js';
import type { EtcdMemberStatus } from '../../src/ports/etcd-reader.js';
import { nospace, nospaceBasis } from '../render/fixtures.js';

const plan = nospace.proposals ?? [];

function member(
  id: string,
  name: string,
  overrides: Partial<MemberState> = {},
  status: Partial<EtcdMemberStatus> = {},
): MemberState {
  return {
    id,
    name,
    endpoint: `https://${name}:2379`,
    isLearner: false,
    healthy: true,
    status: {
      endpoint: `https://${name}:2379`,
      clusterId: nospaceBasis.etcdClusterId,
      memberId: id,
      leaderId: nospaceBasis.leaderId,
      isLeader: id === nospaceBasis.leaderId,
      version: '3.4.23',
      dbSizeBytes: 1,
      dbSizeInUseBytes: 1,
      raftIndex: 1,
      raftTerm: 1,
      revision: nospaceBasis.revision,
      isLearner: false,
      errors: [],
      ...status,
    },
    ...overrides,
  };
}

/** The cluster exactly as approved: etcd-a leads, NOSPACE on etcd-a. */
function asApproved(): ClusterObservation {
  return {
    members: nospaceBasis.members.map((each) => member(each.id, each.name)),
    alarms: [...nospaceBasis.alarms],
    clusterId: nospaceBasis.etcdClusterId,
    leaderId: nospaceBasis.leaderId,
    revision: nospaceBasis.revision,
    observedAt: new Date(),
  };
}

const [, b, c] = nospaceBasis.members.map((each) => each.id) as [string, string, string];

describe('preflight before every step', () => {
  it.each<[string, (o: ClusterObservation) => ClusterObservation, 'go' | 'stop' | 'replan', RegExp | undefined]>([
    ['the approved state, NOSPACE active', (o) => o, 'go', undefined],
    ['the NOSPACE alarm gone (disarmed by this run)', (o) => ({ ...o, alarms: [] }), 'go', undefined],
    [
      'another etcd cluster behind the endpoints',
      (o) => ({ ...o, clusterId: 'ffff' }),
      'stop',
      /answer for etcd cluster ffff, not the approved/,
    ],
    [
      'a member that does not answer',
      (o) => ({
        ...o,
        members: o.members.map((m) => (m.id === b ? { ...m, healthy: false, error: 'connection refused' } : m)),
      }),
      'stop',
      /not every member is healthy: etcd-b \(connection refused\)/,
    ],
    [
      'a CORRUPT alarm',
      (o) => ({ ...o, alarms: [...o.alarms, { memberId: c, alarm: 'CORRUPT' as const }] }),
      'stop',
      /CORRUPT on fd422379fda50e48 is active/,
    ],
    ['no leader', (o) => ({ ...o, leaderId: undefined }) as ClusterObservation, 'stop', /there is no leader/],
    [
      'a planned member turned learner',
      (o) => ({ ...o, members: o.members.map((m) => (m.id === c ? { ...m, isLearner: true } : m)) }),
      'stop',
      /etcd-c is a learner now/,
    ],
    [
      'a member added',
      (o) => ({ ...o, members: [...o.members, member('abc123', 'etcd-d')] }),
      'replan',
      /the member set changed \(approved: etcd-a, etcd-b, etcd-c; now: etcd-a, etcd-b, etcd-c, etcd-d\)/,
    ],
    ['the leader changed', (o) => ({ ...o, leaderId: b }), 'replan', /the leader changed from etcd-a to etcd-b/],
    [
      'a new NOSPACE alarm on another member',
      (o) => ({ ...o, alarms: [...o.alarms, { memberId: b, alarm: 'NOSPACE' as const }] }),
      'replan',
      /a new alarm appeared: NOSPACE on 91bc3c398fb3c146/,
    ],
  ])('%s', (_, change, kind, reason) => {
    const verdict = preflight(change(asApproved()), nospaceBasis, plan);
    expect(verdict.kind).toBe(kind);
    if (reason && verdict.kind !== 'go') expect(verdict.reason).toMatch(reason);
  });
});
