import { loadConfig } from '../config/load-config.js';
import { loadSecrets } from '../config/secrets.js';
import { createLogger } from '../core/logger.js';
import { startBot } from '../slack/start-bot.js';
import { runUntilSignalled } from './service-lifecycle.js';

/** `quorum bot`: the Slack app (HTTP or Socket Mode), health, readiness and metrics, until SIGTERM. */
export async function botCommand(options: { config?: string }): Promise<number> {
  const config = loadConfig({ env: process.env, ...(options.config ? { file: options.config } : {}) });
  const log = createLogger(config.logLevel ?? 'info', 'quorum-bot');
  const bot = await startBot({
    config,
    secrets: loadSecrets(process.env),
    onError: (error, where) => log.error({ err: error, where }, 'after acknowledging a command'),
    log,
  });
  log.info(
    { url: bot.url, clusters: Object.keys(config.clusters) },
    'bot listening: POST /slack/events, GET /healthz /readyz /metrics',
  );
  return runUntilSignalled(log, () => bot.stop(), 10_000);
}
