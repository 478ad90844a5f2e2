import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/config-schema.js';
import type { RedisClient } from '../core/redis-client.js';

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

/**
 * A primary demoted by a failover may keep our connection open and answer writes with READONLY: reconnect (through
 * Sentinel, to the new primary) and send the command again (2) instead of failing it.
 */
function reconnectOnError(error: Error): 2 | false {
  return error.message.startsWith('READONLY') ? 2 : false;
}

export function redisOptions(role: RedisRole): RedisOptions {
  const common: RedisOptions = { retryStrategy, connectTimeout: 2_000, lazyConnect: false, reconnectOnError };
  return role === 'request'
    ? { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 }
    : { ...common, maxRetriesPerRequest: null };
}

/** Host, port and TLS of a `redis://` / `rediss://` URL (credentials are read separately). */
function endpoint(url: string): { host: string; port: number; tls: boolean } {
  const parsed = new URL(url);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : 6379,
    tls: parsed.protocol === 'rediss:',
  };
}

/** Username, password and database of a Redis URL, as ioredis options. */
function credentials(url: string): Pick<RedisOptions, 'username' | 'password' | 'db'> {
  const parsed = new URL(url);
  const options: Pick<RedisOptions, 'username' | 'password' | 'db'> = {};
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  const db = Number(parsed.pathname.slice(1));
  if (parsed.pathname.length > 1 && Number.isInteger(db)) options.db = db;
  return options;
}

/** Where the configured Redis is, for messages and logs: never with credentials. */
export function describeRedis(config: RedisConfig): string {
  const hosts = (urls: readonly string[]) =>
    urls.map((url) => `${endpoint(url).host}:${endpoint(url).port}`).join(', ');
  if (config.cluster) return `Redis Cluster (${hosts(config.cluster.nodes)})`;
  if (config.sentinel)
    return `the primary "${config.sentinel.name}" of Redis Sentinel (${hosts(config.sentinel.sentinels)})`;
  return `Redis at ${config.url.replace(/\/\/[^@]*@/, '//')}`;
}

function createCluster(config: RedisConfig & { cluster: object }, role: RedisRole, extra: RedisOptions): Cluster {
  const { enableAutoPipelining, ...perNode } = extra;
  const { retryStrategy: _perNodeRetry, enableOfflineQueue, ...nodeOptions } = redisOptions(role);
  void _perNodeRetry; // the cluster reconnects as a whole (clusterRetryStrategy), not node by node
  const first = config.cluster.nodes[0] as string;
  const options: ClusterOptions = {
    clusterRetryStrategy: retryStrategy,
    enableOfflineQueue: enableOfflineQueue ?? true,
    ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
    redisOptions: {
      ...nodeOptions,
      // Credentials and TLS are the cluster's, given once (in the first node's URL).
      ...credentials(first),
      ...(endpoint(first).tls ? { tls: {} } : {}),
      ...perNode,
    },
  };
  // Cluster mode has one database: a /db in the URL would be refused by SELECT on every node.
  delete options.redisOptions?.db;
  return new Cluster(
    config.cluster.nodes.map((url) => ({ host: endpoint(url).host, port: endpoint(url).port })),
    options,
  );
}

function createSentinelClient(
  config: RedisConfig & { sentinel: { name: string; sentinels: string[] } },
  role: RedisRole,
  extra: RedisOptions,
): Redis {
  const sentinels = config.sentinel.sentinels.map((url) => ({ host: endpoint(url).host, port: endpoint(url).port }));
  const sentinelAuth = credentials(config.sentinel.sentinels[0] as string);
  return new Redis({
    ...redisOptions(role),
    ...credentials(config.url),
    ...(endpoint(config.url).tls ? { tls: {} } : {}),
    sentinels,
    name: config.sentinel.name,
    ...(sentinelAuth.username ? { sentinelUsername: sentinelAuth.username } : {}),
    ...(sentinelAuth.password ? { sentinelPassword: sentinelAuth.password } : {}),
    ...(endpoint(config.sentinel.sentinels[0] as string).tls ? { enableTLSForSentinelMode: true } : {}),
    sentinelRetryStrategy: retryStrategy,
    // No `failoverDetector`: its subscriptions to the Sentinels outlive quit() and keep reconnecting to them
    // (checked here: Jest could not exit). A failover reaches us anyway: the demoted primary drops its clients, and
    // a READONLY answer makes us reconnect through the Sentinels (reconnectOnError).
    ...extra,
  });
}

/**
 * A connection to the configured Redis for one role; the caller quits it. `extra` adds options, such as
 * `enableAutoPipelining` for a connection many concurrent requests write through. With `redis.cluster` it is an
 * ioredis Cluster, with `redis.sentinel` a connection to whichever server Sentinel names primary.
 */
export function createRedis(config: RedisConfig, role: RedisRole, extra: RedisOptions = {}): RedisClient {
  const redis: RedisClient = config.cluster
    ? createCluster({ ...config, cluster: config.cluster }, role, extra)
    : config.sentinel
      ? createSentinelClient({ ...config, sentinel: config.sentinel }, role, extra)
      : new Redis(config.url, { ...redisOptions(role), ...extra });
  // Connection errors surface on the commands that fail; an unhandled 'error' event would crash the process.
  redis.on('error', () => undefined);
  return redis;
}

/** Quits a connection, or drops it when Redis is gone (quit would wait for a reply that never comes). */
export async function closeRedis(redis: RedisClient): Promise<void> {
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
