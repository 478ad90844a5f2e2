import { describe, expect, it } from '@jest/globals';
import { etcdMemberHealthCheck } from '../../src/checks/etcd-member-health.js';
import { EtcdUnreachableError } from '../../src/core/errors.js';
import { FakeEtcdReader, checkContext, memberStatus } from './fake-readers.js';

function run(etcd: FakeEtcdReader) {
  const context = checkContext({ etcd });
  return etcdMemberHealthCheck.run(context, etcdMemberHealthCheck.args.parse({}));
}

describe('etcd.member-health', () => {
  it('is ok when every member is healthy and agrees on the leader', async () => {
    const [finding] = await run(new FakeEtcdReader(3));
    expect(finding?.severity).toBe('ok');
    expect(finding?.title).toBe('etcd: 3 of 3 members healthy, leader etcd-1');
  });

  it('names the member that is down and keeps the others healthy', async () => {
    const etcd = new FakeEtcdReader(3);
    etcd.statuses.set(etcd.endpoints[1] as string, new Error('14 UNAVAILABLE: connect ECONNREFUSED'));
    const [finding] = await run(etcd);
    expect(finding?.severity).toBe('critical');
    expect(finding?.title).toBe('etcd member etcd-2 is down (2 of 3 members healthy)');
    const members = finding?.data?.members as Array<{ name: string; healthy: boolean }>;
    expect(members.map((member) => [member.name, member.healthy])).toEqual([
      ['etcd-1', true],
      ['etcd-2', false],
      ['etcd-3', true],
    ]);
  });

  it('says a member that refuses connections while the others answer is down, and points at its process, logs and disk', async () => {
    const etcd = new FakeEtcdReader(3);
    const endpoint = etcd.endpoints[1] as string;
    etcd.statuses.set(
      endpoint,
      new EtcdUnreachableError(
        [endpoint],
        'status failed: connection refused (connect ECONNREFUSED 10.0.0.2:2379): is etcd running and listening there?',
      ),
    );
    const [finding] = await run(etcd);
    expect(finding?.summary).toBe(
      'member etcd-2 is down: status failed: connection refused (connect ECONNREFUSED 10.0.0.2:2379): is etcd running and listening there?',
    );
    expect(JSON.stringify(finding)).not.toMatch(/Check etcd\.endpoints|\?\./);
    expect(finding?.about).toEqual({ component: 'etcd', instance: 'etcd-2' });
    expect(finding?.signals).toEqual(['etcd.member-down']);
    expect(finding?.recommendation).toMatch(
      /^Member etcd-2 \(10\.0\.0\.2\) refuses connections while etcd-1, etcd-3 answer with the same client certificate: the etcd process is not running there, so certificates and flags are not the problem\./,
    );
    expect(finding?.recommendation).toMatch(/crictl logs .*df -h \/var\/lib\/etcd/);
  });

  it('reports lost quorum first when a majority is down', async () => {
    const etcd = new FakeEtcdReader(3);
    etcd.statuses.set(etcd.endpoints[1] as string, new Error('down'));
    etcd.statuses.set(etcd.endpoints[2] as string, new Error('down'));
    const [finding] = await run(etcd);
    expect(finding?.title).toMatch(/^etcd has lost quorum/);
  });

  it('warns about a lagging member', async () => {
    const etcd = new FakeEtcdReader(3);
    const endpoint = etcd.endpoints[2] as string;
    etcd.statuses.set(endpoint, memberStatus({ endpoint, memberId: 'a3', raftIndex: 1 }));
    for (const index of [0, 1]) {
      const other = etcd.endpoints[index] as string;
      etcd.statuses.set(other, memberStatus({ endpoint: other, memberId: `a${index + 1}`, raftIndex: 50_000 }));
    }
    const [finding] = await run(etcd);
    expect(finding?.severity).toBe('warning');
    expect(finding?.summary).toContain('etcd-3 lags 49999 raft entries behind');
  });
});
