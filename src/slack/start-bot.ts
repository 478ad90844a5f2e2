import { AlertEpisodes } from '../alerts/alert-episodes.js';
import { AlertInbox, consumerName } from '../alerts/alert-inbox.js';
import { AlertMetrics } from '../alerts/alert-metrics.js';
import { AlertProcessor } from '../alerts/alert-processor.js';
import { createAlertReceiver, WEBHOOK_OUTCOMES, type WebhookOutcome } from '../alerts/alert-receiver.js';
import { AlertRouter } from '../alerts/alert-routing.js';
import { resolveAlertsToken } from '../alerts/alerts-token.js';
import { LogThrottle } from '../alerts/log-throttle.js';
import { ApprovalStore } from '../approvals/approval-store.js';
import { AuditLog } from '../approvals/audit-log.js';
import { MaintenanceQueue } from '../queue/maintenance-queue.js';
import { ApproverDirectory } from './approver-directory.js';
import { MaintenanceInteractions } from './maintenance-interactions.js';
import { createCheckRegistry } from '../checks/all-checks.js';
import type { Config } from '../config/config-schema.js';
import { requireSlackSecrets, type Secrets } from '../config/secrets.js';
import { createLogger, type Logger } from '../core/logger.js';
import { prepareRun } from '../diagnosis/prepare-run.js';
import { defaultPlaybooksDir } from '../playbooks/default-dir.js';
import { loadPlaybooks } from '../playbooks/load-playbooks.js';
import { ActiveRuns } from '../queue/active-runs.js';
import { closeRedis, createRedis } from '../queue/redis-connection.js';
import { publishCancel } from '../queue/run-cancels.js';
import { RunQueues } from '../queue/run-queues.js';
import { RunOutcomeListener } from '../queue/run-outcomes.js';
import { RunRecords } from '../queue/run-records.js';
import { startBotApp, type RunningBot } from './bot-app.js';
import { BotMetrics } from './bot-metrics.js';
import { QuorumCommandHandler } from './quorum-command-handler.js';
import { SlackAlertNotifier } from './slack-alert-notifier.js';
import { createSlackClient } from './slack-client.js';

export interface StartBotOptions {
  config: Config;
  secrets: Secrets;
  /** Failures after an acknowledgement, for the log. */
  onError?: (error: unknown, where: string) => void;
  /** Structured logs (alert routing, refused alerts; the audit trail is mirrored to it). @defaultValue silent */
  log?: Logger;
  /** How long an alert entry taken by a replica that died waits before another takes it (ms). @defaultValue 30000 */
  alertReclaimIdleMs?: number;
  /** How long a user group's members are cached (ms). @defaultValue 60000 */
  approverCacheMs?: number;
  /**
   * How often requests past their deadline are expired (their messages updated) and approved ones not yet started
   * are queued again (ms). @defaultValue 30000
   */
  expirySweepMs?: number;
}

/** The running bot, and what tests and the benchmark look into. */
export interface StartedBot extends RunningBot {
  /** True when `POST /alerts/alertmanager` is served (a token is configured). */
  readonly alertsEnabled: boolean;
}

/** How long a request path waits for Redis before answering "queue unavailable" (ms). */
const REDIS_PROBE_MS = 500;
/** How long the webhook waits for Redis to keep a notification before answering 503 (ms). */
const ALERT_ACCEPT_MS = 2_000;

function rejectAfter<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The bot process: the Bolt app, the run queues it feeds, the run records it reads. It never talks to a cluster:
 * it validates, queues and answers. Playbooks are loaded once, to check requests as the worker will.
 */
export async function startBot(options: StartBotOptions): Promise<StartedBot> {
  const { config } = options;
  const secrets = requireSlackSecrets(options.secrets);
  const log = options.log ?? createLogger('silent');
  // Read before anything starts: a token file that cannot be read stops the bot with the reason.
  const alertsToken = resolveAlertsToken(config.alerts, options.secrets);
  const registry = createCheckRegistry();
  const playbooks = await loadPlaybooks(config.playbooksDir ?? defaultPlaybooksDir(), registry);
  const redis = createRedis(config.redis, 'request');
  const redisReady = async (): Promise<boolean> => {
    if (redis.status !== 'ready') return false;
    const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), REDIS_PROBE_MS).unref());
    return Promise.race([
      redis.ping().then(
        (answer) => answer === 'PONG',
        () => false,
      ),
      timer,
    ]);
  };
  const queues = new RunQueues({ connection: redis, prefix: config.redis.prefix });
  for (const cluster of Object.keys(config.clusters)) queues.queue(cluster);
  const records = new RunRecords({ connection: redis, prefix: config.redis.prefix });
  const activeRuns = new ActiveRuns(redis, config.redis.prefix, 2 * config.worker.runTimeoutSeconds * 1000 + 300_000);
  const maintenanceQueue = new MaintenanceQueue({ connection: redis, prefix: config.redis.prefix });
  const maintenanceClusters = Object.keys(config.executor.clusters);
  const metrics = new BotMetrics(
    () => queues.counts(),
    redisReady,
    async () =>
      Object.fromEntries(
        await Promise.all(
          maintenanceClusters.map(async (cluster) => [cluster, await maintenanceQueue.counts(cluster)] as const),
        ),
      ),
  );
  const outcomes = new RunOutcomeListener(config.redis, (outcome) => {
    const labels = { playbook: outcome.playbook, cluster: outcome.cluster };
    metrics.runs.inc({ ...labels, result: outcome.result });
    if (outcome.durationMs !== undefined) metrics.runDuration.observe(labels, outcome.durationMs / 1000);
  });
  // Outcomes are counted once Redis answers; the bot serves commands either way (the subscriber reconnects).
  void outcomes.start().catch(() => undefined);
  const client = createSlackClient({
    token: secrets.slackBotToken,
    ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}),
    retries: 2,
  });
  const audit = new AuditLog({
    connection: redis,
    prefix: config.redis.prefix,
    ...(options.log ? { log: options.log } : {}),
  });
  const approvers = new ApproverDirectory({
    client,
    ...(options.approverCacheMs === undefined ? {} : { cacheMs: options.approverCacheMs }),
  });
  const handler = new QuorumCommandHandler({
    audit,
    approvers,
    config,
    playbooks,
    prepare: (input) => prepareRun(config, playbooks, registry, input),
    queues,
    records,
    activeRuns,
    publishCancel: (runId, by) => publishCancel(redis, config.redis.prefix, { runId, by }),
    redisReady,
    redisConnected: () => redis.status === 'ready',
    redisDeadlineMs: REDIS_PROBE_MS,
    client,
    metrics,
  });
  const playbookTitles = new Map([...playbooks.values()].map((playbook) => [playbook.id, playbook.title]));
  let processor: AlertProcessor | undefined;
  let processorRedis: ReturnType<typeof createRedis> | undefined;
  let inboxRedis: ReturnType<typeof createRedis> | undefined;
  let alertReceiver: ReturnType<typeof createAlertReceiver> | undefined;
  if (alertsToken) {
    const inbox = new AlertInbox({ prefix: config.redis.prefix });
    const refusedLogs = new LogThrottle(60_000);
    const alertMetrics = new AlertMetrics(metrics.registry);
    // One child counter per outcome, looked up once rather than by label set on every webhook request.
    const webhookCounters = Object.fromEntries(
      WEBHOOK_OUTCOMES.map((outcome) => [outcome, alertMetrics.webhooks.labels({ outcome })]),
    ) as Record<WebhookOutcome, ReturnType<typeof alertMetrics.webhooks.labels>>;
    // Its own connection: the processor blocks on the stream and must keep retrying while Redis is away.
    processorRedis = createRedis(config.redis, 'worker');
    // A connection of its own: an alert storm's XADDs do not queue behind (or ahead of) slash commands'. Auto-pipelined:
    // the XADDs of the requests answered in one turn of the event loop go out in one write (one system call), where
    // one write per post was the webhook's largest single cost in the storm benchmark.
    inboxRedis = createRedis(config.redis, 'request', { enableAutoPipelining: true });
    const accepting = inboxRedis;
    alertReceiver = createAlertReceiver({
      token: alertsToken,
      maxBodyBytes: config.alerts.maxBodyBytes,
      accept: async (body, receivedAt) => {
        await rejectAfter(
          inbox.accept(accepting, body, receivedAt),
          ALERT_ACCEPT_MS,
          'keeping the notification in Redis',
        );
      },
      onOutcome: (outcome, detail) => {
        webhookCounters[outcome].inc();
        // Every refusal is counted; the log gets one line per outcome and minute.
        if (outcome !== 'accepted' && refusedLogs.allow(outcome))
          log.warn({ outcome, reason: detail.reason }, 'alert webhook request refused');
      },
    });
    processor = new AlertProcessor({
      inbox,
      connection: processorRedis,
      consumer: consumerName(),
      router: new AlertRouter(config, playbooks),
      episodes: new AlertEpisodes({
        connection: processorRedis,
        prefix: config.redis.prefix,
        windowMs: config.alerts.windowMinutes * 60_000,
        maxRunsPerClusterPerHour: config.alerts.maxRunsPerClusterPerHour,
        noteIntervalMs: config.alerts.noteIntervalSeconds * 1000,
      }),
      prepare: (input) => prepareRun(config, playbooks, registry, input),
      queues,
      records,
      activeRuns,
      notifier: new SlackAlertNotifier({ client, records, playbookTitles }),
      metrics: alertMetrics,
      log,
      ...(options.alertReclaimIdleMs !== undefined ? { reclaimIdleMs: options.alertReclaimIdleMs } : {}),
    });
    processor.start();
  } else {
    log.info('alert webhook off: set QUORUM_ALERTS_TOKEN or alerts.tokenFile to serve POST /alerts/alertmanager');
  }
  const store = new ApprovalStore({ connection: redis, prefix: config.redis.prefix, audit });
  const interactions = new MaintenanceInteractions({
    config,
    client,
    store,
    audit,
    records,
    queue: maintenanceQueue,
    approvers,
    onError: options.onError ?? (() => undefined),
  });
  // Requests nobody decided in time expire on their own (their messages lose their buttons); approved ones are
  // queued again until an executor starts them.
  const sweeper = setInterval(() => {
    void interactions
      .sweep()
      .then(({ expired }) => metrics.approvalsExpired.inc(expired))
      .catch((error: unknown) => options.onError?.(error, 'approval sweep'));
  }, options.expirySweepMs ?? 30_000);
  sweeper.unref();
  const bot = await startBotApp({
    interactions,
    token: secrets.slackBotToken,
    ...(secrets.slackSigningSecret ? { signingSecret: secrets.slackSigningSecret } : {}),
    ...(secrets.slackAppToken ? { appToken: secrets.slackAppToken } : {}),
    ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}),
    port: config.server.port,
    host: config.server.host,
    handler,
    metrics,
    redisReady,
    ...(alertReceiver ? { alertReceiver } : {}),
    onError: options.onError ?? (() => undefined),
  });
  return {
    url: bot.url,
    port: bot.port,
    alertsEnabled: alertReceiver !== undefined,
    async stop() {
      clearInterval(sweeper);
      await bot.stop();
      await processor?.stop();
      if (processorRedis) await closeRedis(processorRedis);
      if (inboxRedis) await closeRedis(inboxRedis);
      await outcomes.close();
      await queues.close();
      await maintenanceQueue.close();
      await closeRedis(redis);
    },
  };
}
