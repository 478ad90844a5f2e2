import {
  MetricType,
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

function toSamples(name: string, results: readonly InstantSample[]): Sample[] {
  return results.map((result, index) => {
    const labels = { ...result.labels };
    delete labels.__name__;
    // PromQL prints empty labels not at all; the checks group on them, so give the grouped ones back as "".
    return { name, labels, value: result.value, timestampMs: undefined, line: index + 1 };
  });
}

async function family(
  prometheus: PrometheusReader,
  name: string,
  kind: Kind,
  range: string,
): Promise<MetricFamily | undefined> {
  if ('histogram' in kind) {
    const by = kind.histogram.join(', ');
    const [buckets, counts, sums] = await Promise.all([
      prometheus.query(`sum by (le, ${by}) (increase(${name}_bucket[${range}]))`),
      prometheus.query(`sum by (${by}) (increase(${name}_count[${range}]))`),
      prometheus.query(`sum by (${by}) (increase(${name}_sum[${range}]))`),
    ]);
    if (buckets.length === 0) return undefined;
    const samples = [
      ...toSamples(`${name}_bucket`, buckets),
      ...toSamples(`${name}_count`, counts),
      ...toSamples(`${name}_sum`, sums),
    ];
    return { name, type: MetricType.Histogram, help: undefined, samples };
  }
  const expression =
    'counter' in kind
      ? `sum by (${kind.counter.join(', ')}) (increase(${name}[${range}]))`
      : `${kind.aggregate} by (${kind.gauge.join(', ')}) (${name})`;
  const results = await prometheus.query(expression);
  if (results.length === 0) return undefined;
  return {
    name,
    type: 'counter' in kind ? MetricType.Counter : MetricType.Gauge,
    help: undefined,
    samples: toSamples(name, results),
  };
}

/** The latency window from Prometheus: increases over `rangeSeconds` as "after", nothing as "before". */
export async function prometheusWindow(prometheus: PrometheusReader, rangeSeconds: number): Promise<MetricsWindow> {
  const range = `${Math.round(rangeSeconds)}s`;
  const entries = await Promise.all(
    Object.entries(QUERIES).map(async ([name, kind]) => [name, await family(prometheus, name, kind, range)] as const),
  );
  const after: ParsedMetrics = new Map(
    entries.filter((entry): entry is readonly [string, MetricFamily] => entry[1] !== undefined),
  );
  return { before: new Map(), after, seconds: rangeSeconds, source: `Prometheus ${prometheus.url} (range ${range})` };
}
