import { describe, expect, it } from '@jest/globals';
import type { IStatusResponse } from 'etcd3';
import { normalizeEndpoint } from '../../src/etcd/etcd-endpoint.js';
import { memberIdHex, parseAlarms, parseStatus } from '../../src/etcd/etcd3-parse.js';

const header = {
  cluster_id: '14841639068965178418',
  member_id: '13668033151171901709',
  revision: '9007199254740993',
  raft_term: '2',
};

function statusResponse(overrides: Partial<IStatusResponse> = {}): IStatusResponse {
  return {
    header,
    version: '3.4.23',
    dbSize: '30486528',
    leader: '13668033151171901709',
    raftIndex: '33',
    raftTerm: '2',
    raftAppliedIndex: '33',
    errors: ['memberID:13668033151171901709 alarm:NOSPACE '],
    dbSizeInUse: '24576',
    isLearner: false,
    ...overrides,
  };
}

describe('etcd3 responses', () => {
  it.each([
    ['13668033151171901709', 'bdae9bbc11dd390d'],
    ['1', '1'],
    ['18446744073709551615', 'ffffffffffffffff'],
  ])('shows member ID %s as etcdctl does: %s', (decimal, hex) => {
    expect(memberIdHex(decimal)).toBe(hex);
  });

  it('parses sizes and indexes to numbers, keeps the revision exact, and sees the leader', () => {
    expect(parseStatus('http://a:2379', statusResponse())).toEqual({
      endpoint: 'http://a:2379',
      clusterId: 'cdf818194e3a8c32',
      memberId: 'bdae9bbc11dd390d',
      leaderId: 'bdae9bbc11dd390d',
      isLeader: true,
      version: '3.4.23',
      dbSizeBytes: 30486528,
      dbSizeInUseBytes: 24576,
      raftIndex: 33,
      raftTerm: 2,
      raftAppliedIndex: 33,
      revision: '9007199254740993',
      isLearner: false,
      errors: ['memberID:13668033151171901709 alarm:NOSPACE'],
    });
  });

  it('says "not leader" when the member knows no leader (leader 0)', () => {
    const status = parseStatus('x', statusResponse({ header: { ...header, member_id: '0' }, leader: '0' }));
    expect(status.isLeader).toBe(false);
  });

  it('leaves out the 3.4 fields that an older member reports as 0', () => {
    const status = parseStatus('x', statusResponse({ version: '3.3.27', dbSizeInUse: '0', raftAppliedIndex: '0' }));
    expect(status).not.toHaveProperty('dbSizeInUseBytes');
    expect(status).not.toHaveProperty('raftAppliedIndex');
  });

  it("maps etcd3's alarm names and drops None", () => {
    const alarms = parseAlarms({
      header,
      alarms: [
        { memberID: '13668033151171901709', alarm: 'Nospace' },
        { memberID: '2', alarm: 'Corrupt' },
        { memberID: '3', alarm: 'None' },
      ],
    });
    expect(alarms).toEqual([
      { memberId: 'bdae9bbc11dd390d', alarm: 'NOSPACE' },
      { memberId: '2', alarm: 'CORRUPT' },
    ]);
  });
});

describe('normalizeEndpoint', () => {
  it.each([
    ['http://127.0.0.1:2379/', false, 'http://127.0.0.1:2379'],
    ['127.0.0.1:2379', false, 'http://127.0.0.1:2379'],
    ['10.0.0.1:2379', true, 'https://10.0.0.1:2379'],
    [' https://etcd-0.example:2379 ', false, 'https://etcd-0.example:2379'],
  ])('%j (tls %s) → %s', (input, tls, expected) => {
    expect(normalizeEndpoint(input, tls)).toBe(expected);
  });

  it.each(['unix:///run/etcd.sock', 'http://', 'ht tp://x'])('refuses %j with an example of a good one', (input) => {
    expect(() => normalizeEndpoint(input, false)).toThrow(/e\.g\. https:\/\/10\.0\.0\.1:2379/);
  });
});
