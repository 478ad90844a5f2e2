import type { RedisClient } from '../core/redis-client.js';

/**
 * Takes the key for the run in ARGV[1] unless a run holds it, and answers the holder (nil when taken): one round trip
 * on the acknowledgement path, where SET NX then GET took two and could see the holder vanish in between.
 */
const CLAIM = `local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

/** Deletes the key only while it still names this run (another run may have taken it since). */
const RELEASE = `local held = redis.call('GET', KEYS[1])
if held and (held == ARGV[1] or string.sub(held, 1, #ARGV[1] + 1) == ARGV[1] .. ' ') then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** What a claim holds: the run, and the channel its message goes to (for "follow its message in #…"). */
function claimValue(runId: string, channel: string | undefined): string {
  return channel ? `${runId} ${channel}` : runId;
}

/**
 * One run per (cluster, playbook) at a time: a second request for the same diagnosis while one is queued or
 * running joins it instead of starting another. Atomic in Redis (SET NX), so two bot replicas agree.
 */
export class ActiveRuns {
  constructor(
    private readonly connection: RedisClient,
    private readonly prefix: string,
    /** How long a claim lasts without a release (ms): longer than a run may take, so a dead worker's claim ends. */
    private readonly ttlMs: number,
  ) {}

  private key(cluster: string, playbook: string): string {
    return `${this.prefix}:active:${cluster}:${playbook}`;
  }

  /**
   * Claims the (cluster, playbook) for `runId`, whose message goes to `channel`; returns the run already holding it
   * and its channel, if any. One round trip.
   */
  async claim(
    cluster: string,
    playbook: string,
    runId: string,
    channel?: string,
  ): Promise<{ claimed: true } | { claimed: false; runId: string; channel?: string }> {
    const holder = (await this.connection.eval(
      CLAIM,
      1,
      this.key(cluster, playbook),
      claimValue(runId, channel),
      this.ttlMs,
    )) as string | null;
    if (holder === null) return { claimed: true };
    const [heldBy = '', heldChannel] = holder.split(' ');
    return { claimed: false, runId: heldBy, ...(heldChannel ? { channel: heldChannel } : {}) };
  }

  /** Ends the claim of `runId` (a later run's claim is left alone). */
  async release(cluster: string, playbook: string, runId: string): Promise<void> {
    await this.connection.eval(RELEASE, 1, this.key(cluster, playbook), runId);
  }
}
