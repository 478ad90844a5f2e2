import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEtcdReader } from '../../src/etcd/etcd3-reader.js';
import type { EtcdReader } from '../../src/ports/etcd-reader.js';
import { startBlackhole } from '../helpers/blackhole.js';
import { findFreePort, startEtcdCluster, type EtcdCluster, type EtcdClusterMember } from '../helpers/services.js';

const TIMEOUT_MS = 2_000;

/** Pings `endpoint` `count` times and returns the round trips, in ms. */
async function pings(etcd: EtcdReader, endpoint: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const ping = await etcd.ping(endpoint);
    expect(ping).toMatchObject({ endpoint, answered: true });
    times.push(ping.tookMs);
  }
  return times;
}

describe('EtcdReader.ping against a real 3-member cluster, one member behind a latency proxy', () => {
  let cluster: EtcdCluster;
  let etcd: EtcdReader;
  let slow: EtcdClusterMember;

  beforeAll(async () => {
    cluster = await startEtcdCluster({ members: 3, latencyProxies: ['etcd-2'] });
    etcd = createEtcdReader({ endpoints: cluster.endpoints, requestTimeoutMs: TIMEOUT_MS });
    slow = cluster.member('etcd-2');
  });
  afterAll(async () => {
    await etcd?.close();
    await cluster?.stop();
  });

  it("gives clients the proxy's URL in the member list, and the member answers through it", async () => {
    const members = await etcd.members();
    const byName = new Map(members.map((member) => [member.name, member.clientURLs]));
    expect(slow.latency).toBeDefined();
    expect(slow.advertisedClientUrl).toBe(slow.latency?.url);
    expect(byName.get('etcd-2')).toEqual([slow.latency?.url]);
    expect(byName.get('etcd-1')).toEqual([cluster.member('etcd-1').clientUrl]);
    expect((await etcd.status(slow.advertisedClientUrl)).endpoint).toBe(slow.advertisedClientUrl);
  });

  it('times a local read per member: about two delays more through the proxy, fast without it', async () => {
    slow.latency?.setDelay(0);
    await pings(etcd, slow.advertisedClientUrl, 1); // the connection's set-up is not a round trip
    const direct = await pings(etcd, cluster.member('etcd-1').clientUrl, 3);
    expect(Math.min(...direct)).toBeLessThan(100);
    slow.latency?.setDelay(100);
    try {
      const delayed = await pings(etcd, slow.advertisedClientUrl, 3);
      // Request and answer are each held 100 ms.
      for (const took of delayed) expect(took).toBeGreaterThanOrEqual(195);
      expect(Math.max(...delayed)).toBeLessThan(TIMEOUT_MS);
    } finally {
      slow.latency?.setDelay(0);
    }
  });

  it('reports a member slower than the per-call deadline as timed out, within that deadline', async () => {
    slow.latency?.setDelay(400);
    try {
      const began = performance.now();
      const ping = await etcd.ping(slow.advertisedClientUrl, { timeoutMs: 300 });
      expect(ping).toMatchObject({
        answered: false,
        timedOut: true,
        error: expect.stringMatching(/no answer within 300 ms/),
      });
      expect(performance.now() - began).toBeLessThan(1_000);
    } finally {
      slow.latency?.setDelay(0);
    }
  });

  it('tells a refused connection (not a timeout) from a slow member, and one that never answers', async () => {
    const nobody = `http://127.0.0.1:${await findFreePort()}`;
    const refused = await etcd.ping(nobody, { timeoutMs: 1_000 });
    expect(refused).toMatchObject({ answered: false, timedOut: false, error: expect.stringMatching(/refused/) });
    const hole = await startBlackhole();
    try {
      expect(await etcd.ping(hole.url, { timeoutMs: 300 })).toMatchObject({ answered: false, timedOut: true });
    } finally {
      await hole.close();
    }
  });

  it("releases the caller as soon as the run's signal fires", async () => {
    slow.latency?.setDelay(1_500);
    try {
      const controller = new AbortController();
      const began = performance.now();
      const ping = etcd.ping(slow.advertisedClientUrl, { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('run cancelled')), 50);
      await expect(ping).rejects.toThrow('run cancelled');
      expect(performance.now() - began).toBeLessThan(1_000);
    } finally {
      slow.latency?.setDelay(0);
    }
  });
});
