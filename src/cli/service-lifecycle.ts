import type { Logger } from '../core/logger.js';

/**
 * Keeps a service process alive until SIGTERM or SIGINT, then stops it within `deadlineMs` (a second signal stops
 * at once). Resolves with the exit code.
 */
export function runUntilSignalled(log: Logger, stop: () => Promise<void>, deadlineMs: number): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        resolve(130);
        return;
      }
      stopping = true;
      log.info({ signal, deadlineMs }, 'stopping');
      const timer = setTimeout(() => {
        log.error({ deadlineMs }, 'did not stop in time: exiting');
        resolve(1);
      }, deadlineMs);
      timer.unref();
      stop().then(
        () => {
          clearTimeout(timer);
          log.info('stopped');
          resolve(0);
        },
        (error: unknown) => {
          clearTimeout(timer);
          log.error({ err: error }, 'stop failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}
