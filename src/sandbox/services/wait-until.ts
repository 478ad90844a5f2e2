import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitUntilOptions {
  /** What we are waiting for, for the timeout message ("etcd member e1 to answer /health"). */
  what: string;
  /** Give up after this long, in ms. */
  timeoutMs: number;
  /** Pause between attempts, in ms. @defaultValue 50 */
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns true, or rejects after `timeoutMs` with the last probe error in the message.
 * A probe that throws counts as "not yet"; to give up early (the server process died), throw from `abort`.
 */
export async function waitUntil(
  probe: () => boolean | Promise<boolean>,
  { what, timeoutMs, intervalMs = 50 }: WaitUntilOptions,
  abort?: () => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    abort?.();
    try {
      if (await probe()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`, { cause: lastError });
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
