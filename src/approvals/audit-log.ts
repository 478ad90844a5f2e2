import type { RedisClient } from '../core/redis-client.js';
import type { Logger } from '../core/logger.js';
import { AuditEntrySchema, type AuditEntry } from './audit-entry.js';

export interface AuditLogOptions {
  connection: RedisClient;
  /** Key prefix (`redis.prefix`). */
  prefix: string;
  /** Entries kept (approximately: Redis trims whole nodes). @defaultValue 100000 */
  maxEntries?: number;
  /** Every entry is also logged here, as structured JSON. */
  log?: Logger;
}

/** The Redis stream of the audit trail. */
export function auditStreamKey(prefix: string): string {
  return `${prefix}:audit`;
}

/** An entry as stream fields: one JSON field, so a reader gets back exactly what was written. */
export function auditFields(entry: AuditEntry): string[] {
  return ['json', JSON.stringify(entry)];
}

/**
 * The audit trail: a Redis stream bounded by `maxEntries` (oldest dropped first), mirrored to the structured log.
 * Approval transitions append to it atomically with the change they record (see ApprovalStore); everything else
 * (commands, refusals that changed nothing) appends here.
 */
export class AuditLog {
  readonly maxEntries: number;

  constructor(private readonly options: AuditLogOptions) {
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  get key(): string {
    return auditStreamKey(this.options.prefix);
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.options.connection.xadd(this.key, 'MAXLEN', '~', this.maxEntries, '*', ...auditFields(entry));
    this.logged(entry);
  }

  /** Mirrors an entry that was appended elsewhere (inside a transition's script) to the log. */
  logged(entry: AuditEntry): void {
    this.options.log?.info({ audit: entry }, `audit ${entry.action} ${entry.outcome}`);
  }

  /**
   * Entries newest first: since `since` (default: all kept), of one cluster or all, at most `limit`.
   */
  async read(options: { since?: Date; cluster?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const limit = options.limit ?? 100;
    const min = options.since ? `${options.since.getTime()}-0` : '-';
    const found: AuditEntry[] = [];
    let max = '+';
    // Read in pages, filtering by cluster, until enough entries or the stream's start.
    for (;;) {
      const page = await this.options.connection.xrevrange(this.key, max, min, 'COUNT', 500);
      for (const [id, fields] of page) {
        const index = fields.indexOf('json');
        const parsed = AuditEntrySchema.safeParse(index >= 0 ? JSON.parse(fields[index + 1] ?? 'null') : null);
        if (!parsed.success) continue;
        if (options.cluster && parsed.data.cluster !== options.cluster) continue;
        found.push({ ...parsed.data, id });
        if (found.length >= limit) return found;
      }
      if (page.length < 500) return found;
      const last = page[page.length - 1]?.[0] as string;
      const [ms, seq] = last.split('-').map(Number) as [number, number];
      max = seq > 0 ? `${ms}-${seq - 1}` : `${ms - 1}-18446744073709551615`;
    }
  }
}
