import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { AlertProcessor, type AlertProcessorOptions } from '../../src/alerts/alert-processor.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';

/** A processor whose Redis is away for good: every inbox call fails as ioredis does once its retries are spent. */
function awayProcessor(retryMs: { first: number; max: number }) {
  let calls = 0;
  const lines: Array<{ msg: string; failures: number; retryInMs: number }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      done();
    },
  });
  const inbox = {
    ensureGroup: async () => {
      calls++;
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    },
  };
  const processor = new AlertProcessor({
    inbox,
    consumer: 'test',
    log: pino({ level: 'warn' }, sink),
    retryMs,
  } as unknown as AlertProcessorOptions);
  return { processor, lines, calls: () => calls };
}

describe('the alert processor while Redis is away', () => {
  it('backs off, doubling up to the cap, and logs the first failure and then every tenth', async () => {
    const { processor, lines, calls } = awayProcessor({ first: 2, max: 16 });
    processor.start();
    try {
      // The 22nd attempt comes after the 21st failure was handled (and logged).
      await waitUntil(() => calls() >= 22, { what: '22 attempts', timeoutMs: 10_000 });
    } finally {
      await processor.stop();
    }
    const warnings = lines.filter((line) => line.msg === 'alert inbox unavailable; retrying');
    expect(warnings.slice(0, 3).map((line) => [line.failures, line.retryInMs])).toEqual([
      [1, 2],
      [11, 16],
      [21, 16],
    ]);
    expect(warnings.length).toBeLessThanOrEqual(Math.ceil(calls() / 10));
  });

  it('stops at once, not at the end of its back-off wait', async () => {
    const { processor, calls } = awayProcessor({ first: 60_000, max: 60_000 });
    processor.start();
    await waitUntil(() => calls() >= 1, { what: 'the first attempt', timeoutMs: 5_000 });
    const began = Date.now();
    await processor.stop(60_000);
    expect(Date.now() - began).toBeLessThan(1_000);
    expect(calls()).toBe(1);
  });
});
