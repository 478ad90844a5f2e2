import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../core/redis-client.js';
import type { Logger } from '../core/logger.js';
import { QuorumError } from '../core/errors.js';
import {
  MAX_TRIGGER_ALERTS,
  newRunId,
  type RunRequest,
  type RunRequestInput,
  type TriggerAlert,
} from '../diagnosis/run-request.js';
import type { ActiveRuns } from '../queue/active-runs.js';
import type { RunQueues } from '../queue/run-queues.js';
import type { RunRecords } from '../queue/run-records.js';
import type { AlertEpisodes } from './alert-episodes.js';
import type { AlertInbox, InboxEntry } from './alert-inbox.js';
import type { AlertMetrics } from './alert-metrics.js';
import type { AlertNotifier } from './alert-notifier.js';
import type { AlertRoute, AlertRouter, UnroutedAlert } from './alert-routing.js';
import { LogThrottle } from './log-throttle.js';
import type { AlertNotification, ReceivedAlert } from './alertmanager-payload.js';

export interface AlertProcessorOptions {
  inbox: AlertInbox;
  /** A connection of its own (`worker` role: it blocks on the stream and retries while Redis is away). */
  connection: RedisClient;
  /** This process' name in the consumer group. */
  consumer: string;
  router: AlertRouter;
  episodes: AlertEpisodes;
  /** Builds and checks a run envelope as the worker will (see prepareRun). */
  prepare: (input: RunRequestInput) => RunRequest;
  queues: RunQueues;
  records: RunRecords;
  activeRuns: ActiveRuns;
  notifier: AlertNotifier;
  metrics: AlertMetrics;
  log: Logger;
  /** An entry taken and not finished for this long is taken over (by this or another replica) (ms). @defaultValue 30000 */
  reclaimIdleMs?: number;
  /** Longest wait for new entries in one read (ms). @defaultValue 1000 */
  blockMs?: number;
  /** Wait after the first failed read while Redis is away, doubling up to `max` (ms). @defaultValue 500 to 10000 */
  retryMs?: { first: number; max: number };
  now?: () => Date;
}

/** Distinct unrouted alert names labelled in metrics and logged; past this, `other` (labels must stay bounded). */
const MAX_UNROUTED_NAMES = 200;
/**
 * Entries read at once. Under a storm a batch's firing alerts are decided on once per (cluster, playbook), so the
 * larger the batch, the fewer Redis calls per notification (the storm benchmark's reads, allowed 500, take ~200).
 */
const BATCH = 500;

function summaryOf(alert: ReceivedAlert): string | undefined {
  const text = alert.annotations.summary ?? alert.annotations.message ?? alert.annotations.description;
  return text ? text.slice(0, 500) : undefined;
}

function triggerAlert(alert: ReceivedAlert): TriggerAlert {
  const summary = summaryOf(alert);
  return {
    name: alert.name.slice(0, 200),
    ...(alert.labels.severity ? { severity: alert.labels.severity.slice(0, 50) } : {}),
    ...(summary ? { summary } : {}),
    ...(alert.generatorURL && alert.generatorURL.length <= 2000 ? { generatorURL: alert.generatorURL } : {}),
    ...(alert.startsAt ? { startsAt: alert.startsAt } : {}),
    fingerprint: alert.fingerprint.slice(0, 64),
  };
}

function earliest(times: (string | undefined)[], fallback: Date): Date {
  const ms = times.map((time) => (time ? Date.parse(time) : NaN)).filter((value) => Number.isFinite(value));
  return ms.length > 0 ? new Date(Math.min(...ms)) : fallback;
}

function latest(times: (string | undefined)[], fallback: Date): Date {
  const ms = times.map((time) => (time ? Date.parse(time) : NaN)).filter((value) => Number.isFinite(value));
  return ms.length > 0 ? new Date(Math.max(...ms)) : fallback;
}

/**
 * Works through the alert inbox after the webhook has answered: routes each notification's alerts to (cluster,
 * playbook), lets {@link AlertEpisodes} decide (new run, repeat, cap, resolution), then starts the run (its message,
 * record and queued job), notes the repeat in the run's thread, or shows the resolution. An entry is acknowledged only
 * when done; one that failed for a transient reason (Redis, Slack) is taken up again after `reclaimIdleMs`, and every
 * step is safe to repeat.
 */
export class AlertProcessor {
  private stopped = false;
  /** Wakes the loop from its back-off wait when the processor stops. */
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly unroutedNames = new Set<string>();
  private readonly now: () => Date;
  private lastReclaim = 0;
  /** A capped cluster is logged once a minute, not once per alert. */
  private readonly cappedLogs = new LogThrottle(60_000);

  constructor(private readonly options: AlertProcessorOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Starts reading in the background (Redis may still be away: the loop waits for it). */
  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Finishes the entry in hand, then stops reading. Bounded: with Redis away a command may wait for it forever, and
   * closing the connection afterwards ends it.
   */
  async stop(graceMs = 2_000): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  private async run(): Promise<void> {
    const { inbox, connection, consumer } = this.options;
    const reclaimIdleMs = this.options.reclaimIdleMs ?? 30_000;
    let grouped = false;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!grouped) {
          await inbox.ensureGroup(connection);
          grouped = true;
        }
        let entries: InboxEntry[] = [];
        if (Date.now() - this.lastReclaim >= Math.min(reclaimIdleMs, 5_000)) {
          this.lastReclaim = Date.now();
          entries = await inbox.reclaim(connection, consumer, reclaimIdleMs, BATCH);
        }
        if (entries.length === 0)
          entries = await inbox.read(connection, consumer, BATCH, this.options.blockMs ?? 1_000);
        failures = 0;
        if (entries.length === 0) continue;
        // One round trip for the batch; a crash before it only means these are processed again (idempotent).
        if (await this.processEntries(entries))
          await inbox.done(
            connection,
            entries.map((entry) => entry.id),
          );
      } catch (error) {
        if (this.stopped) break;
        // A Redis that restarted without its data lost the consumer group too.
        if (String((error as Error).message).includes('NOGROUP')) grouped = false;
        // The worker connection waits out an outage by itself; what lands here is an error Redis keeps answering
        // (OOM, NOAUTH, WRONGTYPE at the inbox key, a cluster moving slots). Back off (0.5 s doubling to 10 s) rather
        // than spin, and log the first failure and then every tenth, not twice a second for as long as it lasts.
        const { first, max } = this.options.retryMs ?? { first: 500, max: 10_000 };
        const waitMs = Math.max(1, Math.min(max, first * 2 ** Math.min(failures, 20)));
        if (failures % 10 === 0) {
          this.options.log.warn(
            { err: error, failures: failures + 1, retryInMs: waitMs },
            'alert inbox unavailable; retrying',
          );
        }
        failures++;
        await sleep(waitMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
  }

  /** True when the entries are finished with (processed, or never processable); false to try them again later. */
  private async processEntries(entries: readonly InboxEntry[]): Promise<boolean> {
    try {
      await this.process(entries.map((entry) => entry.notification));
      return true;
    } catch (error) {
      const ids = entries.map((entry) => entry.id);
      if (error instanceof QuorumError && !error.retryable) {
        this.options.log.error({ err: error, entries: ids }, 'alert notifications dropped: they cannot succeed');
        return true;
      }
      // Left unacknowledged: taken up again after reclaimIdleMs (every step is safe to repeat).
      this.options.log.warn({ err: error, entries: ids }, 'alert notifications failed; they will be retried');
      return false;
    }
  }

  /**
   * Notifications in the order they arrived. Under a storm a batch holds many notifications of the same (cluster,
   * playbook): their firing alerts are merged and decided on once (one Redis round trip per pair and batch, not per
   * notification). A resolved alert first settles what was merged for its pair, so each pair sees its alerts in order.
   */
  async process(notifications: readonly AlertNotification[]): Promise<void> {
    const pending = new Map<string, { route: AlertRoute; firing: Map<string, ReceivedAlert>; truncated: number }>();
    const flush = async (key: string) => {
      const merged = pending.get(key);
      if (!merged) return;
      pending.delete(key);
      await this.admit(merged.route, [...merged.firing.values()], merged.truncated);
    };
    for (const notification of notifications) {
      const { routes, unrouted } = this.options.router.route(notification.alerts);
      for (const each of unrouted) this.countUnrouted(each);
      // Alerts Alertmanager left out are counted for a pair only when the notification has no other: nothing says
      // which pair they belong to otherwise.
      const truncated = routes.length === 1 ? notification.truncatedAlerts : 0;
      for (const route of routes) {
        const key = `${route.cluster}\u0000${route.playbook}`;
        const resolved: ReceivedAlert[] = [];
        for (const alert of route.alerts) {
          if (alert.status === 'resolved') {
            resolved.push(alert);
            continue;
          }
          const merged = pending.get(key) ?? { route, firing: new Map<string, ReceivedAlert>(), truncated: 0 };
          merged.firing.set(alert.fingerprint, alert);
          merged.truncated = Math.max(merged.truncated, truncated);
          pending.set(key, merged);
        }
        if (resolved.length > 0) {
          await flush(key);
          await this.resolve(route, resolved);
        }
      }
    }
    for (const key of [...pending.keys()]) await flush(key);
  }

  private countUnrouted({ alert, reason, detail }: UnroutedAlert): void {
    const { metrics, log } = this.options;
    const known = this.unroutedNames.has(alert.name);
    if (!known && this.unroutedNames.size < MAX_UNROUTED_NAMES) {
      this.unroutedNames.add(alert.name);
      log.info({ alertname: alert.name, reason, detail }, 'alert starts no run (logged once per alert name)');
    }
    const name = known || this.unroutedNames.has(alert.name) ? alert.name : 'other';
    metrics.unrouted.inc({ reason, alertname: name });
    metrics.alerts.inc({ outcome: 'unrouted' });
  }

  private async admit(route: AlertRoute, firing: ReceivedAlert[], truncated: number): Promise<void> {
    const { episodes, metrics, log } = this.options;
    const now = this.now();
    const decision = await episodes.admit({
      cluster: route.cluster,
      playbook: route.playbook,
      runId: newRunId(now),
      fingerprints: firing.map((alert) => alert.fingerprint),
      startsAt: earliest(
        firing.map((alert) => alert.startsAt),
        now,
      ),
      truncated,
      now,
    });
    if (decision.kind === 'capped') {
      metrics.alerts.inc({ outcome: 'capped' }, firing.length);
      if (this.cappedLogs.allow(route.cluster))
        log.warn(
          { cluster: route.cluster, playbook: route.playbook, runsThisHour: decision.runsThisHour },
          'alert run refused: the cluster reached alerts.maxRunsPerClusterPerHour',
        );
      return;
    }
    if (decision.kind === 'new') {
      metrics.alerts.inc({ outcome: 'run' }, firing.length);
      await this.startRun(route, firing, decision.runId, decision.count, undefined);
      const { previous } = decision;
      if (previous) {
        // The last window's message says where the story goes on, rather than staying on "firing" for good.
        await this.options.notifier
          .noteStillFiring(
            { channel: previous.channel, messageTs: previous.messageTs },
            {
              count: decision.count,
              names: firing.map((alert) => alert.name),
              firingAgain: false,
              followedBy: decision.runId,
            },
          )
          .catch((error: unknown) =>
            log.warn({ err: error, runId: previous.runId }, 'could not point the previous run at the next one'),
          );
      }
      return;
    }
    metrics.alerts.inc({ outcome: 'repeat' }, firing.length);
    if (!decision.started) {
      // The replica that decided to start it may have died before queueing: whoever claims the start finishes it.
      if (await episodes.claimStart(route.cluster, route.playbook, decision.runId, now)) {
        await this.startRun(route, firing, decision.runId, decision.count, decision.messageTs);
      }
      return;
    }
    if (decision.note && decision.channel && decision.messageTs) {
      await this.options.notifier
        .noteStillFiring(
          { channel: decision.channel, messageTs: decision.messageTs },
          { count: decision.count, names: firing.map((alert) => alert.name), firingAgain: decision.firingAgain },
        )
        .then(
          () => metrics.notes.inc(),
          // A note is worth less than the rest of the entry: it is not retried.
          (error: unknown) => log.warn({ err: error, runId: decision.runId }, 'could not post the still-firing note'),
        );
    }
  }

  /** The run's message, record and queued job; each step is skipped or repeated harmlessly when done before. */
  private async startRun(
    route: AlertRoute,
    firing: ReceivedAlert[],
    runId: string,
    count: number,
    knownTs: string | undefined,
  ): Promise<void> {
    const { episodes, records, queues, activeRuns, notifier, metrics, log } = this.options;
    const names = [...new Set(firing.map((alert) => alert.name))].join(', ');
    const trigger = {
      kind: 'alert' as const,
      by: names.slice(0, 200),
      alerts: firing.slice(0, MAX_TRIGGER_ALERTS).map(triggerAlert),
      alertCount: Math.max(count, firing.length),
    };
    const input = {
      runId,
      cluster: route.cluster,
      playbook: route.playbook,
      trigger,
      requestedAt: this.now().toISOString(),
    };
    let run: RunRequest;
    try {
      run = this.options.prepare({ ...input, params: route.params });
    } catch (error) {
      // A label value the playbook refuses (say an odd namespace) must not cost the diagnosis: run with defaults.
      log.warn(
        { err: error, params: route.params },
        'alert labels gave parameters the playbook refuses; using defaults',
      );
      run = this.options.prepare({ ...input, params: {} });
    }
    // A human asking for the same diagnosis meanwhile joins this run (best effort: the alert run starts either way).
    await activeRuns.claim(run.cluster, run.playbook, run.runId).catch(() => undefined);
    let ts = knownTs;
    if (!ts) {
      ts = await notifier.postRunMessage(run, route.channel).catch((error: unknown) => {
        log.warn({ err: error, channel: route.channel }, 'could not post the alert run message; the worker will');
        return undefined;
      });
      await episodes.setMessage(route.cluster, route.playbook, runId, route.channel, ts);
    }
    if (!(await records.get(runId))) {
      await records.save({
        runId,
        cluster: run.cluster,
        playbook: run.playbook,
        trigger: run.trigger,
        requestedAt: run.requestedAt,
        state: 'queued',
        attempts: 0,
        slack: { channel: route.channel, ...(ts ? { messageTs: ts } : {}), threadParts: 0 },
      });
    }
    await queues.enqueue({ request: run, slack: { channel: route.channel, ...(ts ? { messageTs: ts } : {}) } });
    await episodes.markStarted(route.cluster, route.playbook, runId);
    metrics.runs.inc({ cluster: run.cluster, playbook: run.playbook });
    log.info({ runId, cluster: run.cluster, playbook: run.playbook, alerts: names }, 'alert run queued');
  }

  private async resolve(route: AlertRoute, resolved: ReceivedAlert[]): Promise<void> {
    const { episodes, records, notifier, metrics, log } = this.options;
    const now = this.now();
    const decision = await episodes.resolve(
      route.cluster,
      route.playbook,
      resolved.map((alert) => alert.fingerprint),
      latest(
        resolved.map((alert) => alert.endsAt),
        now,
      ),
    );
    metrics.alerts.inc({ outcome: 'resolved' }, resolved.length);
    if (decision.kind !== 'resolved' || !decision.runId) return;
    await records.setResolution(decision.runId, {
      resolvedAt: decision.resolvedAt.toISOString(),
      firingSince: decision.firstStartsAt.toISOString(),
    });
    await notifier.showResolution(decision.runId).catch((error: unknown) => {
      log.warn(
        { err: error, runId: decision.runId },
        'could not show the resolution yet; the worker shows it at the end',
      );
    });
    log.info({ runId: decision.runId, cluster: route.cluster, playbook: route.playbook }, 'alert run resolved');
  }
}
