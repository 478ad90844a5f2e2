import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../core/redis-client.js';
import { QuorumError, ErrorCode } from '../core/errors.js';
import { ApprovalRefusedError, RefusalReason } from './approval-errors.js';
import { ApprovalRecordSchema, type ApprovalRecord, type ApprovalRecordInput } from './approval-record.js';
import { applyApprovalEvent, type ApprovalEvent, type AuditFacts } from './approval-transitions.js';
import type { AuditEntry } from './audit-entry.js';
import { auditFields, type AuditLog } from './audit-log.js';

export interface ApprovalStoreOptions {
  connection: RedisClient;
  prefix: string;
  audit: AuditLog;
  /** How long a record is kept after its last change (s). @defaultValue 30 days */
  retentionSeconds?: number;
  /** The clock, for tests of expiry. @defaultValue () => new Date() */
  now?: () => Date;
}

/**
 * Compare-and-set of one record plus its audit entry, in one atomic script: the record is written only if its
 * version is still the one the change was computed from (`''`: only if it does not exist yet), and the audit entry
 * is appended in the same step, so the trail can never disagree with the records. Both keys share the prefix's
 * hash tag, so this works on Redis Cluster too.
 */
const COMPARE_AND_SET = `
local current = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] == '' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'json', ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
redis.call('XADD', KEYS[2], 'MAXLEN', '~', tonumber(ARGV[5]), '*', unpack(ARGV, 6))
return 1
`;

/** A new approval id: `a-<base36 ms>-<8 hex>`. */
export function newApprovalId(now = new Date()): string {
  return `a-${now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** A transition that made its change (or refused one, possibly after recording an expiry). */
export type ApplyOutcome =
  { ok: true; record: ApprovalRecord } | { ok: false; error: ApprovalRefusedError; record?: ApprovalRecord };

/**
 * Approval records in Redis. Every change goes through {@link apply}: read, compute the next state with the pure
 * state machine, compare-and-set on the version. Two clicks, two executors or a restart racing on one record: one
 * wins, the other recomputes from the winner's record and is refused (e.g. "already consumed").
 */
export class ApprovalStore {
  private readonly retentionSeconds: number;
  private readonly now: () => Date;

  constructor(private readonly options: ApprovalStoreOptions) {
    this.retentionSeconds = options.retentionSeconds ?? 30 * 24 * 3_600;
    this.now = options.now ?? (() => new Date());
  }

  private key(id: string): string {
    return `${this.options.prefix}:approval:${id}`;
  }

  /** Requests that can still expire (pending, or approved and not started), by their deadline. */
  private get deadlines(): string {
    return `${this.options.prefix}:approval-deadlines`;
  }

  /** Keeps the deadline index in step with a record: only the two states that can expire are in it. */
  private async index(record: ApprovalRecord): Promise<void> {
    if (record.state === 'pending' || record.state === 'approved') {
      await this.options.connection.zadd(this.deadlines, Date.parse(record.expiresAt), record.id);
    } else {
      await this.options.connection.zrem(this.deadlines, record.id);
    }
  }

  /** Approved requests not yet started (still in the deadline index), oldest deadline first. */
  async approvedWaiting(limit = 100): Promise<ApprovalRecord[]> {
    const ids = await this.options.connection.zrange(this.deadlines, '0', String(limit - 1));
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((record): record is ApprovalRecord => record?.state === 'approved');
  }

  /**
   * Expires every request past its deadline that nobody touched (a late click would expire it too), and returns
   * the records that expired now, so their messages can say so.
   */
  async expireDue(): Promise<ApprovalRecord[]> {
    const due = await this.options.connection.zrangebyscore(
      this.deadlines,
      '-inf',
      this.now().getTime(),
      'LIMIT',
      0,
      100,
    );
    const expired: ApprovalRecord[] = [];
    for (const id of due) {
      const outcome = await this.apply(id, { kind: 'expire' });
      if (outcome.ok) expired.push(outcome.record);
      else await this.options.connection.zrem(this.deadlines, id);
    }
    return expired;
  }

  private entry(record: ApprovalRecord, facts: AuditFacts, extra: Partial<AuditEntry> = {}): AuditEntry {
    return {
      at: this.now().toISOString(),
      cluster: record.cluster,
      approvalId: record.id,
      runId: record.runId,
      ...facts,
      ...(facts.detail === undefined ? {} : { detail: facts.detail }),
      ...extra,
    };
  }

  private async compareAndSet(
    expected: number | undefined,
    record: ApprovalRecord,
    entry: AuditEntry,
  ): Promise<boolean> {
    const written = await this.options.connection.eval(
      COMPARE_AND_SET,
      2,
      this.key(record.id),
      this.options.audit.key,
      expected === undefined ? '' : String(expected),
      String(record.version),
      JSON.stringify(record),
      String(this.retentionSeconds),
      String(this.options.audit.maxEntries),
      ...auditFields(entry),
    );
    if (written === 1) this.options.audit.logged(entry);
    return written === 1;
  }

  /** Stores a new request (state `pending`) and audits it. */
  async create(input: ApprovalRecordInput, plan: string): Promise<ApprovalRecord> {
    const record = ApprovalRecordSchema.parse(input);
    const created = await this.compareAndSet(
      undefined,
      record,
      this.entry(
        record,
        { action: 'approval.request', actor: record.requestedBy, outcome: record.state, detail: record.reason },
        { plan },
      ),
    );
    if (!created) throw new QuorumError(ErrorCode.Internal, `Approval ${record.id} exists already (an id collision).`);
    await this.index(record);
    return record;
  }

  async get(id: string): Promise<ApprovalRecord | undefined> {
    const [, json] = await this.read(id);
    return json;
  }

  private async read(id: string): Promise<[number | undefined, ApprovalRecord | undefined]> {
    const [version, json] = await this.options.connection.hmget(this.key(id), 'v', 'json');
    if (version === null || json === null) return [undefined, undefined];
    const parsed = ApprovalRecordSchema.safeParse(JSON.parse(json));
    return parsed.success ? [Number(version), parsed.data] : [undefined, undefined];
  }

  /**
   * Applies an event atomically. A refusal that changed nothing writes nothing but its audit entry; a refusal that
   * changed the record (a late click expired it) writes the change with its entry.
   */
  async apply(id: string, event: ApprovalEvent): Promise<ApplyOutcome> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const [version, record] = await this.read(id);
      if (version === undefined || !record) {
        return {
          ok: false,
          error: new ApprovalRefusedError(
            RefusalReason.Missing,
            `No approval ${id}: it never existed or its record was removed. Nothing runs without one.`,
          ),
        };
      }
      const result = applyApprovalEvent(record, event, this.now());
      if (result.record !== record) {
        const facts = result.audit ?? { action: event.kind, actor: 'quorum', outcome: result.ok ? 'ok' : 'refused' };
        if (!(await this.compareAndSet(version, result.record, this.entry(result.record, facts)))) continue;
        if (result.record.state !== record.state || result.record.expiresAt !== record.expiresAt) {
          await this.index(result.record);
        }
      } else if (result.audit) {
        await this.options.audit.append(this.entry(record, result.audit));
      }
      return result.ok
        ? { ok: true, record: result.record }
        : { ok: false, error: new ApprovalRefusedError(result.reason, result.message), record: result.record };
    }
    throw new QuorumError(
      ErrorCode.Internal,
      `Approval ${id} kept changing under 20 attempts to update it; try again.`,
      {
        retryable: true,
      },
    );
  }

  /** {@link apply}, throwing the refusal. */
  async applyOrThrow(id: string, event: ApprovalEvent): Promise<ApprovalRecord> {
    const outcome = await this.apply(id, event);
    if (!outcome.ok) throw outcome.error;
    return outcome.record;
  }
}
