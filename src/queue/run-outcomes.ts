import type { RedisClient } from '../core/redis-client.js';
import type { RedisConfig } from '../config/config-schema.js';
import { closeRedis, createRedis } from './redis-connection.js';
import type { RunState } from './run-record.js';

/** How a run ended, as workers announce it. */
export interface RunOutcome {
  runId: string;
  playbook: string;
  cluster: string;
  result: Extract<RunState, 'succeeded' | 'failed' | 'cancelled'>;
  durationMs?: number;
}

function outcomeChannel(prefix: string): string {
  return `${prefix}:run-outcomes`;
}

/** Announces a finished run to whoever listens (the bot's metrics); nobody listening is fine. */
export async function publishOutcome(redis: RedisClient, prefix: string, outcome: RunOutcome): Promise<void> {
  await redis.publish(outcomeChannel(prefix), JSON.stringify(outcome));
}

/**
 * Listens to finished runs, whichever worker ran them (Redis pub/sub: at most once, which is what counters for
 * /metrics need; the run records are the durable truth).
 */
export class RunOutcomeListener {
  private subscriber: RedisClient | undefined;

  constructor(
    private readonly redis: RedisConfig,
    private readonly onOutcome: (outcome: RunOutcome) => void,
  ) {}

  async start(): Promise<void> {
    this.subscriber = createRedis(this.redis, 'subscriber');
    this.subscriber.on('message', (_channel: string, text: string) => {
      try {
        const outcome = JSON.parse(text) as RunOutcome;
        if (typeof outcome.playbook === 'string' && typeof outcome.cluster === 'string') this.onOutcome(outcome);
      } catch {
        // Not ours: ignored.
      }
    });
    await this.subscriber.subscribe(outcomeChannel(this.redis.prefix));
  }

  async close(): Promise<void> {
    if (this.subscriber) await closeRedis(this.subscriber);
  }
}
