import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/config-schema.js';

/**
 * How a connection is used decides how it behaves while Redis is away:
 * - `request`: the bot's request paths. Fail at once (no offline queue, one attempt): Slack needs an answer in
 *   3 s, and "queue unavailable, try again" is that answer.
 * - `worker`: BullMQ workers and queue event listeners block on Redis and must keep retrying
 *   (`maxRetriesPerRequest: null`, as BullMQ requires).
 * - `subscriber`: pub/sub (cancellations); retries like a worker.
 */
export type RedisRole = 'request' | 'worker' | 'subscriber';

/** Reconnect quickly at first, then every 2 s: a restarted Redis is picked up without a restart of Quorum. */
function retryStrategy(attempt: number): number {
  return Math.min(100 * attempt, 2_000);
}

export function redisOptions(role: RedisRole): RedisOptions {
  const common: RedisOptions = { retryStrategy, connectTimeout: 2_000, lazyConnect: false };
  return role === 'request'
    ? { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 }
    : { ...common, maxRetriesPerRequest: null };
}

/**
 * A connection to the configured Redis for one role; the caller quits it. `extra` adds options, such as
 * `enableAutoPipelining` for a connection many concurrent requests write through.
 */
export function createRedis(config: RedisConfig, role: RedisRole, extra: RedisOptions = {}): Redis {
  const redis = new Redis(config.url, { ...redisOptions(role), ...extra });
  // Connection errors surface on the commands that fail; an unhandled 'error' event would crash the process.
  redis.on('error', () => undefined);
  return redis;
}

/** Quits a connection, or drops it when Redis is gone (quit would wait for a reply that never comes). */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([
      redis.quit(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('quit timed out')), 1_000).unref()),
    ]);
  } catch {
    redis.disconnect();
  }
}
