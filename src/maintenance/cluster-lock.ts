import type { RedisClient } from '../core/redis-client.js';
import { setTimeout as sleep } from 'node:timers/promises';

/** Takes the lock when free: value `<holder>:<token>`, TTL in ms. */
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'PX', tonumber(ARGV[2]))
return token
`;
/** Extends the lock only while it is still ours (same holder and fencing token). */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) end
return 0
`;
/** Ours, and the token is still the newest ever issued for this cluster. */
const CHECK = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
return 1
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** A held lock: its fencing token, a check before every step, and release. */
export interface HeldLock {
  readonly token: number;
  /** False once the lock expired or another holder took it: the caller must stop before its next step. */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

export interface ClusterLockOptions {
  connection: RedisClient;
  prefix: string;
  /** Lifetime without renewal (ms); renewed every third of it while held. */
  ttlMs: number;
}

/**
 * One maintenance at a time per cluster, across every executor: a Redis lock with a TTL that is renewed while the
 * maintenance runs (a dead executor frees the cluster after `ttlMs`), and a fencing token (a per-cluster counter)
 * that the executor checks before each step, so an executor that lost its lock — paused, partitioned — stops
 * instead of acting alongside the next one.
 */
export class ClusterLock {
  constructor(private readonly options: ClusterLockOptions) {}

  private keys(cluster: string): [string, string] {
    return [
      `${this.options.prefix}:maintenance-lock:${cluster}`,
      `${this.options.prefix}:maintenance-fence:${cluster}`,
    ];
  }

  /** Takes the lock, waiting up to `waitMs` for another maintenance to finish; undefined when it never came free. */
  async acquire(cluster: string, holder: string, waitMs: number, signal?: AbortSignal): Promise<HeldLock | undefined> {
    const [lockKey, fenceKey] = this.keys(cluster);
    const { connection, ttlMs } = this.options;
    const deadline = Date.now() + waitMs;
    let token = 0;
    for (;;) {
      token = Number(await connection.eval(ACQUIRE, 2, lockKey, fenceKey, holder, String(ttlMs)));
      if (token > 0) break;
      if (Date.now() >= deadline || signal?.aborted) return undefined;
      await sleep(Math.min(250, Math.max(1, deadline - Date.now())));
    }
    const value = `${holder}:${token}`;
    let lost = false;
    const renewal = setInterval(
      () => {
        void connection.eval(RENEW, 1, lockKey, value, String(ttlMs)).then(
          (renewed) => {
            if (Number(renewed) !== 1) lost = true;
          },
          () => undefined,
        );
      },
      Math.max(100, Math.floor(ttlMs / 3)),
    );
    renewal.unref();
    return {
      token,
      async stillHeld() {
        if (lost) return false;
        return Number(await connection.eval(CHECK, 2, lockKey, fenceKey, value, String(token))) === 1;
      },
      async release() {
        clearInterval(renewal);
        await connection.eval(RELEASE, 1, lockKey, value);
      },
    };
  }
}
