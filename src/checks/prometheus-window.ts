import { setMaxListeners } from 'node:events';
import {
  formatLabelMatchers,
  MetricType,
  selectSeries,
  type LabelMatcher,
  type MetricFamily,
  type MetricsWindow,
  type ParsedMetrics,
  type Sample,
} from '../metrics/index.js';
import type { InstantSample, PrometheusReader } from '../ports/prometheus-reader.js';

type Kind =
  | { histogram: readonly string[] }
  | { counter: readonly string[] }
  | { gauge: readonly string[]; aggregate: 'max' | 'sum' };

/**
 * What each family the latency checks read becomes in PromQL. Histograms and counters become their increase over the
 * range, so that the same bucket-delta code (and the same `histogram_quantile`, which is what PromQL's
 * `histogram_quantile(q, rate(…[5m]))` computes: rates and increases differ by a constant) gives the same findings as
 * two scrapes. Gauges are per API server: `max` keeps "how close to its limit is the busiest one".
 */
export const QUERIES: Readonly<Record<string, Kind>> = {
  apiserver_request_duration_seconds: { histogram: ['verb', 'resource', 'subresource', 'scope'] },
  apiserver_admission_webhook_admission_duration_seconds: { histogram: ['name', 'type', 'operation'] },
  etcd_request_duration_seconds: { histogram: ['operation', 'group', 'resource', 'type'] },
  apiserver_flowcontrol_request_wait_duration_seconds: { histogram: ['priority_level', 'flow_schema', 'execute'] },
  apiserver_flowcontrol_rejected_requests_total: { counter: ['priority_level', 'flow_schema', 'reason'] },
  apiserver_request_total: { counter: ['code', 'verb', 'resource'] },
  apiserver_current_inflight_requests: { gauge: ['request_kind', 'requestKind'], aggregate: 'max' },
  apiserver_flowcontrol_current_inqueue_requests: { gauge: ['priority_level', 'flow_schema'], aggregate: 'sum' },
  apiserver_flowcontrol_dispatched_requests_total: { counter: ['priority_level', 'flow_schema'] },
  apiserver_flowcontrol_current_executing_seats: { gauge: ['priority_level', 'flow_schema'], aggregate: 'max' },
  apiserver_flowcontrol_request_concurrency_in_use: { gauge: ['priority_level', 'flow_schema'], aggregate: 'max' },
  apiserver_flowcontrol_current_limit_seats: { gauge: ['priority_level'], aggregate: 'max' },
  apiserver_flowcontrol_nominal_limit_seats: { gauge: ['priority_level'], aggregate: 'max' },
  apiserver_flowcontrol_request_concurrency_limit: { gauge: ['priority_level'], aggregate: 'max' },
  apiserver_storage_objects: { gauge: ['resource'], aggregate: 'max' },
  apiserver_resource_objects: { gauge: ['group', 'resource'], aggregate: 'max' },
};

/** Where a latency window comes from when a Prometheus scrapes the API servers. */
export interface PrometheusWindowSource {
  reader: PrometheusReader;
  /** The `[range]` of `increase(…)` (s). */
  rangeSeconds: number;
  /** Label matchers added to every metric selector (`prometheus.selector`): one cluster's API servers only. */
  selector?: readonly LabelMatcher[];
}

function toSamples(name: string, results: readonly InstantSample[]): Sample[] {
  return results.map((result, index) => {
    const labels = { ...result.labels };
    delete labels.__name__;
    return { name, labels, value: result.value, timestampMs: undefined, line: index + 1 };
  });
}

/** One query of the window: every expression Quorum builds is an aggregation, so anything but a vector is a bug. */
async function vector(prometheus: PrometheusReader, expression: string, signal: AbortSignal): Promise<InstantSample[]> {
  const result = await prometheus.query(expression, { signal });
  if (result.resultType !== 'vector') {
    throw new Error(`Prometheus answered ${expression} with a ${result.resultType} instead of an instant vector`);
  }
  return result.samples;
}

/** The PromQL of one family: increases over the range for histograms and counters, the current value for gauges. */
function familyQueries(name: string, kind: Kind, range: string, selector: readonly LabelMatcher[]): string[] {
  const series = (metric: string) => selectSeries(metric, selector);
  if ('histogram' in kind) {
    const by = kind.histogram.join(', ');
    return [
      `sum by (le, ${by}) (increase(${series(`${name}_bucket`)}[${range}]))`,
      `sum by (${by}) (increase(${series(`${name}_count`)}[${range}]))`,
      `sum by (${by}) (increase(${series(`${name}_sum`)}[${range}]))`,
    ];
  }
  if ('counter' in kind) return [`sum by (${kind.counter.join(', ')}) (increase(${series(name)}[${range}]))`];
  return [`${kind.aggregate} by (${kind.gauge.join(', ')}) (${series(name)})`];
}

async function family(
  prometheus: PrometheusReader,
  name: string,
  kind: Kind,
  queries: readonly string[],
  signal: AbortSignal,
): Promise<MetricFamily | undefined> {
  const results = await Promise.all(queries.map((expression) => vector(prometheus, expression, signal)));
  if ((results[0]?.length ?? 0) === 0) return undefined;
  if ('histogram' in kind) {
    const [buckets = [], counts = [], sums = []] = results;
    const samples = [
      ...toSamples(`${name}_bucket`, buckets),
      ...toSamples(`${name}_count`, counts),
      ...toSamples(`${name}_sum`, sums),
    ];
    return { name, type: MetricType.Histogram, help: undefined, samples };
  }
  return {
    name,
    type: 'counter' in kind ? MetricType.Counter : MetricType.Gauge,
    help: undefined,
    samples: toSamples(name, results[0] ?? []),
  };
}

/**
 * The latency window from Prometheus: increases over `rangeSeconds` as "after", nothing as "before", of the series
 * the selector matches.
 *
 * @throws Error when Prometheus holds none of the families: a selector that matches nothing, or no scrapes.
 */
export async function prometheusWindow(source: PrometheusWindowSource, signal: AbortSignal): Promise<MetricsWindow> {
  const { reader, rangeSeconds, selector = [] } = source;
  const range = `${Math.round(rangeSeconds)}s`;
  const planned = Object.entries(QUERIES).map(
    ([name, kind]) => [name, kind, familyQueries(name, kind, range, selector)] as const,
  );
  // All queries run at once, each listening for an abort: one listener on the caller's signal, the rest on ours
  // (Node warns about a possible leak above 10 listeners on one signal).
  const window = new AbortController();
  setMaxListeners(planned.reduce((sum, [, , queries]) => sum + queries.length, 0) + 1, window.signal);
  const forward = (): void => window.abort(signal.reason);
  if (signal.aborted) forward();
  else signal.addEventListener('abort', forward, { once: true });
  let entries: Array<readonly [string, MetricFamily | undefined]>;
  try {
    entries = await Promise.all(
      planned.map(
        async ([name, kind, queries]) => [name, await family(reader, name, kind, queries, window.signal)] as const,
      ),
    );
  } catch (error) {
    // One failed query sinks the window: the others need not keep Prometheus busy.
    window.abort(error);
    throw error;
  } finally {
    signal.removeEventListener('abort', forward);
  }
  const after: ParsedMetrics = new Map(
    entries.filter((entry): entry is readonly [string, MetricFamily] => entry[1] !== undefined),
  );
  const matchers = selector.length > 0 ? `{${formatLabelMatchers(selector)}}` : undefined;
  if (after.size === 0) {
    throw new Error(
      `Prometheus ${reader.url} has none of the API server's metrics (${Object.keys(QUERIES)[0]}…)${matchers ? ` matching ${matchers}` : ''} with two samples in the last ${range}: check that it scrapes the API servers${matchers ? ', that prometheus.selector matches their labels' : ''}, and that prometheus.rangeSeconds spans at least two scrape intervals`,
    );
  }
  return {
    before: new Map(),
    after,
    seconds: rangeSeconds,
    source: `Prometheus ${reader.url} (range ${range}, ${matchers ? `selector ${matchers}` : 'no selector: every series it holds'})`,
  };
}
