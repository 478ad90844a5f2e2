import type { Redis } from 'ioredis';

/** Deletes the key only while it still names this run (another run may have taken it since). */
/**
 * Takes the key for ARGV[1] unless a run holds it, and answers that run (nil when taken): one round trip on the
 * acknowledgement path, where SET NX then GET took two and could see the holder vanish in between.
 */
const CLAIM = `local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * One run per (cluster, playbook) at a time: a second request for the same diagnosis while one is queued or
 * running joins it instead of starting another. Atomic in Redis (SET NX), so two bot replicas agree.
 */
export class ActiveRuns {
  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    /** How long a claim lasts without a release (ms): longer than a run may take, so a dead worker's claim ends. */
    private readonly ttlMs: number,
  ) {}

  private key(cluster: string, playbook: string): string {
    return `${this.prefix}:active:${cluster}:${playbook}`;
  }

  /** Claims the (cluster, playbook) for `runId`; returns the run already holding it, if any. One round trip. */
  async claim(
    cluster: string,
    playbook: string,
    runId: string,
  ): Promise<{ claimed: true } | { claimed: false; runId: string }> {
    const holder = (await this.connection.eval(CLAIM, 1, this.key(cluster, playbook), runId, this.ttlMs)) as
      string | null;
    return holder === null ? { claimed: true } : { claimed: false, runId: holder };
  }

  /** Ends the claim of `runId` (a later run's claim is left alone). */
  async release(cluster: string, playbook: string, runId: string): Promise<void> {
    await this.connection.eval(RELEASE, 1, this.key(cluster, playbook), runId);
  }
}
