import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../core/redis-client.js';
import {
  AlertNotificationSchema,
  CompiledPayloadSchema,
  normalizeNotification,
  type AlertNotification,
} from './alertmanager-payload.js';

/** One accepted notification waiting in the inbox. */
export interface InboxEntry {
  id: string;
  notification: AlertNotification;
}

export interface AlertInboxOptions {
  /** Key prefix (`redis.prefix`): the stream is `<prefix>:alerts:inbox`. */
  prefix: string;
}

const GROUP = 'processors';
/** An entry's fields: the webhook body as Alertmanager sent it, and when it was received (ISO 8601). */
const PAYLOAD = 'p';
const RECEIVED_AT = 'at';
/** The field of entries written by earlier versions: the normalized notification as JSON. Still read. */
const NOTIFICATION = 'n';

/**
 * Accepted Alertmanager notifications, durably, until they are processed: a Redis stream read through one consumer
 * group, so several bot replicas share the work and an entry a replica took but never finished (it died) is taken
 * over by another. The webhook answers 200 only once the entry is in Redis; everything slow happens after.
 */
export class AlertInbox {
  readonly key: string;

  constructor(options: AlertInboxOptions) {
    this.key = `${options.prefix}:alerts:inbox`;
  }

  /**
   * Appends a notification: the webhook body as it came (already checked against the payload schema), bytes as they
   * are, so the webhook neither normalizes nor serializes it again under a storm; it is parsed when read. Resolves
   * once Redis has it (the caller answers 503 if this throws).
   */
  async accept(connection: RedisClient, payload: Buffer | string, receivedAt: Date): Promise<string> {
    const id = await connection.xadd(this.key, '*', RECEIVED_AT, receivedAt.toISOString(), PAYLOAD, payload);
    return id as string;
  }

  /** Creates the consumer group (from the stream's start, so entries accepted before any processor ran count). */
  async ensureGroup(connection: RedisClient): Promise<void> {
    try {
      await connection.xgroup('CREATE', this.key, GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
  }

  /** New entries for this consumer, waiting up to `blockMs` for some. */
  async read(connection: RedisClient, consumer: string, count: number, blockMs: number): Promise<InboxEntry[]> {
    const answer = (await connection.xreadgroup(
      'GROUP',
      GROUP,
      consumer,
      'COUNT',
      count,
      'BLOCK',
      blockMs,
      'STREAMS',
      this.key,
      '>',
    )) as [string, [string, string[]][]][] | null;
    return parseEntries(answer?.[0]?.[1] ?? []);
  }

  /**
   * Entries another consumer (or this one, after a failure) took and has not acknowledged for `minIdleMs`: taken over
   * by `consumer`. Entries deleted meanwhile are skipped.
   */
  async reclaim(connection: RedisClient, consumer: string, minIdleMs: number, count: number): Promise<InboxEntry[]> {
    const answer = (await connection.xautoclaim(this.key, GROUP, consumer, minIdleMs, '0-0', 'COUNT', count)) as [
      string,
      [string, string[]][],
    ];
    return parseEntries(answer[1].filter((entry) => Array.isArray(entry?.[1])));
  }

  /** Done with entries: acknowledged and removed, so the stream holds only unfinished work. */
  async done(connection: RedisClient, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await connection
      .multi()
      .xack(this.key, GROUP, ...ids)
      .xdel(this.key, ...ids)
      .exec();
  }

  /** Entries accepted and not yet done (for tests and metrics). */
  async backlog(connection: RedisClient): Promise<number> {
    return connection.xlen(this.key);
  }
}

/** A field's value: fields come as name, value, name, value… */
function field(fields: readonly string[], name: string): string | undefined {
  for (let index = 0; index + 1 < fields.length; index += 2) if (fields[index] === name) return fields[index + 1];
  return undefined;
}

/** The notification an entry holds, or undefined when it holds none Quorum can read. */
function notificationOf(fields: readonly string[]): AlertNotification | undefined {
  try {
    const payload = field(fields, PAYLOAD);
    if (payload !== undefined) {
      const parsed = CompiledPayloadSchema.safeParse(JSON.parse(payload));
      if (!parsed.success) return undefined;
      const receivedAt = new Date(field(fields, RECEIVED_AT) ?? NaN);
      return normalizeNotification(parsed.data, Number.isNaN(receivedAt.getTime()) ? new Date() : receivedAt);
    }
    const notification = field(fields, NOTIFICATION);
    if (notification === undefined) return undefined;
    const parsed = AlertNotificationSchema.safeParse(JSON.parse(notification));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function parseEntries(raw: [string, string[]][]): InboxEntry[] {
  // An entry Quorum cannot read (written by another version) is still handed on, empty, so it gets acknowledged.
  return raw.map(([id, fields]) => ({
    id,
    notification: notificationOf(fields) ?? {
      receivedAt: new Date().toISOString(),
      status: 'firing',
      truncatedAlerts: 0,
      alerts: [],
    },
  }));
}

/** A consumer name unique to this process: host, pid and a random part (pids repeat across containers). */
export function consumerName(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
