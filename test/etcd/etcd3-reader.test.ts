import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EtcdRequestError, EtcdUnreachableError } from '../../src/core/errors.js';
import type { EtcdReader } from '../../src/ports/etcd-reader.js';
import { createEtcdReader } from '../../src/etcd/etcd3-reader.js';
import { SECRET_MARKER, seedRegistry, type SeedResult } from '../../src/sandbox/etcd-seed.js';
import { startBlackhole } from '../helpers/blackhole.js';
import { spyOnEtcdReads } from '../helpers/range-spy.js';
import { startEtcdCluster, type EtcdCluster } from '../helpers/services.js';
import { ETCD_READER_METHODS } from '../helpers/etcd-reader-methods.js';

const MiB = 1024 * 1024;
const TIMEOUT_MS = 1_000;

describe('createEtcdReader against a real 3-member cluster', () => {
  let cluster: EtcdCluster;
  let etcd: EtcdReader;
  let seeded: SeedResult;

  beforeAll(async () => {
    cluster = await startEtcdCluster({ members: 3, quotaBytes: 64 * MiB });
    seeded = await seedRegistry(cluster.endpoints);
    etcd = createEtcdReader({ endpoints: cluster.endpoints, requestTimeoutMs: TIMEOUT_MS });
  });

  afterAll(async () => {
    await etcd?.close();
    await cluster?.stop();
  });

  it('lists the members with hex IDs, names and client URLs', async () => {
    const members = await etcd.members();
    expect(members.map((member) => member.name).sort()).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);
    for (const member of members) {
      expect(member.id).toMatch(/^[0-9a-f]+$/);
      expect(member.clientURLs).toEqual([cluster.member(member.name).clientUrl]);
      expect(member.peerURLs).toEqual([cluster.member(member.name).peerUrl]);
      expect(member.isLearner).toBe(false);
    }
  });

  it('reads each member through its own endpoint: one leader, whom every member names', async () => {
    const members = await etcd.members();
    const statuses = await Promise.all(cluster.endpoints.map((endpoint) => etcd.status(endpoint)));
    expect(statuses.map((status) => status.endpoint)).toEqual(cluster.endpoints);
    expect(new Set(statuses.map((status) => status.memberId))).toEqual(new Set(members.map((member) => member.id)));
    const leaders = statuses.filter((status) => status.isLeader);
    expect(leaders).toHaveLength(1);
    for (const status of statuses) {
      expect(status.leaderId).toBe(leaders[0]?.memberId);
      expect(status.version).toBe('3.4.23');
      expect(status.raftIndex).toBeGreaterThan(0);
      expect(status.raftTerm).toBeGreaterThanOrEqual(1);
      expect(status.raftAppliedIndex).toBeGreaterThan(0);
      expect(Number(status.revision)).toBeGreaterThan(seeded.keys / 128);
      expect(status.dbSizeBytes).toBeGreaterThan(0);
      expect(status.dbSizeInUseBytes).toBeLessThanOrEqual(status.dbSizeBytes);
      expect(status.errors).toEqual([]);
      expect(status.isLearner).toBe(false);
    }
  });

  it('finds every member healthy, and no alarms', async () => {
    for (const endpoint of cluster.endpoints) {
      const health = await etcd.health(endpoint);
      expect(health).toMatchObject({ endpoint, healthy: true });
      expect(health.tookMs).toBeLessThan(TIMEOUT_MS);
    }
    expect(await etcd.alarms()).toEqual([]);
  });

  it("reads the quota from each member's /metrics, and undefined where there is none", async () => {
    for (const endpoint of cluster.endpoints) expect(await etcd.quotaBytes(endpoint)).toBe(64 * MiB);
    const hole = await startBlackhole();
    try {
      expect(await etcd.quotaBytes(hole.url)).toBeUndefined();
    } finally {
      await hole.close();
    }
  });

  it('counts keys per resource prefix with keys-only and count-only reads, never a value', async () => {
    const spy = spyOnEtcdReads();
    let counts;
    try {
      counts = await etcd.prefixCounts('/registry/');
    } finally {
      spy.restore();
    }
    const expected = Object.entries(seeded.byPrefix)
      .map(([prefix, keys]) => ({ prefix, keys }))
      .sort((a, b) => b.keys - a.keys || a.prefix.localeCompare(b.prefix));
    expect(counts).toEqual(expected);
    expect(counts.map((entry) => entry.prefix)).toContain('/registry/apiextensions.k8s.io/customresourcedefinitions/');
    expect(counts.map((entry) => entry.prefix)).toContain('/registry/example.com/widgets/');

    // O(prefixes), not O(keys): a first-key lookup and a count per prefix, and one lookup that finds the end.
    expect(spy.ranges).toHaveLength(2 * expected.length + 1);
    expect(spy.otherReads).toEqual([]);
    for (const { request, response } of spy.ranges) {
      expect(Boolean(request.keys_only) || Boolean(request.count_only)).toBe(true);
      for (const kv of response.kvs) expect(kv.value).toHaveLength(0);
      expect(JSON.stringify(response)).not.toContain(SECRET_MARKER);
    }
  });

  it('returns the top `limit` prefixes, and nothing for an empty root', async () => {
    const top = await etcd.prefixCounts('/registry', { limit: 2 });
    expect(top).toEqual([
      { prefix: '/registry/events/', keys: 120 },
      { prefix: '/registry/pods/', keys: 30 },
    ]);
    expect(await etcd.prefixCounts('/nothing-here/')).toEqual([]);
  });

  it('fails fast for a stopped member while the others answer, and recovers when it is back', async () => {
    const victim = cluster.members[2]!;
    await cluster.stopMember(victim.name);
    // The stopped member first: cluster-wide calls must move on to the next endpoint.
    const reader = createEtcdReader({
      endpoints: [victim.clientUrl, ...cluster.endpoints.slice(0, 2)],
      requestTimeoutMs: TIMEOUT_MS,
    });
    try {
      for (let attempt = 0; attempt < 4; attempt++) {
        const started = Date.now();
        const failure = await reader.status(victim.clientUrl).catch((error: unknown) => error);
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 500);
        expect(failure).toBeInstanceOf(EtcdUnreachableError);
        expect((failure as Error).message).toContain(victim.clientUrl);
        expect((failure as Error).message).toMatch(/status failed: .*Check etcd\.endpoints/);
      }
      const health = await reader.health(victim.clientUrl);
      expect(health).toMatchObject({ endpoint: victim.clientUrl, healthy: false });
      expect(health.error).toBeTruthy();
      expect(health.tookMs).toBeLessThan(TIMEOUT_MS + 500);

      for (const endpoint of cluster.endpoints.slice(0, 2)) {
        expect((await reader.status(endpoint)).endpoint).toBe(endpoint);
        expect((await reader.health(endpoint)).healthy).toBe(true);
      }
      expect(await reader.members()).toHaveLength(3);
      expect(await reader.alarms()).toEqual([]);
      expect((await reader.prefixCounts('/registry/', { limit: 1 }))[0]?.prefix).toBe('/registry/events/');
    } finally {
      await cluster.startMember(victim.name);
    }
    try {
      // Four failures above would have opened etcd3's default circuit breaker for 5 s: the facade has none.
      expect((await reader.status(victim.clientUrl)).endpoint).toBe(victim.clientUrl);
      expect((await reader.health(victim.clientUrl)).healthy).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('gives up on a member that accepts connections but never answers, within the request timeout', async () => {
    const hole = await startBlackhole();
    const reader = createEtcdReader({ endpoints: [hole.url], requestTimeoutMs: 300 });
    try {
      const started = Date.now();
      await expect(reader.status(hole.url)).rejects.toThrow(`Cannot reach etcd at ${hole.url}: status failed`);
      expect(Date.now() - started).toBeLessThan(1_500);
      const health = await reader.health(hole.url);
      expect(health.healthy).toBe(false);
      expect(health.tookMs).toBeLessThan(1_500);
      await expect(reader.alarms()).rejects.toBeInstanceOf(EtcdUnreachableError);
    } finally {
      await reader.close();
      await hole.close();
    }
  });

  it('exposes exactly the read-only port: no write, delete, compact, defragment, disarm or value read', () => {
    const names = new Set<string>();
    for (
      let object: object | null = etcd;
      object !== null && object !== Object.prototype;
      object = Object.getPrototypeOf(object)
    ) {
      for (const key of Reflect.ownKeys(object)) names.add(String(key));
    }
    expect([...names].sort()).toEqual([...ETCD_READER_METHODS]);
    // clientCertificate returns the configured certificate's public facts (never its key), not an etcd client.
    const forbidden =
      /put|delete|del$|compact|defrag|disarm|deactivate|activate|txn|get|value|watch|lease|snapshot|client(?!Certificate$)|kv|raw/i;
    expect([...names].filter((name) => forbidden.test(name))).toEqual([]);
    expect(Object.isFrozen(etcd)).toBe(true);
    expect(() => Object.assign(etcd, { put: () => undefined })).toThrow(TypeError);
  });

  it('refuses to be used after close()', async () => {
    const reader = createEtcdReader({ endpoints: cluster.endpoints });
    await reader.status(cluster.endpoints[0]!);
    await reader.close();
    await expect(reader.status(cluster.endpoints[0]!)).rejects.toBeInstanceOf(EtcdRequestError);
    await expect(reader.members()).rejects.toThrow('closed');
  });
});
