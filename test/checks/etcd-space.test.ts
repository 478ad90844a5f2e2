import { describe, expect, it } from '@jest/globals';
import { etcdSpaceCheck } from '../../src/checks/etcd-space.js';
import { planSpaceMaintenance } from '../../src/checks/etcd-maintenance-plan.js';
import { readClusterView } from '../../src/checks/etcd-cluster-view.js';
import { FakeEtcdReader, checkContext, memberStatus } from './fake-readers.js';

const MiB = 1024 * 1024;
const thresholds = { defragQuotaRatio: 0.8, minReclaimBytes: 200 * MiB, disarmBelowRatio: 0.9 };

function nospaceCluster(): FakeEtcdReader {
  const etcd = new FakeEtcdReader(3);
  etcd.memberList.forEach((member, index) => {
    const endpoint = member.clientURLs[0] as string;
    etcd.statuses.set(
      endpoint,
      memberStatus({
        endpoint,
        memberId: member.id,
        leaderId: 'a2',
        dbSizeBytes: (33 - index) * MiB,
        dbSizeInUseBytes: 3 * MiB,
        revision: '91234',
      }),
    );
  });
  etcd.alarmList = [{ memberId: 'a1', alarm: 'NOSPACE' }];
  return etcd;
}

function context(etcd: FakeEtcdReader, quota?: number) {
  return checkContext({ etcd, ...(quota === undefined ? {} : { etcdQuotaBytes: quota }) });
}

describe('planSpaceMaintenance', () => {
  it('plans compact, then defragment followers first and the leader last, then disarm, under NOSPACE', async () => {
    const etcd = nospaceCluster();
    const proposals = planSpaceMaintenance(await readClusterView(etcd), etcd.alarmList, 32 * MiB, thresholds);
    expect(proposals.map((proposal) => proposal.action)).toEqual(['etcd.compact', 'etcd.defrag', 'etcd.disarm']);
    const [compact, defrag, disarm] = proposals;
    expect(compact).toMatchObject({ revision: '91234' });
    if (defrag?.action !== 'etcd.defrag') throw new Error('expected a defrag proposal');
    expect(defrag.members.map((member) => `${member.name}:${member.role}`)).toEqual([
      'etcd-1:follower',
      'etcd-3:follower',
      'etcd-2:leader',
    ]);
    expect(defrag.expectedReclaimBytes).toBe((30 + 29 + 28) * MiB);
    expect(disarm).toMatchObject({ alarms: [{ memberId: 'a1', alarm: 'NOSPACE' }] });
  });

  it('does not propose disarming when the data in use itself fills the quota', async () => {
    const etcd = nospaceCluster();
    for (const [endpoint, status] of etcd.statuses) {
      if (!(status instanceof Error)) etcd.statuses.set(endpoint, { ...status, dbSizeInUseBytes: 31 * MiB });
    }
    const actions = planSpaceMaintenance(await readClusterView(etcd), etcd.alarmList, 32 * MiB, thresholds).map(
      (p) => p.action,
    );
    expect(actions).not.toContain('etcd.disarm');
  });

  it('leaves an unreachable member out of the defragmentation plan', async () => {
    const etcd = nospaceCluster();
    etcd.statuses.set(etcd.endpoints[2] as string, new Error('connection refused'));
    const defrag = planSpaceMaintenance(await readClusterView(etcd), etcd.alarmList, 32 * MiB, thresholds).find(
      (proposal) => proposal.action === 'etcd.defrag',
    );
    expect(defrag?.action === 'etcd.defrag' && defrag.members.map((member) => member.name)).toEqual([
      'etcd-1',
      'etcd-2',
    ]);
  });

  it('proposes nothing for a small, compact database', async () => {
    const etcd = new FakeEtcdReader(3);
    expect(planSpaceMaintenance(await readClusterView(etcd), [], 2048 * MiB, thresholds)).toEqual([]);
  });
});

describe('etcd.space', () => {
  const args = etcdSpaceCheck.args.parse({});

  it('is critical with the recovery plan when NOSPACE is raised', async () => {
    const [finding] = await etcdSpaceCheck.run(context(nospaceCluster(), 32 * MiB), args);
    expect(finding?.severity).toBe('critical');
    expect(finding?.title).toContain('NOSPACE');
    expect(finding?.title).toContain('etcd-1 at 103%');
    expect(finding?.proposals?.map((proposal) => proposal.action)).toEqual([
      'etcd.compact',
      'etcd.defrag',
      'etcd.disarm',
    ]);
  });

  it('falls back to the metric quota, then to the 2 GiB default, and says which', async () => {
    const etcd = new FakeEtcdReader(3);
    etcd.quota = 4096 * MiB;
    let [finding] = await etcdSpaceCheck.run(context(etcd), args);
    expect(finding?.data?.quotaSource).toBe('etcd metric etcd_server_quota_backend_bytes');
    etcd.quota = undefined;
    [finding] = await etcdSpaceCheck.run(context(etcd), args);
    expect(finding?.data?.quotaBytes).toBe(2048 * MiB);
    expect(String(finding?.data?.quotaSource)).toContain('assumed');
    expect(finding?.severity).toBe('ok');
  });

  it('warns about heavy fragmentation without NOSPACE and proposes only defragmentation', async () => {
    const etcd = new FakeEtcdReader(3);
    for (const [endpoint, status] of etcd.statuses) {
      if (!(status instanceof Error))
        etcd.statuses.set(endpoint, { ...status, dbSizeBytes: 1200 * MiB, dbSizeInUseBytes: 300 * MiB });
    }
    const [finding] = await etcdSpaceCheck.run(context(etcd, 8192 * MiB), args);
    expect(finding?.severity).toBe('warning');
    expect(finding?.title).toContain('fragmented');
    expect(finding?.proposals?.map((proposal) => proposal.action)).toEqual(['etcd.defrag']);
  });
});
