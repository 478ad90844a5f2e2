import { ApprovalStore } from '../approvals/approval-store.js';
import { AuditLog } from '../approvals/audit-log.js';
import type { Logger } from '../core/logger.js';
import { MaintenanceQueue } from '../queue/maintenance-queue.js';
import { ApproverDirectory } from './approver-directory.js';
import { MaintenanceInteractions } from './maintenance-interactions.js';
import { createCheckRegistry } from '../checks/all-checks.js';
import type { Config } from '../config/config-schema.js';
import { requireSlackSecrets, type Secrets } from '../config/secrets.js';
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
import { createSlackClient } from './slack-client.js';

export interface StartBotOptions {
  config: Config;
  secrets: Secrets;
  /** Failures after an acknowledgement, for the log. */
  onError?: (error: unknown, where: string) => void;
  /** The structured log, which the audit trail is mirrored to. */
  log?: Logger;
  /** How long a user group's members are cached (ms). @defaultValue 60000 */
  approverCacheMs?: number;
  /**
   * How often requests past their deadline are expired (their messages updated) and approved ones not yet started
   * are queued again (ms). @defaultValue 30000
   */
  expirySweepMs?: number;
}

/** How long a request path waits for Redis before answering "queue unavailable" (ms). */
const REDIS_PROBE_MS = 500;

/**
 * The bot process: the Bolt app, the run queues it feeds, the run records it reads. It never talks to a cluster:
 * it validates, queues and answers. Playbooks are loaded once, to check requests as the worker will.
 */
export async function startBot(options: StartBotOptions): Promise<RunningBot> {
  const { config } = options;
  const secrets = requireSlackSecrets(options.secrets);
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
  const metrics = new BotMetrics(() => queues.counts(), redisReady);
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
    client,
    metrics,
  });
  const maintenanceQueue = new MaintenanceQueue({ connection: redis, prefix: config.redis.prefix });
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
    void interactions.sweep().catch((error: unknown) => options.onError?.(error, 'approval sweep'));
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
    onError: options.onError ?? (() => undefined),
  });
  return {
    url: bot.url,
    port: bot.port,
    async stop() {
      clearInterval(sweeper);
      await bot.stop();
      await outcomes.close();
      await queues.close();
      await maintenanceQueue.close();
      await closeRedis(redis);
    },
  };
}
