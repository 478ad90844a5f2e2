import type { Bucket } from '../../src/metrics/histogram.js';

/** The buckets of `apiserver_request_duration_seconds` since Kubernetes 1.23, in seconds. */
export const APISERVER_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
] as const;

/** Observations per bucket: [upper bound, how many fell in that bucket alone] (Infinity for above the last bound). */
export type Observations = ReadonlyArray<readonly [number, number]>;

export interface SeriesSpec {
  readonly labels: Readonly<Record<string, string>>;
  readonly observations: Observations;
  /** The `_sum` in seconds; defaults to each observation at its bucket's upper bound. */
  readonly sum?: number;
}

/** Cumulative buckets from per-bucket observations, over `bounds` plus +Inf. */
export function cumulative(observations: Observations, bounds: readonly number[] = APISERVER_BUCKETS): Bucket[] {
  let running = 0;
  return [...bounds, Infinity].map((upperBound) => {
    for (const [bound, count] of observations) if (bound === upperBound) running += count;
    return { upperBound, count: running };
  });
}

/** Both scrapes' observations together: `earlier` then `window`. */
export function plus(earlier: Observations, window: Observations): Observations {
  return [...earlier, ...window];
}

function formatLabels(labels: Readonly<Record<string, string>>, le?: string): string {
  const pairs = Object.entries(labels).map(
    ([name, value]) => `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  if (le !== undefined) pairs.push(`le="${le}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/** Prometheus text of one histogram family, as client_golang writes it. */
export function histogramText(
  name: string,
  series: readonly SeriesSpec[],
  bounds: readonly number[] = APISERVER_BUCKETS,
): string {
  const lines = [`# HELP ${name} [STABLE] Response latency distribution in seconds.`, `# TYPE ${name} histogram`];
  for (const one of series) {
    const buckets = cumulative(one.observations, bounds);
    for (const bucket of buckets) {
      const le = bucket.upperBound === Infinity ? '+Inf' : String(bucket.upperBound);
      lines.push(`${name}_bucket${formatLabels(one.labels, le)} ${bucket.count}`);
    }
    const sum = one.sum ?? one.observations.reduce((total, [bound, count]) => total + count * Math.min(bound, 60), 0);
    lines.push(`${name}_sum${formatLabels(one.labels)} ${sum}`);
    lines.push(`${name}_count${formatLabels(one.labels)} ${buckets.at(-1)?.count ?? 0}`);
  }
  return `${lines.join('\n')}\n`;
}
