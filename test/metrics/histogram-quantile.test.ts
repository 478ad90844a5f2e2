import { describe, expect, it } from '@jest/globals';
import { aggregate, collectHistograms, histogramDelta, type Bucket } from '../../src/metrics/histogram.js';
import { bucketQuantile, histogramQuantile } from '../../src/metrics/histogram-quantile.js';
import { parsePrometheusText } from '../../src/metrics/parse-prometheus-text.js';
import { cumulative, histogramText, plus, type Observations } from './fixtures.js';

const buckets = (...pairs: ReadonlyArray<readonly [number, number]>): Bucket[] =>
  pairs.map(([upperBound, count]) => ({ upperBound, count }));

/** le=0.1: 10, le=0.5: 60, le=1: 90, le=+Inf: 100 (cumulative). */
const EXAMPLE = buckets([0.1, 10], [0.5, 60], [1, 90], [Infinity, 100]);

describe('histogramQuantile', () => {
  /**
   * [what, q, buckets, expected]. Expected values are worked out by hand with Prometheus' formula
   * start + (end - start) × (rank - below) / (inBucket), written in the same float operations Go evaluates.
   */
  const cases: ReadonlyArray<[string, number, Bucket[], number]> = [
    [
      'p50 interpolates in (0.1, 0.5]: 0.1 + 0.4 × 40/50 = 0.42',
      0.5,
      EXAMPLE,
      0.1 + (0.5 - 0.1) * ((50 - 10) / (60 - 10)),
    ],
    ['p90 ends exactly at the bound of (0.5, 1]: 0.5 + 0.5 × 30/30 = 1', 0.9, EXAMPLE, 1],
    ['p99 falls in the +Inf bucket: the second-highest bound, 1', 0.99, EXAMPLE, 1],
    ['p100 also falls in the +Inf bucket', 1, EXAMPLE, 1],
    ['p5 in the lowest bucket, lower bound 0: 0 + 0.1 × 5/10 = 0.05', 0.05, EXAMPLE, 0.1 * (5 / 10)],
    ['p75: 0.5 + 0.5 × 15/30 = 0.75', 0.75, EXAMPLE, 0.5 + 0.5 * (15 / 30)],
    ['q < 0 gives -Inf', -0.1, EXAMPLE, -Infinity],
    ['q > 1 gives +Inf', 1.1, EXAMPLE, Infinity],
    ['q = NaN gives NaN', NaN, EXAMPLE, NaN],
    ['no observations give NaN', 0.5, buckets([0.1, 0], [1, 0], [Infinity, 0]), NaN],
    ['no +Inf bucket gives NaN', 0.5, buckets([0.1, 10], [1, 20]), NaN],
    ['only the +Inf bucket (fewer than two) gives NaN', 0.5, buckets([Infinity, 10]), NaN],
    ['no buckets at all give NaN', 0.5, [], NaN],
    ['a lowest bound ≤ 0 is returned as is', 0.25, buckets([-1, 10], [1, 20], [Infinity, 20]), -1],
    ['a lowest bound of exactly 0 is returned as is', 0.1, buckets([0, 10], [1, 20], [Infinity, 20]), 0],
    [
      'q = 0 over an empty lowest bucket is NaN, as in Prometheus (0/0)',
      0,
      buckets([0.1, 0], [1, 10], [Infinity, 10]),
      NaN,
    ],
    ['q = 0 over a filled lowest bucket is 0', 0, EXAMPLE, 0],
    [
      'unsorted input is sorted first',
      0.5,
      buckets([Infinity, 100], [0.5, 60], [1, 90], [0.1, 10]),
      0.1 + (0.5 - 0.1) * ((50 - 10) / (60 - 10)),
    ],
    [
      'buckets with the same bound are summed: (0,1] holds 10, 0 + 1 × 5/10',
      0.5,
      buckets([1, 5], [1, 5], [Infinity, 10]),
      0.5,
    ],
    [
      'a decreasing bucket is raised to the envelope: le=0.5 becomes 10, p50 = 0.1 × 10/10',
      0.5,
      buckets([0.1, 10], [0.5, 5], [1, 20], [Infinity, 20]),
      0.1,
    ],
    [
      'float noise (relative 1e-13) is ignored: observations are 1e13, not 1e13 + 1, so p100 ends at 2, not 4',
      1,
      buckets([1, 10], [2, 1e13], [4, 1e13 + 1], [Infinity, 1e13 + 1]),
      2,
    ],
  ];

  it.each(cases)('%s', (_what, q, input, expected) => {
    expect(histogramQuantile(q, input)).toBe(expected);
  });

  it('gives 0.42 for p50 of the example up to float rounding', () => {
    expect(histogramQuantile(0.5, EXAMPLE)).toBeCloseTo(0.42, 15);
  });

  it('reports the repairs it made, like the Prometheus annotations', () => {
    expect(bucketQuantile(0.5, EXAMPLE)).toEqual({
      value: histogramQuantile(0.5, EXAMPLE),
      forcedMonotonic: false,
      fixedPrecision: false,
    });
    expect(bucketQuantile(0.5, buckets([0.1, 10], [0.5, 5], [1, 20], [Infinity, 20]))).toMatchObject({
      forcedMonotonic: true,
      fixedPrecision: false,
    });
    expect(bucketQuantile(1, buckets([1, 10], [2, 1e13], [4, 1e13 + 1], [Infinity, 1e13 + 1]))).toMatchObject({
      forcedMonotonic: false,
      fixedPrecision: true,
    });
  });

  it('does not modify its input', () => {
    const input = buckets([Infinity, 20], [0.5, 5], [1, 5], [0.1, 10]);
    const copy = structuredClone(input);
    histogramQuantile(0.5, input);
    expect(input).toEqual(copy);
  });
});

describe('a latency spike: visible in the window, hidden by the cumulative counters', () => {
  const NAME = 'apiserver_request_duration_seconds';
  /** Since start: 999,000 requests, almost all under 50 ms. */
  const history: Observations = [
    [0.005, 600_000],
    [0.025, 390_000],
    [0.05, 8_000],
    [0.1, 1_000],
  ];
  /** The last window: 1,000 requests, 90% between 2 s and 4 s. */
  const window: Observations = [
    [0.025, 100],
    [3, 500],
    [4, 400],
  ];
  const labels = { verb: 'LIST', resource: 'pods', scope: 'cluster' };

  it('keeps the cumulative p99 under 50 ms while the windowed p99 is over 2 s', () => {
    const before = cumulative(history);
    const after = cumulative(plus(history, window));
    expect(after.at(-1)?.count).toBe(1_000_000);

    const cumulativeP99 = histogramQuantile(0.99, after);
    expect(cumulativeP99).toBeLessThan(0.05);

    const delta = after.map((bucket, i) => ({
      upperBound: bucket.upperBound,
      count: bucket.count - (before[i]?.count ?? 0),
    }));
    // rank 990 of 1000: 600 lie at or below 3 s, so 390 of the 400 in (3, 4]: 3 + 1 × 390/400.
    expect(histogramQuantile(0.99, delta)).toBe(3 + (4 - 3) * (390 / 400));
    expect(histogramQuantile(0.99, delta)).toBeGreaterThan(2);
    // p50 of the window, rank 500: 100 are ≤ 25 ms, so 400 of the 500 in (2, 3].
    expect(histogramQuantile(0.5, delta)).toBe(2 + (3 - 2) * (400 / 500));
  });

  it('shows the same through parse, collect, delta and aggregate', () => {
    const scrape = (observations: Observations) =>
      collectHistograms(
        parsePrometheusText(histogramText(NAME, [{ labels, observations }]), { families: new Set([NAME]) }).get(NAME)
          ?.samples ?? [],
        NAME,
      );
    const before = scrape(history);
    const after = scrape(plus(history, window));
    const [windowed] = aggregate(histogramDelta(before, after).deltas, ['verb']);
    const [total] = aggregate(after, ['verb']);
    expect(windowed?.count).toBe(1_000);
    expect(histogramQuantile(0.99, total?.buckets ?? [])).toBeLessThan(0.05);
    expect(histogramQuantile(0.99, windowed?.buckets ?? [])).toBeGreaterThan(2);
  });
});
