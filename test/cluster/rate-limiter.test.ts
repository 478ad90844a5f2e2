import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../src/core/errors.js';
import { createKubeReader } from '../../src/cluster/create-kube-reader.js';
import { type Clock, RateLimiter, type Release } from '../../src/cluster/rate-limiter.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';
import { writeKubeconfig } from './support/kubeconfig.js';
import { createTestPki, type TestPki } from './support/test-pki.js';

/** A clock the test moves by hand; `timers` shows what the limiter has scheduled. */
class ManualClock implements Clock {
  time = 0;
  timers: Array<{ at: number; callback: () => void }> = [];

  now(): number {
    return this.time;
  }

  schedule(callback: () => void, delayMs: number): () => void {
    const timer = { at: this.time + delayMs, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((each) => each !== timer);
    };
  }

  /** Moves time on, firing due timers in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const next = this.timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.time = next.at;
      next.callback();
    }
    this.time = until;
  }
}

/** Lets resolved promises run their callbacks. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function track(limiter: RateLimiter, count: number): { granted: Release[] } {
  const granted: Release[] = [];
  for (let i = 0; i < count; i++) void limiter.acquire().then((release) => granted.push(release));
  return { granted };
}

describe('RateLimiter', () => {
  it('lets a burst through at once, then one request per 1/rate seconds', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerSecond: 10, burst: 5, maxConcurrent: 100 }, clock);
    const { granted } = track(limiter, 8);
    await settle();
    expect(granted).toHaveLength(5);
    clock.advance(99);
    await settle();
    expect(granted).toHaveLength(5);
    clock.advance(1);
    await settle();
    expect(granted).toHaveLength(6);
    clock.advance(200);
    await settle();
    expect(granted).toHaveLength(8);
    // Nobody waits any more: no timer is left behind.
    expect(clock.timers).toHaveLength(0);
    expect(limiter.load).toEqual({ active: 8, waiting: 0 });
  });

  it('refills the bucket while idle, but never beyond the burst', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerSecond: 10, burst: 3, maxConcurrent: 100 }, clock);
    const first = track(limiter, 3);
    await settle();
    expect(first.granted).toHaveLength(3);
    clock.advance(60_000);
    const second = track(limiter, 5);
    await settle();
    expect(second.granted).toHaveLength(3);
  });

  it('caps concurrency and hands a released slot to the next waiter', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerSecond: 1_000, burst: 100, maxConcurrent: 2 }, clock);
    const { granted } = track(limiter, 3);
    await settle();
    expect(granted).toHaveLength(2);
    expect(limiter.load).toEqual({ active: 2, waiting: 1 });
    // Blocked on concurrency, not on tokens: no timer is needed.
    expect(clock.timers).toHaveLength(0);
    granted[0]?.();
    granted[0]?.(); // a second release of the same slot changes nothing
    await settle();
    expect(granted).toHaveLength(3);
    expect(limiter.load).toEqual({ active: 2, waiting: 0 });
  });

  it('releases the slot when a task run under it fails', async () => {
    const limiter = new RateLimiter({ maxConcurrent: 1 });
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve('next'))).resolves.toBe('next');
    expect(limiter.load).toEqual({ active: 0, waiting: 0 });
  });

  it.each([
    [{ requestsPerSecond: 0 }, /requestsPerSecond must be a positive number/],
    [{ requestsPerSecond: Number.NaN }, /requestsPerSecond/],
    [{ burst: 0 }, /rateLimit.burst must be a whole number/],
    [{ burst: 1.5 }, /rateLimit.burst/],
    [{ maxConcurrent: 0 }, /rateLimit.maxConcurrent/],
  ])('rejects %j', (options, message) => {
    expect(() => new RateLimiter(options)).toThrow(ConfigError);
    expect(() => new RateLimiter(options)).toThrow(message);
  });
});

describe('rate limit shared by all requests of one reader (real time)', () => {
  let pki: TestPki;
  let server: FixtureServer;
  let kubeconfigPath: string;

  beforeAll(async () => {
    pki = createTestPki();
    server = await startFixtureServer(pki, () => ({ body: 'ok' }));
    kubeconfigPath = writeKubeconfig(pki.dir, [
      { name: 'limited', server: server.url, caPath: pki.caPath, token: 't' },
    ]);
  });

  afterAll(async () => {
    await server.close();
    pki.remove();
  });

  it('spreads 20 requests at 10 rps with burst 5 over at least ~1.5 s', async () => {
    const reader = createKubeReader({
      kubeconfigPath,
      rateLimit: { requestsPerSecond: 10, burst: 5, maxConcurrent: 4 },
    });
    try {
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => reader.raw(`/livez?n=${i}`)));
      const elapsed = performance.now() - started;
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      // 5 at once, then 15 more at 100 ms each = 1.5 s; loose bounds for a busy machine.
      expect(elapsed).toBeGreaterThanOrEqual(1_400);
      expect(elapsed).toBeLessThan(5_000);
      expect(server.requests).toHaveLength(20);
    } finally {
      reader.close();
    }
  });
});
