import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RedisClient } from '../../src/core/redis-client.js';
import { AlertEpisodes, type AdmitInput } from '../../src/alerts/alert-episodes.js';
import { closeRedis, createRedis } from '../../src/queue/redis-connection.js';
import { startRedis, type RedisService } from '../helpers/services.js';

const MINUTE = 60_000;
const T0 = new Date('2026-12-02T06:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('alert episodes in Redis: one run per window, notes, hourly cap, resolution', () => {
  let redis: RedisService;
  let connection: RedisClient;
  let second: RedisClient;

  beforeAll(async () => {
    redis = await startRedis();
    connection = createRedis({ url: redis.url, prefix: '{t}' }, 'worker');
    second = createRedis({ url: redis.url, prefix: '{t}' }, 'worker');
  });
  afterAll(async () => {
    await closeRedis(connection);
    await closeRedis(second);
    await redis?.stop();
  });

  // A unique prefix per test: no state leaks from one to the next.
  const episodes = (options: Partial<ConstructorParameters<typeof AlertEpisodes>[0]> = {}, on = connection) =>
    new AlertEpisodes({
      connection: on,
      prefix: `{t-${randomBytes(4).toString('hex')}}`,
      windowMs: 10 * MINUTE,
      maxRunsPerClusterPerHour: 20,
      noteIntervalMs: MINUTE,
      ...options,
    });
  const input = (runId: string, now: Date, fingerprints = ['f1'], extra: Partial<AdmitInput> = {}): AdmitInput => ({
    cluster: 'prod-eu',
    playbook: 'etcd-db-growth',
    runId,
    fingerprints,
    startsAt: T0,
    truncated: 0,
    now,
    ...extra,
  });

  it('starts one run per window; repeats count distinct alerts and get a note at most once per interval', async () => {
    const store = episodes();
    expect(await store.admit(input('r-1', at(0)))).toEqual({ kind: 'new', runId: 'r-1', count: 1 });
    await store.markStarted('prod-eu', 'etcd-db-growth', 'r-1');
    await store.setMessage('prod-eu', 'etcd-db-growth', 'r-1', 'C0X', '1.2');
    expect(await store.admit(input('r-2', at(10_000), ['f1', 'f2']))).toEqual({
      kind: 'repeat',
      runId: 'r-1',
      count: 2,
      note: false,
      started: true,
      firingAgain: false,
      channel: 'C0X',
      messageTs: '1.2',
    });
    expect(await store.admit(input('r-3', at(MINUTE + 1), ['f2', 'f3']))).toMatchObject({ count: 3, note: true });
    expect(await store.admit(input('r-4', at(MINUTE + 2)))).toMatchObject({ count: 3, note: false });
    // The window is over: the next alert starts a new run, and the last run's thread is pointed at it.
    expect(await store.admit(input('r-5', at(10 * MINUTE + 1)))).toEqual({
      kind: 'new',
      runId: 'r-5',
      count: 1,
      previous: { runId: 'r-1', channel: 'C0X', messageTs: '1.2' },
    });
  });

  it('counts the alerts Alertmanager left out (truncatedAlerts)', async () => {
    const store = episodes();
    expect(await store.admit(input('r-1', at(0), ['f1', 'f2'], { truncated: 8 }))).toMatchObject({
      kind: 'new',
      count: 10,
    });
  });

  it('decides once among concurrent replicas: exactly one new run', async () => {
    const prefix = `{t-${randomBytes(4).toString('hex')}}`;
    const options = { prefix, windowMs: 10 * MINUTE, maxRunsPerClusterPerHour: 20, noteIntervalMs: MINUTE };
    const a = new AlertEpisodes({ connection, ...options });
    const b = new AlertEpisodes({ connection: second, ...options });
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        (index % 2 ? a : b).admit(input(`r-${index}`, at(index), [`f${index % 7}`])),
      ),
    );
    expect(decisions.filter((decision) => decision.kind === 'new')).toHaveLength(1);
  });

  it('caps new runs per cluster and clock hour', async () => {
    const store = episodes({ maxRunsPerClusterPerHour: 2 });
    const playbooks = ['a', 'b', 'c'];
    const decisions = [];
    for (const playbook of playbooks)
      decisions.push(await store.admit(input(`r-${playbook}`, at(0), ['f'], { playbook })));
    expect(decisions.map((decision) => decision.kind)).toEqual(['new', 'new', 'capped']);
    expect(await store.admit(input('r-d', at(60 * MINUTE), ['f'], { playbook: 'c' }))).toMatchObject({ kind: 'new' });
  });

  it('resolves once every alert that fired has resolved, with when it started firing', async () => {
    const store = episodes();
    await store.admit(input('r-1', at(0), ['f1', 'f2'], { startsAt: at(-5 * MINUTE) }));
    await store.setMessage('prod-eu', 'etcd-db-growth', 'r-1', 'C0X', '1.2');
    expect(await store.resolve('prod-eu', 'etcd-db-growth', ['f1'], at(MINUTE))).toEqual({
      kind: 'firing',
      runId: 'r-1',
      stillFiring: 1,
    });
    expect(await store.resolve('prod-eu', 'etcd-db-growth', ['f2'], at(2 * MINUTE))).toEqual({
      kind: 'resolved',
      runId: 'r-1',
      firstStartsAt: at(-5 * MINUTE),
      resolvedAt: at(2 * MINUTE),
      channel: 'C0X',
      messageTs: '1.2',
    });
    // Processed twice (a replayed entry): resolved once.
    expect(await store.resolve('prod-eu', 'etcd-db-growth', ['f2'], at(2 * MINUTE))).toEqual({
      kind: 'already',
      runId: 'r-1',
    });
    expect(await store.resolve('prod-eu', 'etcd-db-growth', ['zz'], at(2 * MINUTE))).toMatchObject({ kind: 'already' });
    // Firing again within the window: a note, not a run.
    expect(await store.admit(input('r-2', at(3 * MINUTE)))).toMatchObject({
      kind: 'repeat',
      runId: 'r-1',
      firingAgain: true,
      note: true,
    });
  });

  it("points a new window's run back at the last one while its alerts still fire, and not once they resolved", async () => {
    const store = episodes();
    await store.admit(input('r-1', at(0), ['f1']));
    await store.setMessage('prod-eu', 'etcd-db-growth', 'r-1', 'C0X', '1.2');
    expect(await store.admit(input('r-2', at(10 * MINUTE + 1), ['f1']))).toEqual({
      kind: 'new',
      runId: 'r-2',
      count: 1,
      previous: { runId: 'r-1', channel: 'C0X', messageTs: '1.2' },
    });
    await store.setMessage('prod-eu', 'etcd-db-growth', 'r-2', 'C0X', '3.4');
    await store.resolve('prod-eu', 'etcd-db-growth', ['f1'], at(11 * MINUTE));
    // Resolved before the next window: the new run starts a fresh story.
    expect(await store.admit(input('r-3', at(30 * MINUTE), ['f1']))).toEqual({ kind: 'new', runId: 'r-3', count: 1 });
  });

  it('ignores a resolve for a pair that never fired', async () => {
    expect(await episodes().resolve('prod-eu', 'etcd-db-growth', ['f1'], at(0))).toEqual({ kind: 'none' });
  });

  it('lets one caller take over a start that was never finished, after its lease', async () => {
    const store = episodes();
    await store.admit(input('r-1', at(0)));
    expect(await store.claimStart('prod-eu', 'etcd-db-growth', 'r-1', at(1_000))).toBe(false);
    const claims = await Promise.all(
      [1, 2, 3].map(() => store.claimStart('prod-eu', 'etcd-db-growth', 'r-1', at(31_000))),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    await store.markStarted('prod-eu', 'etcd-db-growth', 'r-1');
    expect(await store.claimStart('prod-eu', 'etcd-db-growth', 'r-1', at(120_000))).toBe(false);
  });
});
