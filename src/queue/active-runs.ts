import type { Redis } from 'ioredis';

/** Deletes the key only while it still names this run (another run may have taken it since). */
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

  /** Claims the (cluster, playbook) for `runId`; returns the run already holding it, if any. */
  async claim(
    cluster: string,
    playbook: string,
    runId: string,
  ): Promise<{ claimed: true } | { claimed: false; runId: string }> {
    const key = this.key(cluster, playbook);
    const set = await this.connection.set(key, runId, 'PX', this.ttlMs, 'NX');
    if (set === 'OK') return { claimed: true };
    const holder = await this.connection.get(key);
    // The holder ended between the two calls: try once more rather than report a run that is gone.
    if (holder === null)
      return (await this.connection.set(key, runId, 'PX', this.ttlMs, 'NX')) === 'OK'
        ? { claimed: true }
        : { claimed: false, runId: (await this.connection.get(key)) ?? '' };
    return { claimed: false, runId: holder };
  }

  /** Ends the claim of `runId` (a later run's claim is left alone). */
  async release(cluster: string, playbook: string, runId: string): Promise<void> {
    await this.connection.eval(RELEASE, 1, this.key(cluster, playbook), runId);
  }
}
