import type { Bucket } from './histogram.js';

/**
 * Relative difference between neighbouring bucket counts that is taken for a floating-point artefact and ignored
 * (Prometheus' `smallDeltaTolerance`).
 */
const SMALL_DELTA_TOLERANCE = 1e-12;
/** The smallest positive normal float64 (Go's `minNormal` in `util/almost`). */
const MIN_NORMAL = 2.2250738585072014e-308;

/** A quantile estimate with the repairs the buckets needed, as Prometheus reports them in annotations. */
export interface QuantileEstimate {
  /** The estimate, in the buckets' unit (seconds for `*_seconds`). */
  readonly value: number;
  /** Some bucket had a lower count than a lower bucket, and was raised to it. */
  readonly forcedMonotonic: boolean;
  /** Some neighbouring counts differed only by floating-point noise, and were made equal. */
  readonly fixedPrecision: boolean;
}

/**
 * The φ-quantile of cumulative buckets with exactly the semantics of PromQL's `histogram_quantile` over classic
 * buckets. Ported from `bucketQuantile` in prometheus/prometheus `promql/quantile.go`
 * (https://github.com/prometheus/prometheus/blob/main/promql/quantile.go; exported as `BucketQuantile` in 3.x), with
 * its helpers `coalesceBuckets`, `ensureMonotonicAndIgnoreSmallDeltas` and `util/almost.Equal`:
 *
 * - linear interpolation within the bucket that holds rank `q × observations`;
 * - the lowest bucket's lower bound is 0 when its upper bound is > 0; when it is ≤ 0 that upper bound is returned;
 * - a quantile in the `+Inf` bucket returns the upper bound of the second-highest bucket;
 * - NaN for q = NaN, no observations, fewer than two buckets, or no `+Inf` bucket; -Inf for q < 0, +Inf for q > 1;
 * - buckets with the same bound are summed; counts that decrease are raised to the envelope, and differences below a
 *   relative 1e-12 are ignored.
 *
 * The input is not modified.
 *
 * @param q - the quantile, 0 ≤ q ≤ 1 (0.99 for p99).
 * @param buckets - cumulative counts, in any order.
 */
export function bucketQuantile(q: number, buckets: readonly Bucket[]): QuantileEstimate {
  const estimate = (value: number, forcedMonotonic = false, fixedPrecision = false): QuantileEstimate => ({
    value,
    forcedMonotonic,
    fixedPrecision,
  });
  if (Number.isNaN(q)) return estimate(NaN);
  if (q < 0) return estimate(-Infinity);
  if (q > 1) return estimate(Infinity);
  // Go indexes the last bucket unguarded; PromQL never calls it without buckets.
  if (buckets.length === 0) return estimate(NaN);
  const sorted = buckets
    .map((bucket) => ({ upperBound: bucket.upperBound, count: bucket.count }))
    .sort((a, b) => (a.upperBound < b.upperBound ? -1 : a.upperBound > b.upperBound ? 1 : 0));
  if (sorted.at(-1)?.upperBound !== Infinity) return estimate(NaN);

  const merged = coalesceBuckets(sorted);
  const { forcedMonotonic, fixedPrecision } = ensureMonotonicAndIgnoreSmallDeltas(merged, SMALL_DELTA_TOLERANCE);

  if (merged.length < 2) return estimate(NaN);
  const observations = merged[merged.length - 1]?.count ?? 0;
  if (observations === 0) return estimate(NaN);
  let rank = q * observations;
  const b = search(merged.length - 1, (i) => (merged[i]?.count ?? 0) >= rank);

  if (b === merged.length - 1)
    return estimate(merged[merged.length - 2]?.upperBound ?? NaN, forcedMonotonic, fixedPrecision);
  const hit = merged[b] ?? { upperBound: NaN, count: NaN };
  if (b === 0 && hit.upperBound <= 0) return estimate(hit.upperBound, forcedMonotonic, fixedPrecision);
  let bucketStart = 0;
  const bucketEnd = hit.upperBound;
  let count = hit.count;
  const previous = merged[b - 1];
  if (b > 0 && previous) {
    bucketStart = previous.upperBound;
    count -= previous.count;
    rank -= previous.count;
  }
  return estimate(bucketStart + (bucketEnd - bucketStart) * (rank / count), forcedMonotonic, fixedPrecision);
}

/**
 * The φ-quantile of cumulative buckets, as PromQL's `histogram_quantile(q, …)`: see {@link bucketQuantile}.
 *
 * @param q - the quantile, 0 ≤ q ≤ 1.
 * @returns the estimate in the buckets' unit (seconds for `*_seconds`), NaN when there are no observations.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number {
  return bucketQuantile(q, buckets).value;
}

interface MutableBucket {
  upperBound: number;
  count: number;
}

/** Go's `sort.Search`: the smallest i in [0, n) for which `f(i)` holds, or n. */
function search(n: number, f: (i: number) => boolean): number {
  let low = 0;
  let high = n;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (f(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Merges sorted buckets with the same upper bound by summing their counts. */
function coalesceBuckets(sorted: MutableBucket[]): MutableBucket[] {
  const merged: MutableBucket[] = [];
  for (const bucket of sorted) {
    const last = merged.at(-1);
    if (last && last.upperBound === bucket.upperBound) last.count += bucket.count;
    else merged.push(bucket);
  }
  return merged;
}

/**
 * First ignores numerically insignificant differences between neighbours (either direction), then raises any
 * decrease to the running maximum. `prev` is not updated for ignored or raised buckets, as in Prometheus.
 */
function ensureMonotonicAndIgnoreSmallDeltas(
  buckets: MutableBucket[],
  tolerance: number,
): { forcedMonotonic: boolean; fixedPrecision: boolean } {
  let forcedMonotonic = false;
  let fixedPrecision = false;
  let prev = buckets[0]?.count ?? 0;
  for (const bucket of buckets.slice(1)) {
    const curr = bucket.count;
    if (curr === prev) continue;
    if (almostEqual(prev, curr, tolerance)) {
      bucket.count = prev;
      fixedPrecision = true;
      continue;
    }
    if (curr < prev) {
      bucket.count = prev;
      forcedMonotonic = true;
      continue;
    }
    prev = curr;
  }
  return { forcedMonotonic, fixedPrecision };
}

/** Prometheus' `almost.Equal`: a and b differ by less than their summed magnitude times epsilon. */
function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}
