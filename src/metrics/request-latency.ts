import { aggregate, collectHistograms, histogramDelta } from './histogram.js';
import { histogramQuantile } from './histogram-quantile.js';
import type { ParsedMetrics } from './metric-family.js';

/** The API server's request latency histogram (stable since Kubernetes 1.17; buckets 0.005 s to 60 s). */
export const REQUEST_DURATION_METRIC = 'apiserver_request_duration_seconds';

/** Verbs whose requests stay open for as long as the client wants: their "latency" is a session length. */
export const LONG_RUNNING_VERBS: ReadonlySet<string> = new Set(['WATCH', 'WATCHLIST', 'CONNECT']);

/** Subresources that stream or tunnel (kubectl logs -f, exec, port-forward…), long-running whatever the verb. */
export const LONG_RUNNING_SUBRESOURCES: ReadonlySet<string> = new Set([
  'proxy',
  'attach',
  'log',
  'exec',
  'portforward',
]);

/** The labels one row stands for; group, version, dry_run and component are summed over. */
const ROW_LABELS = ['verb', 'resource', 'subresource', 'scope'] as const;

/** Latency of one kind of API request during the window between two scrapes. */
export interface RequestLatency {
  readonly verb: string;
  readonly resource: string;
  /** "" for requests on the resource itself. */
  readonly subresource: string;
  /** `resource`, `namespace` or `cluster`; "" for non-resource URLs. */
  readonly scope: string;
  /** Requests completed in the window. */
  readonly requests: number;
  /** Median latency in the window, in seconds. */
  readonly p50Seconds: number;
  /** 90th percentile latency in the window, in seconds. */
  readonly p90Seconds: number;
  /** 99th percentile latency in the window, in seconds; at most the highest finite bucket (60 s). */
  readonly p99Seconds: number;
  /**
   * The API server restarted between the scrapes: the numbers cover the time since the restart, not the window.
   */
  readonly reset: boolean;
}

/** True for requests whose duration is how long a stream stayed open, not how fast the server answered. */
export function isLongRunning(labels: Readonly<Record<string, string>>): boolean {
  return (
    LONG_RUNNING_VERBS.has((labels.verb ?? '').toUpperCase()) || LONG_RUNNING_SUBRESOURCES.has(labels.subresource ?? '')
  );
}

/**
 * Per (verb, resource, subresource, scope), how many API requests completed between two scrapes of one API server
 * and their p50/p90/p99 latency, from the deltas of `apiserver_request_duration_seconds` buckets. The cumulative
 * buckets cover the server's whole life and hide a recent spike; the window shows it. WATCH, CONNECT and
 * long-running subresources are left out: their durations are session lengths and would drown the real latency.
 *
 * @param before - the earlier scrape, parsed (only the histogram's family is needed).
 * @param after - the later scrape of the same API server.
 * @returns rows with at least one request in the window, highest p99 first.
 */
export function requestLatency(before: ParsedMetrics, after: ParsedMetrics): RequestLatency[] {
  const series = (scrape: ParsedMetrics) =>
    collectHistograms(scrape.get(REQUEST_DURATION_METRIC)?.samples ?? [], REQUEST_DURATION_METRIC).filter(
      (one) => !isLongRunning(one.labels),
    );
  const { deltas } = histogramDelta(series(before), series(after));
  const rows = aggregate(deltas, ROW_LABELS)
    .filter((group) => group.count > 0)
    .map((group): RequestLatency => ({
      verb: group.labels.verb ?? '',
      resource: group.labels.resource ?? '',
      subresource: group.labels.subresource ?? '',
      scope: group.labels.scope ?? '',
      requests: group.count,
      p50Seconds: histogramQuantile(0.5, group.buckets),
      p90Seconds: histogramQuantile(0.9, group.buckets),
      p99Seconds: histogramQuantile(0.99, group.buckets),
      reset: group.reset,
    }));
  const order = (value: number) => (Number.isNaN(value) ? -Infinity : value);
  return rows.sort(
    (a, b) =>
      order(b.p99Seconds) - order(a.p99Seconds) ||
      b.requests - a.requests ||
      ROW_LABELS.reduce((result, label) => result || compareText(a[label], b[label]), 0),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
