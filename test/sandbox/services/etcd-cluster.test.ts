import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  etcdAnswersHealthy,
  readEtcdGauge,
  isProcessAlive,
  isRemoved,
  startEtcdCluster,
  type EtcdCluster,
} from '../../helpers/services.js';

async function leaders(cluster: EtcdCluster): Promise<string[]> {
  const running = cluster.members.filter((member) => member.running);
  const flags = await Promise.all(running.map((member) => readEtcdGauge(member.metricsUrl, 'etcd_server_is_leader')));
  return running.filter((_, index) => flags[index] === 1).map((member) => member.name);
}

describe('startEtcdCluster', () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcdCluster({ members: 3, quotaBytes: 64 * 1024 * 1024 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('forms a 3-member cluster where every member is healthy and exactly one leads', async () => {
    expect(cluster.members.map((member) => member.name)).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);
    expect(new Set(cluster.endpoints).size).toBe(3);
    for (const member of cluster.members) {
      expect(await etcdAnswersHealthy(member.metricsUrl)).toBe(true);
      expect(await readEtcdGauge(member.metricsUrl, 'etcd_server_has_leader')).toBe(1);
      expect(await readEtcdGauge(member.metricsUrl, 'etcd_server_quota_backend_bytes')).toBe(64 * 1024 * 1024);
    }
    expect(await leaders(cluster)).toHaveLength(1);
  });

  it('stops one member, keeps quorum with the other two, and restarts it on its old data', async () => {
    const [victim, ...others] = cluster.members as [EtcdCluster['members'][number], ...EtcdCluster['members']];
    const pid = victim.pid;
    await cluster.stopMember(victim.name);
    expect(victim.running).toBe(false);
    expect(isProcessAlive(pid)).toBe(false);
    await expect(etcdAnswersHealthy(victim.metricsUrl, 500)).rejects.toThrow();
    for (const member of others) expect(await etcdAnswersHealthy(member.metricsUrl)).toBe(true);

    await cluster.startMember(victim.name);
    expect(victim.running).toBe(true);
    expect(victim.pid).not.toBe(pid);
    expect(await etcdAnswersHealthy(victim.metricsUrl)).toBe(true);
    expect(await leaders(cluster)).toHaveLength(1);
  });

  it('refuses an unknown member name', async () => {
    await expect(cluster.stopMember('etcd-9')).rejects.toThrow('no etcd member named "etcd-9"');
  });

  it('stop() kills every member and removes their data', async () => {
    const extra = await startEtcdCluster({ members: 3 });
    const pids = extra.members.map((member) => member.pid);
    const dirs = extra.members.map((member) => member.dataDir);
    await extra.stop();
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false);
    for (const dir of dirs) expect(isRemoved(dir)).toBe(true);
    await extra.stop();
  });
});
