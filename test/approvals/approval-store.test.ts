import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../../src/core/redis-client.js';
import { RefusalReason } from '../../src/approvals/approval-errors.js';
import { ApprovalStore } from '../../src/approvals/approval-store.js';
import { AuditLog } from '../../src/approvals/audit-log.js';
import { newApproval, planLine } from '../../src/approvals/new-approval.js';
import { closeRedis, createRedis } from '../../src/queue/redis-connection.js';
import { nospace } from '../render/fixtures.js';
import { startRedis, type RedisService } from '../helpers/services.js';

const APPROVERS = {
  users: ['U0APPROVER1', 'U0APPROVER2'],
  groups: [],
  required: 1,
  allowSelfApproval: false,
  expiresMinutes: 15,
};

describe('ApprovalStore: approval records in Redis', () => {
  let redis: RedisService;
  let connection: RedisClient;
  let clock = new Date('2026-12-02T03:00:00Z');

  beforeAll(async () => {
    redis = await startRedis();
    connection = createRedis({ url: redis.url, prefix: '{quorum}' }, 'worker');
  });
  afterAll(async () => {
    await closeRedis(connection);
    await redis?.stop();
  });

  /** A store with its own prefix (one per test) and a clock the test moves. */
  function fresh(options: { required?: number; allowSelfApproval?: boolean } = {}) {
    const prefix = `{t-${randomUUID().slice(0, 8)}}`;
    const audit = new AuditLog({ connection, prefix, maxEntries: 1000 });
    const store = new ApprovalStore({ connection, prefix, audit, now: () => clock });
    const record = newApproval({
      cluster: 'prod-eu-1',
      runId: 'r-mfz1k2a0-1a2b3c4d',
      findingTitle: nospace.title,
      proposals: [...(nospace.proposals ?? [])].reverse(),
      reason: 'NOSPACE since 03:00, writes refused',
      requestedBy: 'U0ONCALL1',
      approvers: { ...APPROVERS, ...options },
      now: clock,
    });
    return { store, audit, record };
  }

  it('keeps the plan in execution order and audits the request with it', async () => {
    const { store, audit, record } = fresh();
    await store.create(record, planLine(record.plan));
    expect(record.plan.map((step) => step.action)).toEqual(['etcd.compact', 'etcd.defrag', 'etcd.disarm']);
    const [entry] = await audit.read();
    expect(entry).toMatchObject({
      action: 'approval.request',
      actor: 'U0ONCALL1',
      cluster: 'prod-eu-1',
      approvalId: record.id,
      outcome: 'pending',
      plan: expect.stringContaining('defrag etcd-b → etcd-c → etcd-a (leader)'),
    });
  });

  it('refuses self-approval and a second click by the same approver, and approves with N distinct approvers', async () => {
    const { store, audit, record } = fresh({ required: 2 });
    await store.create(record, planLine(record.plan));
    const self = await store.apply(record.id, { kind: 'approve', by: 'U0ONCALL1' });
    expect(self).toMatchObject({ ok: false, error: { reason: RefusalReason.SelfApproval } });
    expect((await store.apply(record.id, { kind: 'approve', by: 'U0APPROVER1' })).ok).toBe(true);
    expect((await store.get(record.id))?.state).toBe('pending');
    const again = await store.apply(record.id, { kind: 'approve', by: 'U0APPROVER1' });
    expect(again).toMatchObject({ ok: false, error: { reason: RefusalReason.AlreadyApproved } });
    const second = await store.applyOrThrow(record.id, { kind: 'approve', by: 'U0APPROVER2' });
    expect(second).toMatchObject({ state: 'approved', decidedBy: 'U0APPROVER2' });
    expect(second.approvals.map((approval) => approval.by)).toEqual(['U0APPROVER1', 'U0APPROVER2']);
    const outcomes = (await audit.read()).reverse().map((entry) => `${entry.action} ${entry.actor} ${entry.outcome}`);
    expect(outcomes).toEqual([
      'approval.request U0ONCALL1 pending',
      'approval.approve U0ONCALL1 refused: self-approval',
      'approval.approve U0APPROVER1 approval 1 of 2',
      'approval.approve U0APPROVER1 refused: already approved by this user',
      'approval.approve U0APPROVER2 approved',
    ]);
  });

  it('expires a request clicked too late, records the expiry, and refuses it', async () => {
    const { store, audit, record } = fresh();
    await store.create(record, planLine(record.plan));
    clock = new Date(clock.getTime() + 16 * 60_000);
    const late = await store.apply(record.id, { kind: 'approve', by: 'U0APPROVER1' });
    expect(late).toMatchObject({ ok: false, error: { reason: RefusalReason.Expired } });
    expect((await store.get(record.id))?.state).toBe('expired');
    expect((await audit.read({ limit: 1 }))[0]).toMatchObject({
      action: 'approval.approve',
      outcome: 'refused: expired',
    });
    expect(await store.apply(record.id, { kind: 'claim', executor: 'x', fencingToken: 1 })).toMatchObject({
      ok: false,
      error: { reason: RefusalReason.NotApproved },
    });
  });

  it('ends a denied request: neither approval nor execution afterwards', async () => {
    const { store, record } = fresh();
    await store.create(record, planLine(record.plan));
    expect((await store.applyOrThrow(record.id, { kind: 'deny', by: 'U0APPROVER2' })).state).toBe('denied');
    expect(await store.apply(record.id, { kind: 'approve', by: 'U0APPROVER1' })).toMatchObject({
      ok: false,
      error: { reason: RefusalReason.NotPending },
    });
    expect(await store.apply(record.id, { kind: 'claim', executor: 'x', fencingToken: 1 })).toMatchObject({
      ok: false,
    });
  });

  it('is consumed exactly once: of 10 executors claiming at once, one wins', async () => {
    const { store, record } = fresh();
    await store.create(record, planLine(record.plan));
    await store.applyOrThrow(record.id, { kind: 'approve', by: 'U0APPROVER1' });
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        store.apply(record.id, { kind: 'claim', executor: `e-${index}`, fencingToken: index + 1 }),
      ),
    );
    expect(claims.filter((claim) => claim.ok)).toHaveLength(1);
    expect(
      claims.filter((claim) => !claim.ok).every((claim) => !claim.ok && claim.error.reason === RefusalReason.Consumed),
    ).toBe(true);
    const claimed = await store.get(record.id);
    expect(claimed?.state).toBe('executing');
    const done = await store.applyOrThrow(record.id, {
      kind: 'finish',
      outcome: 'done',
      by: claimed?.execution?.executor ?? '',
      note: 'ok',
    });
    expect(done.history.map((step) => step.state)).toEqual(['pending', 'approved', 'executing', 'done']);
    expect(await store.apply(record.id, { kind: 'claim', executor: 'late', fencingToken: 99 })).toMatchObject({
      ok: false,
      error: { reason: RefusalReason.Consumed },
    });
  });

  it('refuses anything on a record that does not exist', async () => {
    const { store } = fresh();
    expect(await store.apply('a-zzzz-00000000', { kind: 'claim', executor: 'x', fencingToken: 1 })).toMatchObject({
      ok: false,
      error: { reason: RefusalReason.Missing },
    });
  });

  it('keeps the audit stream bounded', async () => {
    const prefix = `{t-${randomUUID().slice(0, 8)}}`;
    const audit = new AuditLog({ connection, prefix, maxEntries: 10 });
    for (let index = 0; index < 300; index++) {
      await audit.append({
        at: new Date().toISOString(),
        action: 'command.test',
        actor: 'U0X',
        outcome: String(index),
      });
    }
    // MAXLEN ~ trims whole radix-tree nodes (100 entries by default): bounded, not exact.
    expect(await connection.xlen(audit.key)).toBeLessThanOrEqual(110);
    expect((await audit.read({ limit: 1 }))[0]?.outcome).toBe('299');
  });
});
