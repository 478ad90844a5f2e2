import { SILENT_REPORTER } from '../approvals/maintenance-reporter.js';
import { loadConfig } from '../config/load-config.js';
import { loadSecrets } from '../config/secrets.js';
import { createLogger } from '../core/logger.js';
import { startExecutor } from '../maintenance/start-executor.js';
import { createSlackClient } from '../slack/slack-client.js';
import { SlackMaintenanceReporter } from '../slack/slack-maintenance-reporter.js';
import { runUntilSignalled } from './service-lifecycle.js';

/** How long a stopping executor lets a running maintenance reach its next step boundary (ms). */
const SHUTDOWN_GRACE_MS = 60_000;

/**
 * `quorum executor`: the only process with etcd write credentials. Runs approved maintenance until SIGTERM; a
 * running maintenance is asked to stop before its next step (a defragmentation in progress is never cut).
 */
export async function executorCommand(options: { config?: string; dryRun?: boolean }): Promise<number> {
  const config = loadConfig({ env: process.env, ...(options.config ? { file: options.config } : {}) });
  const log = createLogger(config.logLevel ?? 'info', 'quorum-executor');
  const secrets = loadSecrets(process.env);
  const token = secrets.slackBotToken;
  if (!token)
    log.warn('SLACK_BOT_TOKEN is not set: maintenance steps are recorded and audited but not posted to Slack');
  const executor = await startExecutor({
    config,
    log,
    dryRun: options.dryRun ?? false,
    reporter: (store) =>
      token
        ? new SlackMaintenanceReporter({
            client: createSlackClient({ token, ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}) }),
            store,
          })
        : SILENT_REPORTER,
  });
  log.info(
    { name: executor.name, clusters: Object.keys(config.executor.clusters), dryRun: options.dryRun ?? false },
    'executor waiting for approved maintenance',
  );
  return runUntilSignalled(log, () => executor.stop(SHUTDOWN_GRACE_MS), SHUTDOWN_GRACE_MS + 10_000);
}
