import type { RedisClient } from '../core/redis-client.js';

/** The pub/sub channel that carries cancellations to whichever worker runs the job. */
export function cancelChannel(prefix: string): string {
  return `${prefix}:run-cancels`;
}

/** A cancellation as it travels: which run, who asked. */
export interface CancelMessage {
  runId: string;
  by?: string;
}

/** Tells every worker process to stop a run; the one running it aborts it. Returns how many processes heard it. */
export async function publishCancel(redis: RedisClient, prefix: string, message: CancelMessage): Promise<number> {
  return redis.publish(cancelChannel(prefix), JSON.stringify(message));
}

/** Parses a cancellation; `undefined` for anything else on the channel. */
export function parseCancel(text: string): CancelMessage | undefined {
  try {
    const value = JSON.parse(text) as Partial<CancelMessage>;
    if (typeof value.runId !== 'string' || value.runId === '') return undefined;
    return typeof value.by === 'string' ? { runId: value.runId, by: value.by } : { runId: value.runId };
  } catch {
    return undefined;
  }
}
