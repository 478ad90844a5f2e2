import { loadConfig } from '../config/load-config.js';
import { loadSecrets } from '../config/secrets.js';
import { createLogger } from '../core/logger.js';
import { startWorker } from '../worker/start-worker.js';
import { runUntilSignalled } from './service-lifecycle.js';

/** How long a stopping worker lets its runs finish before handing them back to the queue (ms). */
const SHUTDOWN_GRACE_MS = 15_000;

/** `quorum worker`: runs queued diagnoses until SIGTERM; unfinished runs go back to the queue for another worker. */
export async function workerCommand(options: { config?: string }): Promise<number> {
  const config = loadConfig({ env: process.env, ...(options.config ? { file: options.config } : {}) });
  const log = createLogger(config.logLevel ?? 'info', 'quorum-worker');
  const worker = await startWorker({ config, secrets: loadSecrets(process.env) });
  log.info(
    {
      clusters: Object.keys(config.clusters),
      concurrency: config.worker.concurrency,
      perCluster: config.worker.perClusterConcurrency,
    },
    'worker waiting for runs',
  );
  return runUntilSignalled(log, () => worker.stop(SHUTDOWN_GRACE_MS), SHUTDOWN_GRACE_MS + 10_000);
}
