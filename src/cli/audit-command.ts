import { AuditLog } from '../approvals/audit-log.js';
import { auditLine, parseSince } from '../approvals/audit-format.js';
import { loadConfig } from '../config/load-config.js';
import type { RedisClient } from '../core/redis-client.js';
import { ErrorCode, QuorumError, UsageError } from '../core/errors.js';
import { closeRedis, createRedis, describeRedis } from '../queue/redis-connection.js';
import { ExitCode } from './exit-codes.js';

export interface AuditCommandOptions {
  config?: string;
  cluster?: string;
  since: string;
  format: 'text' | 'json';
  limit: number;
}

/** Waits for the connection (a request connection has no offline queue), failing with what to check. */
async function ready(redis: RedisClient, where: string, timeoutMs = 3_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(
        new QuorumError(
          ErrorCode.QueueUnavailable,
          `Cannot reach ${where} within ${timeoutMs} ms: the audit trail lives there. Check the redis section of the config.`,
        ),
      );
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

/** `quorum audit`: the audit trail (requests, decisions, maintenance steps), newest first, as text or JSON. */
export async function auditCommand(options: AuditCommandOptions): Promise<number> {
  const config = loadConfig({ env: process.env, ...(options.config ? { file: options.config } : {}) });
  if (options.cluster && !config.clusters[options.cluster]) {
    throw new UsageError(
      `Unknown cluster "${options.cluster}": configured are ${Object.keys(config.clusters).join(', ') || 'none'}.`,
    );
  }
  const since = new Date(Date.now() - parseSince(options.since));
  const redis = createRedis(config.redis, 'request');
  try {
    await ready(redis, describeRedis(config.redis));
    const log = new AuditLog({ connection: redis, prefix: config.redis.prefix });
    const entries = await log.read({
      since,
      limit: options.limit,
      ...(options.cluster ? { cluster: options.cluster } : {}),
    });
    if (options.format === 'json') {
      process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    } else if (entries.length === 0) {
      process.stdout.write(
        `No audit entries${options.cluster ? ` for ${options.cluster}` : ''} in the last ${options.since}.\n`,
      );
    } else {
      process.stdout.write(`${entries.map(auditLine).join('\n')}\n`);
    }
    return ExitCode.Ok;
  } finally {
    await closeRedis(redis);
  }
}
