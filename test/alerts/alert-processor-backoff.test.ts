/**
 * The alert processor when Redis answers with an error instead of data. Its `worker` connection waits out an outage by
 * itself, so what reaches the processor's back-off is an error Redis keeps answering: here, for real, WRONGTYPE,
 * because something else holds a string at the inbox's key.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { AlertInbox } from '../../src/alerts/alert-inbox.js';
import { AlertProcessor, type AlertProcessorOptions } from '../../src/alerts/alert-processor.js';
import { RedisConfigSchema } from '../../src/config/config-schema.js';
import type { RedisClient } from '../../src/core/redis-client.js';
import { closeRedis, createRedis } from '../../src/queue/redis-connection.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { startRedis, type RedisService } from '../helpers/services.js';

interface LogLine {
  msg: string;
  failures: number;
  retryInMs: number;
  err: { message: string };
}

describe('the alert processor while Redis answers errors', () => {
  let redis: RedisService;
  let connection: RedisClient;
  let admin: RedisClient;

  beforeAll(async () => {
    redis = await startRedis();
    const config = RedisConfigSchema.parse({ url: redis.url });
    connection = createRedis(config, 'worker');
    admin = createRedis(config, 'worker');
  });
  afterAll(async () => {
    await Promise.all([connection && closeRedis(connection), admin && closeRedis(admin)]);
    await redis?.stop();
  });

  /** How often Redis has been asked to create the inbox's consumer group. */
  async function groupCreations(): Promise<number> {
    const stats = String(await admin.info('commandstats'));
    return Number(
      /cmdstat_xgroup\|create:calls=(\d+)/.exec(stats)?.[1] ?? /cmdstat_xgroup:calls=(\d+)/.exec(stats)?.[1] ?? 0,
    );
  }

  async function brokenProcessor(prefix: string, retryMs: { first: number; max: number }) {
    const inbox = new AlertInbox({ prefix });
    await admin.set(inbox.key, 'not a stream');
    await admin.config('RESETSTAT');
    const lines: LogLine[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as LogLine);
        done();
      },
    });
    // Routing, episodes, Slack and the queues are never reached: the consumer group cannot be created.
    const processor = new AlertProcessor({
      inbox,
      connection,
      consumer: 'test',
      log: pino({ level: 'warn' }, sink),
      retryMs,
    } as unknown as AlertProcessorOptions);
    return { processor, lines };
  }

  it('backs off, doubling up to the cap, and logs the first failure and then every tenth, with the reason', async () => {
    const { processor, lines } = await brokenProcessor('{backoff-a}', { first: 2, max: 16 });
    processor.start();
    try {
      // The 22nd attempt comes after the 21st failure was handled (and logged).
      await waitUntil(async () => (await groupCreations()) >= 22, { what: '22 attempts', timeoutMs: 10_000 });
    } finally {
      await processor.stop();
    }
    const warnings = lines.filter((line) => line.msg === 'alert inbox unavailable; retrying');
    expect(warnings.slice(0, 3).map((line) => [line.failures, line.retryInMs])).toEqual([
      [1, 2],
      [11, 16],
      [21, 16],
    ]);
    expect(warnings[0]?.err.message).toMatch(/^WRONGTYPE/);
    expect(warnings.length).toBeLessThanOrEqual(Math.ceil((await groupCreations()) / 10));
  });

  it('stops at once, not at the end of its back-off wait', async () => {
    const { processor } = await brokenProcessor('{backoff-b}', { first: 60_000, max: 60_000 });
    processor.start();
    await waitUntil(async () => (await groupCreations()) >= 1, { what: 'the first attempt', timeoutMs: 5_000 });
    const began = Date.now();
    await processor.stop(60_000);
    expect(Date.now() - began).toBeLessThan(1_000);
    expect(await groupCreations()).toBe(1);
  });
});
