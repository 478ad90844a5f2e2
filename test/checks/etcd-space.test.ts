import { describe, expect, it } from '@jest/globals';
import { etcdSpaceCheck } from '../../src/checks/etcd-space.js';
import { observedBasis, planSpaceMaintenance } from '../../src/checks/etcd-maintenance-plan.js';
import { readClusterView } from '../../src/checks/etcd-cluster-view.js';
import { FakeEtcdReader, TEST_RUN, checkContext, memberStatus } from './fake-readers.js';

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

async function plan(etcd: FakeEtcdReader, alarms: FakeEtcdReader['alarmList'], quota: number) {
  const view = await readClusterView(etcd);
  return planSpaceMaintenance(view, alarms, observedBasis(TEST_RUN, view, alarms, quota, new Date(0)), thresholds);
}

describe('planSpaceMaintenance', () => {
  it('plans compact, then defragment followers first and the leader last, then disarm, under NOSPACE', async () => {
    const etcd = nospaceCluster();
    const proposals = await plan(etcd, etcd.alarmList, 32 * MiB);
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
    expect(disarm).toMatchObject({
      alarms: [{ memberId: 'a1', alarm: 'NOSPACE' }],
      condition: { maxDbSizeRatio: 0.9, quotaBytes: 32 * MiB, belowBytes: Math.floor(32 * MiB * 0.9) },
    });
  });

  it('binds every proposal to the state it was planned against: run, cluster id, leader, revision, sizes, alarms', async () => {
    const etcd = nospaceCluster();
    const proposals = await plan(etcd, etcd.alarmList, 32 * MiB);
    expect(proposals.length).toBe(3);
    for (const proposal of proposals) {
      expect(proposal.basis).toEqual({
        runId: TEST_RUN.runId,
        cluster: TEST_RUN.cluster,
        etcdClusterId: 'c1a2b3',
        leaderId: 'a2',
        revision: '91234',
        quotaBytes: 32 * MiB,
        observedAt: new Date(0).toISOString(),
        members: [
          expect.objectContaining({
            id: 'a1',
            name: 'etcd-1',
            role: 'follower',
            dbSizeBytes: 33 * MiB,
            dbSizeInUseBytes: 3 * MiB,
          }),
          expect.objectContaining({ id: 'a2', name: 'etcd-2', role: 'leader', dbSizeBytes: 32 * MiB }),
          expect.objectContaining({
            id: 'a3',
            name: 'etcd-3',
            role: 'follower',
            dbSizeBytes: 31 * MiB,
            revision: '91234',
          }),
        ],
        alarms: [{ memberId: 'a1', alarm: 'NOSPACE' }],
      });
    }
  });

  it('still proposes disarming when the data in use fills the quota, saying it will stay armed unless space is freed', async () => {
    const etcd = nospaceCluster();
    for (const [endpoint, status] of etcd.statuses) {
      if (!(status instanceof Error)) etcd.statuses.set(endpoint, { ...status, dbSizeInUseBytes: 31 * MiB });
    }
    const disarm = (await plan(etcd, etcd.alarmList, 32 * MiB)).find((p) => p.action === 'etcd.disarm');
    expect(disarm?.summary).toMatch(/only if compaction and defragmentation bring every member below 90% of the quota/);
    expect(disarm?.summary).toContain(
      'etcd-1, etcd-2, etcd-3 report at least that much in use now; if that space is live data, the alarm stays armed',
    );
    expect(disarm?.action === 'etcd.disarm' && disarm.condition.belowBytes).toBe(Math.floor(32 * MiB * 0.9));
  });

  it('leaves an unreachable member out of the defragmentation plan', async () => {
    const etcd = nospaceCluster();
    etcd.statuses.set(etcd.endpoints[2] as string, new Error('connection refused'));
    const defrag = (await plan(etcd, etcd.alarmList, 32 * MiB)).find((proposal) => proposal.action === 'etcd.defrag');
    expect(defrag?.action === 'etcd.defrag' && defrag.members.map((member) => member.name)).toEqual([
      'etcd-1',
      'etcd-2',
    ]);
  });

  it('proposes nothing for a small, compact database', async () => {
    const etcd = new FakeEtcdReader(3);
    expect(await plan(etcd, [], 2048 * MiB)).toEqual([]);
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
