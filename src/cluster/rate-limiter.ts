import { abortReason } from '../core/abort.js';
import { DEFAULT_RATE_LIMIT } from '../config/config-schema.js';
import { ConfigError } from '../core/errors.js';

/** How hard one reader may press one API server. */
export interface RateLimitOptions {
  /** Sustained request rate, in requests per second. @defaultValue 20 */
  requestsPerSecond?: number;
  /** Requests that may start back to back after an idle spell (the bucket's size), in requests. @defaultValue 40 */
  burst?: number;
  /** Requests in flight at once, in requests. @defaultValue 8 */
  maxConcurrent?: number;
}

/** Time source and timer, injectable so tests can drive the limiter without sleeping. */
export interface Clock {
  /** Monotonic time in ms. */
  now(): number;
  /** Calls `callback` after `delayMs` ms; returns a function that cancels it. */
  schedule(callback: () => void, delayMs: number): () => void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  schedule: (callback, delayMs) => {
    const timer = setTimeout(callback, delayMs);
    return () => clearTimeout(timer);
  },
};

/** Gives back the concurrency slot taken by {@link RateLimiter.acquire}; calling it twice is harmless. */
export type Release = () => void;

/**
 * A token bucket (rate and burst) combined with a concurrency cap, shared by every request of one reader so that a
 * diagnosis never piles load onto a struggling API server. Waiters are served first come, first served.
 *
 * The wake-up timer exists only while a request waits for a token, and it is cleared as soon as none does: an idle
 * limiter holds no timer. It is deliberately not `unref()`ed: a caller is awaiting it, and an unref'd timer would
 * let Node exit in the middle of a diagnosis with that promise still pending.
 */
export class RateLimiter {
  readonly requestsPerSecond: number;
  readonly burst: number;
  readonly maxConcurrent: number;
  private readonly clock: Clock;
  private tokens: number;
  private refilledAt: number;
  private active = 0;
  private readonly waiters: Array<(release: Release) => void> = [];
  private cancelWake: (() => void) | undefined;

  constructor(options: RateLimitOptions = {}, clock: Clock = systemClock) {
    const {
      requestsPerSecond = DEFAULT_RATE_LIMIT.requestsPerSecond,
      burst = DEFAULT_RATE_LIMIT.burst,
      maxConcurrent = DEFAULT_RATE_LIMIT.maxConcurrent,
    } = options;
    if (!(Number.isFinite(requestsPerSecond) && requestsPerSecond > 0)) {
      throw new ConfigError(`rateLimit.requestsPerSecond must be a positive number (got ${requestsPerSecond})`);
    }
    for (const [name, value] of [
      ['burst', burst],
      ['maxConcurrent', maxConcurrent],
    ] as const) {
      if (!(Number.isInteger(value) && value >= 1)) {
        throw new ConfigError(`rateLimit.${name} must be a whole number of at least 1 (got ${value})`);
      }
    }
    this.requestsPerSecond = requestsPerSecond;
    this.burst = burst;
    this.maxConcurrent = maxConcurrent;
    this.clock = clock;
    this.tokens = burst;
    this.refilledAt = clock.now();
  }

  /** Requests in flight and requests waiting for a token or a slot. */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiters.length };
  }

  /**
   * Waits for a token and a concurrency slot; the caller must call the returned {@link Release} when done. When
   * `signal` fires first, the wait ends with its reason and takes nothing: a cancelled run never holds a slot.
   */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(abortReason(signal as AbortSignal));
        this.pump();
      };
      const waiter = (release: Release): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** Runs `task` under the limiter, releasing its slot however it ends. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  private pump(): void {
    while (this.waiters.length > 0 && this.active < this.maxConcurrent) {
      this.refill();
      if (this.tokens < 1) {
        const delayMs = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.requestsPerSecond));
        this.cancelWake ??= this.clock.schedule(() => {
          this.cancelWake = undefined;
          this.pump();
        }, delayMs);
        return;
      }
      this.tokens -= 1;
      this.active += 1;
      this.waiters.shift()?.(this.releaser());
    }
    // Nobody waits for a token (idle, or blocked on concurrency until a release pumps again): drop the timer.
    this.cancelWake?.();
    this.cancelWake = undefined;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.requestsPerSecond) / 1000);
    this.refilledAt = now;
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      this.pump();
    };
  }
}
