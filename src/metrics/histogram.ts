import { newLabels, type Sample } from './metric-family.js';
import { MetricsParseError } from './metrics-errors.js';
import { floatValue, isFloatToken } from './text-tokens.js';

/** One cumulative histogram bucket: how many observations were ≤ `upperBound`. */
export interface Bucket {
  /** The `le` label as a number, in the metric's unit (seconds for `*_seconds`); `Infinity` for `le="+Inf"`. */
  readonly upperBound: number;
  /** Observations ≤ `upperBound`: cumulative over the bucket and all lower ones. */
  readonly count: number;
}

/** One histogram series: the `_bucket`, `_sum` and `_count` samples that share a label set (apart from `le`). */
export interface HistogramSeries {
  /** The histogram's name, without suffix (`apiserver_request_duration_seconds`). */
  readonly name: string;
  /** The series' labels, without `le`. */
  readonly labels: Readonly<Record<string, string>>;
  /** The identity of the label set: equal label sets give equal keys, whatever the label order. */
  readonly key: string;
  /** Sorted by `upperBound`; the last one is `+Inf` when the exporter follows the format. */
  readonly buckets: readonly Bucket[];
  /** The `_sum` sample, in the metric's unit; NaN when there is none. */
  readonly sum: number;
  /** The `_count` sample; the `+Inf` bucket's count (or NaN) when there is none. */
  readonly count: number;
}

/** A series' change between two scrapes of the same target. */
export interface HistogramDelta extends HistogramSeries {
  /**
   * The counters went down (or the bucket layout changed) between the scrapes: the process restarted, so like
   * Prometheus' `increase()` the later values are taken as the whole increase since the restart.
   */
  readonly reset: boolean;
  /** The series exists only in the later scrape: its first observations happened in the window, so the delta is its value. */
  readonly isNew: boolean;
}

/** What {@link histogramDelta} found. */
export interface HistogramDeltaResult {
  /** One per series of the later scrape, in its order. */
  readonly deltas: HistogramDelta[];
  /** Series of the earlier scrape that the later one no longer has (a restart, or an expired series). */
  readonly dropped: HistogramSeries[];
}

/** A histogram summed over series, as PromQL's `sum by (le, ...)`. */
export interface AggregatedHistogram {
  /** Only the labels aggregated by; a label missing on a series counts as "". */
  readonly labels: Readonly<Record<string, string>>;
  readonly key: string;
  /** Bucket counts summed by upper bound across the series, sorted by `upperBound`. */
  readonly buckets: readonly Bucket[];
  /** Summed `_sum`, in the metric's unit. */
  readonly sum: number;
  /** Summed `_count`. */
  readonly count: number;
  /** How many series were summed. */
  readonly series: number;
  /** True when any summed series saw a counter reset. */
  readonly reset: boolean;
}

/** A stable identity for a label set, independent of label order; `omit` is left out (e.g. `le`). */
export function labelKey(labels: Readonly<Record<string, string>>, omit?: string): string {
  const names = Object.keys(labels)
    .filter((name) => name !== omit)
    .sort();
  return JSON.stringify(names.map((name) => [name, labels[name]]));
}

interface Building {
  readonly labels: Record<string, string>;
  readonly key: string;
  readonly buckets: Map<number, Bucket>;
  sum: Sample | undefined;
  count: Sample | undefined;
}

/**
 * Groups the samples of histogram `name` (`name_bucket{le=…}`, `name_sum`, `name_count`) into series by their label
 * sets without `le`, in order of first appearance. Other samples are ignored.
 *
 * @throws MetricsParseError for a bucket without a numeric `le`, or a bucket, `_sum` or `_count` given twice.
 */
export function collectHistograms(samples: Iterable<Sample>, name: string): HistogramSeries[] {
  const series = new Map<string, Building>();
  const bucketName = `${name}_bucket`;
  const sumName = `${name}_sum`;
  const countName = `${name}_count`;
  for (const sample of samples) {
    if (sample.name !== bucketName && sample.name !== sumName && sample.name !== countName) continue;
    const key = labelKey(sample.labels, sample.name === bucketName ? 'le' : undefined);
    let building = series.get(key);
    if (!building) {
      const labels = newLabels();
      for (const [label, value] of Object.entries(sample.labels)) if (label !== 'le') labels[label] = value;
      building = { labels, key, buckets: new Map(), sum: undefined, count: undefined };
      series.set(key, building);
    }
    if (sample.name === bucketName) addBucket(building, sample);
    else if (sample.name === sumName) building.sum = once(building.sum, sample);
    else building.count = once(building.count, sample);
  }
  return [...series.values()].map((building) => {
    const buckets = [...building.buckets.values()].sort((a, b) => a.upperBound - b.upperBound);
    const last = buckets.at(-1);
    const inf = last?.upperBound === Infinity ? last.count : NaN;
    return {
      name,
      labels: building.labels,
      key: building.key,
      buckets,
      sum: building.sum?.value ?? NaN,
      count: building.count?.value ?? inf,
    };
  });
}

function addBucket(building: Building, sample: Sample): void {
  const le = sample.labels.le;
  const upperBound = le === undefined ? NaN : parseLe(le);
  if (Number.isNaN(upperBound)) {
    throw new MetricsParseError(
      sample.line,
      `bucket ${sample.name} needs a numeric "le" label, not ${JSON.stringify(le)}`,
    );
  }
  if (building.buckets.has(upperBound)) {
    throw new MetricsParseError(sample.line, `bucket le="${le}" of ${sample.name}${building.key} appears twice`);
  }
  building.buckets.set(upperBound, { upperBound, count: sample.value });
}

function parseLe(le: string): number {
  return isFloatToken(le, 0, le.length) ? floatValue(le, 0, le.length) : NaN;
}

function once(previous: Sample | undefined, sample: Sample): Sample {
  if (previous) {
    throw new MetricsParseError(
      sample.line,
      `${sample.name} appears twice for one series (first on line ${previous.line})`,
    );
  }
  return sample;
}

/**
 * Per-series change between two scrapes of one target, `before` taken first. Series are matched by name and label
 * set. A series that went down in any bucket or in `_count`, or whose bucket bounds changed (only a new binary does
 * that), counts as reset: its `after` values are the delta. A series only in `after` is new: it started from zero
 * inside the window, so its delta is `after` as well.
 */
export function histogramDelta(
  before: readonly HistogramSeries[],
  after: readonly HistogramSeries[],
): HistogramDeltaResult {
  const earlier = new Map(before.map((series) => [`${series.name}\u0000${series.key}`, series]));
  const deltas = after.map((later): HistogramDelta => {
    const id = `${later.name}\u0000${later.key}`;
    const prior = earlier.get(id);
    earlier.delete(id);
    if (!prior) return { ...later, reset: false, isNew: true };
    const sameLayout =
      prior.buckets.length === later.buckets.length &&
      prior.buckets.every((bucket, i) => bucket.upperBound === later.buckets[i]?.upperBound);
    const decreased =
      later.count < prior.count || later.buckets.some((bucket, i) => bucket.count < (prior.buckets[i]?.count ?? 0));
    if (!sameLayout || decreased) return { ...later, reset: true, isNew: false };
    return {
      ...later,
      buckets: later.buckets.map((bucket, i) => ({
        upperBound: bucket.upperBound,
        count: bucket.count - (prior.buckets[i]?.count ?? 0),
      })),
      sum: later.sum - prior.sum,
      count: later.count - prior.count,
      reset: false,
      isNew: false,
    };
  });
  return { deltas, dropped: [...earlier.values()] };
}

/**
 * Sums histograms across series grouped by the labels in `by` (PromQL `sum by (le, <by>)`), in order of first
 * appearance. Buckets are summed by upper bound; series with different bucket layouts still add up, and
 * `histogramQuantile` evens out the non-monotonic result as Prometheus does.
 */
export function aggregate(
  series: Iterable<HistogramSeries & { readonly reset?: boolean }>,
  by: readonly string[],
): AggregatedHistogram[] {
  const groups = new Map<
    string,
    {
      labels: Record<string, string>;
      buckets: Map<number, number>;
      sum: number;
      count: number;
      series: number;
      reset: boolean;
    }
  >();
  for (const one of series) {
    const labels = newLabels();
    for (const name of by) labels[name] = one.labels[name] ?? '';
    const key = labelKey(labels);
    let group = groups.get(key);
    if (!group) {
      group = { labels, buckets: new Map(), sum: 0, count: 0, series: 0, reset: false };
      groups.set(key, group);
    }
    for (const bucket of one.buckets) {
      group.buckets.set(bucket.upperBound, (group.buckets.get(bucket.upperBound) ?? 0) + bucket.count);
    }
    group.sum += one.sum;
    group.count += one.count;
    group.series++;
    group.reset ||= one.reset === true;
  }
  return [...groups].map(([key, group]) => ({
    labels: group.labels,
    key,
    buckets: [...group.buckets]
      .map(([upperBound, count]) => ({ upperBound, count }))
      .sort((a, b) => a.upperBound - b.upperBound),
    sum: group.sum,
    count: group.count,
    series: group.series,
    reset: group.reset,
  }));
}
