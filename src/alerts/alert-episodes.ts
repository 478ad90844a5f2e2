import type { RedisClient } from '../core/redis-client.js';
import { LuaScript } from './lua-script.js';

/**
 * Lua, so that each decision is one atomic step in Redis whichever bot replica takes it. KEYS: episode hash, seen
 * set (fingerprints of this episode), firing set (fingerprints firing now), hourly run counter of the cluster.
 * ARGV: now, new run id, window, hourly cap, note interval, retention (ms), first startsAt (ms), alerts Alertmanager
 * left out, fingerprints…
 */
const ADMIT = new LuaScript(`
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[6])
local startsAt = tonumber(ARGV[7])
local sent = #ARGV - 8 + tonumber(ARGV[8])
local windowEnds = tonumber(redis.call('HGET', KEYS[1], 'windowEndsAt') or '0')
local function remember()
  for i = 9, #ARGV do
    redis.call('SADD', KEYS[2], ARGV[i])
    redis.call('SADD', KEYS[3], ARGV[i])
  end
  local most = math.max(tonumber(redis.call('HGET', KEYS[1], 'maxCount') or '0'), sent)
  redis.call('HSET', KEYS[1], 'maxCount', most)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
  redis.call('PEXPIRE', KEYS[3], ttl)
  return math.max(redis.call('SCARD', KEYS[2]), most)
end
if windowEnds > now then
  local first = tonumber(redis.call('HGET', KEYS[1], 'firstStartsAt') or ARGV[7])
  if startsAt < first then redis.call('HSET', KEYS[1], 'firstStartsAt', startsAt) end
  local again = 0
  if redis.call('HEXISTS', KEYS[1], 'resolvedAt') == 1 then
    redis.call('HDEL', KEYS[1], 'resolvedAt')
    again = 1
  end
  local count = remember()
  local note = 0
  local last = tonumber(redis.call('HGET', KEYS[1], 'lastNoteAt') or '0')
  if again == 1 or now - last >= tonumber(ARGV[5]) then
    redis.call('HSET', KEYS[1], 'lastNoteAt', now)
    note = 1
  end
  local e = redis.call('HMGET', KEYS[1], 'runId', 'started', 'channel', 'ts')
  return {'repeat', e[1] or '', tostring(count), tostring(note), e[2] or '0', tostring(again), e[3] or '', e[4] or ''}
end
local runs = redis.call('INCR', KEYS[4])
if runs == 1 then redis.call('PEXPIRE', KEYS[4], 7200000) end
if runs > tonumber(ARGV[4]) then return {'capped', '', tostring(runs)} end
local first = startsAt
local prevFirst = redis.call('HGET', KEYS[1], 'firstStartsAt')
local prev = redis.call('HMGET', KEYS[1], 'runId', 'channel', 'ts')
local stillFiring = prevFirst and redis.call('HEXISTS', KEYS[1], 'resolvedAt') == 0 and redis.call('SCARD', KEYS[3]) > 0
if stillFiring then
  first = math.min(first, tonumber(prevFirst))
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'runId', ARGV[2], 'windowEndsAt', now + tonumber(ARGV[3]), 'firstStartsAt', first,
  'lastNoteAt', now, 'started', '0', 'startLease', now + 30000, 'maxCount', 0)
local count = remember()
if stillFiring and prev[2] and prev[3] then
  return {'new', ARGV[2], tostring(count), prev[1] or '', prev[2], prev[3]}
end
return {'new', ARGV[2], tostring(count)}
`);

/** KEYS: episode hash, firing set. ARGV: resolution time (ms), fingerprints… */
const RESOLVE = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {'none'} end
local removed = 0
for i = 2, #ARGV do removed = removed + redis.call('SREM', KEYS[2], ARGV[i]) end
local e = redis.call('HMGET', KEYS[1], 'runId', 'firstStartsAt', 'resolvedAt', 'channel', 'ts')
if e[3] then return {'already', e[1] or ''} end
if removed == 0 or redis.call('SCARD', KEYS[2]) > 0 then
  return {'firing', e[1] or '', tostring(redis.call('SCARD', KEYS[2]))}
end
redis.call('HSET', KEYS[1], 'resolvedAt', ARGV[1])
return {'resolved', e[1] or '', e[2] or ARGV[1], ARGV[1], e[4] or '', e[5] or ''}
`);

/** KEYS: episode hash. ARGV: run id, now, lease (ms). */
const CLAIM_START = new LuaScript(`
local e = redis.call('HMGET', KEYS[1], 'runId', 'started', 'startLease')
if e[1] ~= ARGV[1] or e[2] == '1' or tonumber(e[3] or '0') > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'startLease', tonumber(ARGV[2]) + tonumber(ARGV[3]))
return 1
`);

/** KEYS: episode hash. ARGV: run id, field, value, field, value… (only while the episode is still this run's). */
const SET_IF_RUN = new LuaScript(`
if redis.call('HGET', KEYS[1], 'runId') ~= ARGV[1] then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`);

/** What {@link AlertEpisodes.admit} decided for firing alerts of one (cluster, playbook). */
export type AdmitDecision =
  | {
      kind: 'new';
      runId: string;
      count: number;
      /**
       * The previous window's run when its alerts were still firing as this window opened: its message would
       * otherwise stay on "firing" with no word of what came after.
       */
      previous?: { runId: string; channel: string; messageTs: string };
    }
  | {
      kind: 'repeat';
      runId: string;
      /** Distinct alerts seen in this episode (or more, when Alertmanager left some out). */
      count: number;
      /** A "still firing" note is due (rate-limited per episode). */
      note: boolean;
      /** The run was queued (false: whoever started it may have died half-way). */
      started: boolean;
      /** The episode had resolved and fires again. */
      firingAgain: boolean;
      channel?: string;
      messageTs?: string;
    }
  | { kind: 'capped'; runsThisHour: number };

export type ResolveDecision =
  | { kind: 'none' }
  | { kind: 'already'; runId: string }
  | { kind: 'firing'; runId: string; stillFiring: number }
  | { kind: 'resolved'; runId: string; firstStartsAt: Date; resolvedAt: Date; channel?: string; messageTs?: string };

export interface AlertEpisodesOptions {
  connection: RedisClient;
  prefix: string;
  /** One run per (cluster, playbook) in this long (ms). */
  windowMs: number;
  /** Runs a cluster may start per clock hour. */
  maxRunsPerClusterPerHour: number;
  /** Shortest time between two notes of one episode (ms). */
  noteIntervalMs: number;
  /** How long an episode is remembered after its last alert (ms), so a late resolve still finds its message. @defaultValue 7 days */
  retentionMs?: number;
}

export interface AdmitInput {
  cluster: string;
  playbook: string;
  /** The id the run gets if this starts one. */
  runId: string;
  fingerprints: readonly string[];
  /** The earliest `startsAt` of the alerts (else now). */
  startsAt: Date;
  /** Alerts Alertmanager left out of the notification (`truncatedAlerts`). */
  truncated: number;
  now: Date;
}

/**
 * An episode is what one (cluster, playbook) goes through while its alerts fire: one run per window however many
 * alerts, groups and repeats arrive, notes for repeats, a cap of runs per cluster and hour, and the resolution once
 * every alert that fired has resolved. All of it in Redis and decided atomically (Lua), so that it survives a restart
 * and holds with several bot replicas. Keys share `redis.prefix`, a hash tag, so one script's keys share a slot on
 * Redis Cluster.
 */
export class AlertEpisodes {
  constructor(private readonly options: AlertEpisodesOptions) {}

  private keys(cluster: string, playbook: string) {
    const base = `${this.options.prefix}:alerts`;
    return {
      episode: `${base}:episode:${cluster}:${playbook}`,
      seen: `${base}:seen:${cluster}:${playbook}`,
      firing: `${base}:firing:${cluster}:${playbook}`,
    };
  }

  private hourly(cluster: string, now: Date): string {
    return `${this.options.prefix}:alerts:hourly:${cluster}:${Math.floor(now.getTime() / 3_600_000)}`;
  }

  /** Firing alerts: start a run, note a repeat, or refuse past the hourly cap. */
  async admit(input: AdmitInput): Promise<AdmitDecision> {
    const keys = this.keys(input.cluster, input.playbook);
    const answer = (await ADMIT.run(
      this.options.connection,
      [keys.episode, keys.seen, keys.firing, this.hourly(input.cluster, input.now)],
      [
        input.now.getTime(),
        input.runId,
        this.options.windowMs,
        this.options.maxRunsPerClusterPerHour,
        this.options.noteIntervalMs,
        this.options.retentionMs ?? 7 * 24 * 3_600_000,
        Math.min(input.startsAt.getTime(), input.now.getTime()),
        input.truncated,
        ...input.fingerprints,
      ],
    )) as string[];
    const [kind, runId = '', count = '0', note, started, again, channel, ts] = answer;
    if (kind === 'capped') return { kind: 'capped', runsThisHour: Number(count) };
    if (kind === 'new') {
      const [, , , previousRun, previousChannel, previousTs] = answer;
      return {
        kind: 'new',
        runId,
        count: Number(count),
        ...(previousRun && previousChannel && previousTs
          ? { previous: { runId: previousRun, channel: previousChannel, messageTs: previousTs } }
          : {}),
      };
    }
    return {
      kind: 'repeat',
      runId,
      count: Number(count),
      note: note === '1',
      started: started === '1',
      firingAgain: again === '1',
      ...(channel ? { channel } : {}),
      ...(ts ? { messageTs: ts } : {}),
    };
  }

  /** Resolved alerts: the episode resolves once none of its alerts fires any more. */
  async resolve(
    cluster: string,
    playbook: string,
    fingerprints: readonly string[],
    resolvedAt: Date,
  ): Promise<ResolveDecision> {
    const keys = this.keys(cluster, playbook);
    const answer = (await RESOLVE.run(
      this.options.connection,
      [keys.episode, keys.firing],
      [resolvedAt.getTime(), ...fingerprints],
    )) as string[];
    const [kind, runId = '', a, b, channel, ts] = answer;
    if (kind === 'none') return { kind: 'none' };
    if (kind === 'already') return { kind: 'already', runId };
    if (kind === 'firing') return { kind: 'firing', runId, stillFiring: Number(a) };
    return {
      kind: 'resolved',
      runId,
      firstStartsAt: new Date(Number(a)),
      resolvedAt: new Date(Number(b)),
      ...(channel ? { channel } : {}),
      ...(ts ? { messageTs: ts } : {}),
    };
  }

  /**
   * Takes over starting a run whose starter may have died between deciding and queueing: true for one caller once
   * the previous start's lease (30 s) has passed.
   */
  async claimStart(cluster: string, playbook: string, runId: string, now: Date, leaseMs = 30_000): Promise<boolean> {
    const result = await CLAIM_START.run(
      this.options.connection,
      [this.keys(cluster, playbook).episode],
      [runId, now.getTime(), leaseMs],
    );
    return result === 1;
  }

  /** Where the run's message is (for notes and the resolution). */
  async setMessage(
    cluster: string,
    playbook: string,
    runId: string,
    channel: string,
    ts: string | undefined,
  ): Promise<void> {
    await SET_IF_RUN.run(
      this.options.connection,
      [this.keys(cluster, playbook).episode],
      [runId, 'channel', channel, ...(ts ? ['ts', ts] : [])],
    );
  }

  /** The run is queued: nobody needs to start it again. */
  async markStarted(cluster: string, playbook: string, runId: string): Promise<void> {
    await SET_IF_RUN.run(this.options.connection, [this.keys(cluster, playbook).episode], [runId, 'started', '1']);
  }
}
