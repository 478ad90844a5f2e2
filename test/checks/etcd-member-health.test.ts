import { describe, expect, it } from '@jest/globals';
import { etcdMemberHealthCheck } from '../../src/checks/etcd-member-health.js';
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
