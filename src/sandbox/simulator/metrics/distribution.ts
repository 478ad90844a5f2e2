import type { Distribution } from './metric-model.js';

/** Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, plenty for bucket fractions. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  return sign * (1 - poly * Math.exp(-x * x));
}

/** The z-score of the 99th percentile of a standard normal distribution. */
const Z99 = 2.3263478740408408;

/**
 * A log-normal latency distribution fixed by its median and 99th percentile (seconds), the two numbers people quote
 * for latency. Bucket fractions come from its CDF; the mean is exact.
 */
export function lognormalDistribution(buckets: readonly number[], median: number, p99: number): Distribution {
  const mu = Math.log(median);
  const sigma = Math.max(Math.log(p99 / median) / Z99, 1e-9);
  const cdf = (x: number): number => (x <= 0 ? 0 : 0.5 * (1 + erf((Math.log(x) - mu) / (sigma * Math.SQRT2))));
  return { cumulative: [...buckets.map(cdf), 1], mean: Math.exp(mu + (sigma * sigma) / 2) };
}

/**
 * A distribution given as relative weights per bucket (non-cumulative, one per bound plus one for `+Inf`). The mean
 * takes each bucket's midpoint; the `+Inf` bucket counts as 1.5 × the last bound.
 */
export function weightedDistribution(buckets: readonly number[], weights: readonly number[]): Distribution {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let running = 0;
  let mean = 0;
  const cumulative = weights.map((weight, index) => {
    running += weight;
    const lower = index === 0 ? 0 : (buckets[index - 1] ?? 0);
    const upper = buckets[index] ?? lower * 1.5;
    mean += (weight / total) * ((lower + upper) / 2);
    return index === weights.length - 1 ? 1 : running / total;
  });
  return { cumulative, mean };
}
