import type { RedisClient } from '../core/redis-client.js';
import type { DiagnosisReport } from '../diagnosis/diagnosis-report.js';
import { DiagnosisReportSchema } from '../diagnosis/diagnosis-report.js';
import { RunRecordSchema, RunResolutionSchema, type RunRecord, type RunResolution } from './run-record.js';

export interface RunRecordsOptions {
  connection: RedisClient;
  prefix: string;
  /** Runs kept in the history, newest first. @defaultValue 1000 */
  maxRuns?: number;
  /** How long a run's record and report are kept (s). @defaultValue 7 days */
  retentionSeconds?: number;
}

/**
 * Run records and reports in Redis, for `status`, `history`, approvals (which look a proposal up in its run's
 * report) and a worker taking a run over. Each record is one key with a TTL; the history is a sorted set per
 * cluster and one for all, trimmed to `maxRuns` on every write.
 */
export class RunRecords {
  private readonly maxRuns: number;
  private readonly retentionSeconds: number;

  constructor(private readonly options: RunRecordsOptions) {
    this.maxRuns = options.maxRuns ?? 1_000;
    this.retentionSeconds = options.retentionSeconds ?? 7 * 24 * 3_600;
  }

  private key(...parts: string[]): string {
    return [this.options.prefix, ...parts].join(':');
  }

  /** Creates or replaces a run's record and indexes it. */
  async save(record: RunRecord): Promise<void> {
    const score = Date.parse(record.requestedAt) || Date.now();
    const all = this.key('runs');
    const cluster = this.key('runs', 'cluster', record.cluster);
    await this.options.connection
      .multi()
      .set(this.key('run', record.runId), JSON.stringify(record), 'EX', this.retentionSeconds)
      .zadd(all, score, record.runId)
      .zadd(cluster, score, record.runId)
      .zremrangebyrank(all, 0, -this.maxRuns - 1)
      .zremrangebyrank(cluster, 0, -this.maxRuns - 1)
      .exec();
  }

  /** Merges `changes` into a run's record; does nothing when the record is gone. Returns the new record. */
  async update(runId: string, changes: Partial<RunRecord>): Promise<RunRecord | undefined> {
    const current = await this.get(runId);
    if (!current) return undefined;
    const next = RunRecordSchema.parse({ ...current, ...changes });
    await this.options.connection.set(this.key('run', runId), JSON.stringify(next), 'EX', this.retentionSeconds);
    return next;
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const text = await this.options.connection.get(this.key('run', runId));
    if (!text) return undefined;
    const parsed = RunRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  }

  /** The newest runs, of one cluster or all; records past their retention are skipped. */
  async history(options: { cluster?: string; limit?: number } = {}): Promise<RunRecord[]> {
    const index = options.cluster ? this.key('runs', 'cluster', options.cluster) : this.key('runs');
    const ids = await this.options.connection.zrevrange(index, 0, (options.limit ?? 10) * 2 - 1);
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((record): record is RunRecord => record !== undefined).slice(0, options.limit ?? 10);
  }

  /** Keeps a finished run's report (approvals read its proposals from it). */
  async saveReport(report: DiagnosisReport): Promise<void> {
    await this.options.connection.set(
      this.key('report', report.runId),
      JSON.stringify(report),
      'EX',
      this.retentionSeconds,
    );
  }

  /**
   * Marks an alert run resolved. A key of its own, not a field of the record: the worker rewrites the record while
   * the run goes on, and a read-modify-write there could lose the resolution.
   */
  async setResolution(runId: string, resolution: RunResolution): Promise<void> {
    await this.options.connection.set(
      this.key('resolution', runId),
      JSON.stringify(resolution),
      'EX',
      this.retentionSeconds,
    );
  }

  async resolution(runId: string): Promise<RunResolution | undefined> {
    const text = await this.options.connection.get(this.key('resolution', runId));
    if (!text) return undefined;
    const parsed = RunResolutionSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  }

  async report(runId: string): Promise<DiagnosisReport | undefined> {
    const text = await this.options.connection.get(this.key('report', runId));
    if (!text) return undefined;
    const parsed = DiagnosisReportSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as DiagnosisReport) : undefined;
  }
}
