import type { Config } from '../config/config-schema.js';
import { requireSlackSecrets, type Secrets } from '../config/secrets.js';
import { DiagnosisService } from '../diagnosis/diagnosis-service.js';
import { ActiveRuns } from '../queue/active-runs.js';
import { closeRedis, createRedis } from '../queue/redis-connection.js';
import { publishOutcome } from '../queue/run-outcomes.js';
import { RunRecords } from '../queue/run-records.js';
import { RunWorkers } from '../queue/run-workers.js';
import { createSlackClient } from '../slack/slack-client.js';
import { SlackRunReporter } from '../slack/slack-run-reporter.js';
import { createRunJobHandler } from './run-job-handler.js';

export interface StartWorkerOptions {
  config: Config;
  secrets: Secrets;
  /** How often stalled jobs are looked for, and how long a job's lock lasts (ms); short in tests. */
  stalledIntervalMs?: number;
  lockDurationMs?: number;
  /** Shortest time between two progress updates of a message (ms). */
  progressIntervalMs?: number;
}

export interface RunningWorker {
  /** Runs in progress in this process. */
  readonly active: string[];
  /** Finishes (or hands back after `graceMs`) what runs, then closes everything. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The diagnostics worker process: runs queued runs against the configured clusters with read-only access (the
 * DiagnosisService: shared per-cluster connections and limits), reports them in Slack and records them. It holds no
 * write-capable client of anything.
 */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { config } = options;
  const secrets = requireSlackSecrets(options.secrets);
  const service = await DiagnosisService.create(config);
  const redis = createRedis(config.redis, 'worker');
  const records = new RunRecords({ connection: redis, prefix: config.redis.prefix });
  const activeRuns = new ActiveRuns(redis, config.redis.prefix, 2 * config.worker.runTimeoutSeconds * 1000 + 300_000);
  const client = createSlackClient({
    token: secrets.slackBotToken,
    ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}),
  });
  const reporter = new SlackRunReporter({
    client,
    records,
    playbookTitles: new Map([...service.playbooks.values()].map((playbook) => [playbook.id, playbook.title])),
    ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
  });
  const workers = new RunWorkers({
    redis: config.redis,
    clusters: Object.keys(config.clusters),
    concurrency: config.worker.concurrency,
    perClusterConcurrency: config.worker.perClusterConcurrency,
    runTimeoutMs: config.worker.runTimeoutSeconds * 1000,
    handler: createRunJobHandler({
      diagnoser: service,
      records,
      reporter,
      activeRuns,
      announce: (outcome) => publishOutcome(redis, config.redis.prefix, outcome),
    }),
    stalledIntervalMs: options.stalledIntervalMs ?? config.worker.lockSeconds * 1000,
    lockDurationMs: options.lockDurationMs ?? config.worker.lockSeconds * 1000,
  });
  await workers.start();
  return {
    get active() {
      return workers.active;
    },
    async stop(graceMs = 10_000) {
      await workers.close(graceMs);
      await service.close();
      await closeRedis(redis);
    },
  };
}
