import { throwIfAborted } from '../core/abort.js';
import type { RoundTripSamples } from './round-trip-stats.js';

/**
 * One timed call: its round trip, or why it got none and how long it waited (ms). It rejects only when the signal
 * fires.
 */
export type RoundTripProbe = (
  signal: AbortSignal,
) => Promise<
  { answered: true; tookMs: number } | { answered: false; tookMs: number; timedOut: boolean; error: string }
>;

export interface SampleRoundTripsOptions {
  /** Measured samples, after one unmeasured warm-up call. */
  samples: number;
  /** Pause between samples, in ms: spread out, one stall (a GC pause, a retransmit) is one sample, not all of them. */
  spacingMs: number;
  /**
   * No new sample starts after this long, in ms from the start: a target that times out on every sample still
   * leaves time for a finding. An in-flight sample ends at its own deadline.
   */
  budgetMs: number;
  signal: AbortSignal;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface SampledRoundTrips extends RoundTripSamples {
  /** Set when the target never answered: refused, reset or unresolvable (not merely slow). */
  unreachable?: string;
  /** Set when the budget ran out before every sample was taken. */
  stoppedEarly?: string;
}

/**
 * Times `probe` `samples` times, `spacingMs` apart, after one warm-up call that is not counted: the first call on a
 * new connection pays for TCP, TLS and HTTP/2 set-up, which is not the round trip. A warm-up that fails without
 * timing out means the target cannot be reached, and sampling stops there. Timing is the probe's (a monotonic clock).
 */
export async function sampleRoundTrips(
  probe: RoundTripProbe,
  options: SampleRoundTripsOptions,
): Promise<SampledRoundTrips> {
  const { samples, spacingMs, budgetMs, signal, sleep } = options;
  const began = performance.now();
  throwIfAborted(signal);
  const warmUp = await probe(signal);
  if (!warmUp.answered && !warmUp.timedOut) return { answeredMs: [], timedOutMs: [], unreachable: warmUp.error };
  const answeredMs: number[] = [];
  const timedOutMs: number[] = [];
  let lastError: string | undefined;
  for (let index = 0; index < samples; index += 1) {
    throwIfAborted(signal);
    if (performance.now() - began >= budgetMs) {
      return {
        answeredMs,
        timedOutMs,
        stoppedEarly: `stopped after ${index} of ${samples} samples: the ${Math.round(budgetMs / 1000)} s budget ran out`,
      };
    }
    await sleep(spacingMs, signal);
    throwIfAborted(signal);
    const result = await probe(signal);
    if (result.answered) answeredMs.push(result.tookMs);
    else if (result.timedOut) timedOutMs.push(result.tookMs);
    else lastError = result.error;
  }
  // Answers before and refusals after: the target went away while we measured. Only refusals: it is unreachable.
  if (answeredMs.length === 0 && timedOutMs.length === 0 && lastError) {
    return { answeredMs, timedOutMs, unreachable: lastError };
  }
  return { answeredMs, timedOutMs };
}
