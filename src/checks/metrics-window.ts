import {
  aggregate,
  collectHistograms,
  histogramDelta,
  histogramQuantile,
  type MetricsWindow,
  type ParsedMetrics,
} from '../metrics/index.js';
import { clusterSetting } from '../core/setting-name.js';
import { scrapeApiServer } from './apiserver-metrics-text.js';
import type { CheckContext } from './check.js';
import { QUERIES, prometheusWindow } from './prometheus-window.js';

export type { MetricsWindow };

/** Identifies the API server process that answered a scrape. */
const START_TIME = 'process_start_time_seconds';

/** The metric families the apiserver-latency checks read; the parser skips every other family without allocating. */
const SCRAPED_FAMILIES: ReadonlySet<string> = new Set([...Object.keys(QUERIES), START_TIME]);

/** How many times the second scrape is retried to land on the API server that answered the first. */
const SAME_SERVER_ATTEMPTS = 5;

/**
 * The window shared by every latency check of a run: one scrape, a wait, a second scrape. Cumulative histograms
 * describe the server's whole uptime; only their deltas describe now.
 */
export function metricsWindow(context: CheckContext, windowSeconds: number): Promise<MetricsWindow> {
  return context.once(`metrics-window:${windowSeconds}`, async (run) => {
    if (run.prometheus) return prometheusWindow(run.prometheus, run.signal);
    const scrape = () => scrapeApiServer(run.kube, run.now, SCRAPED_FAMILIES);
    const first = await scrape();
    await run.sleep(windowSeconds * 1000, run.signal);
    // Behind a load balancer each scrape may reach another replica (or the server restarted): deltas between two
    // processes mean nothing, so insist on the same process or give up with what to do instead.
    const startedAt = (metrics: ParsedMetrics) => metrics.get(START_TIME)?.samples[0]?.value;
    const before = first.value;
    let second = await scrape();
    for (
      let attempt = 1;
      startedAt(second.value) !== startedAt(before) && attempt < SAME_SERVER_ATTEMPTS;
      attempt += 1
    ) {
      second = await scrape();
    }
    const after = second.value;
    if (startedAt(after) !== startedAt(before)) {
      throw new Error(
        `the two scrapes of /metrics reached different API server processes (started at ${startedAt(before)} and ${startedAt(after)}): a load balancer spreads requests over several API servers, or one restarted. Set ${clusterSetting(context.run.cluster, 'prometheus.url')} to read the window from Prometheus, or point the kubeconfig at a single API server`,
      );
    }
    const seconds = (second.atMs - first.atMs) / 1000;
    return {
      before,
      after,
      seconds,
      source: `two scrapes of the API server's /metrics ${Math.round(seconds)} s apart`,
    };
  });
}

/** One group of a windowed histogram: how many observations and their quantiles (in the metric's unit). */
export interface WindowedQuantiles {
  labels: Readonly<Record<string, string>>;
  count: number;
  p50: number;
  p90: number;
  p99: number;
  reset: boolean;
}

/** Bucket deltas of `metric` over the window, summed by `by`, with p50/p90/p99 per group; empty groups dropped. */
export function windowedQuantiles(
  window: MetricsWindow,
  metric: string,
  by: readonly string[],
  keep: (labels: Readonly<Record<string, string>>) => boolean = () => true,
): WindowedQuantiles[] {
  const series = (scrape: ParsedMetrics) =>
    collectHistograms(scrape.get(metric)?.samples ?? [], metric).filter((one) => keep(one.labels));
  const { deltas } = histogramDelta(series(window.before), series(window.after));
  return aggregate(deltas, by)
    .filter((group) => group.count > 0)
    .map((group) => ({
      labels: group.labels,
      count: group.count,
      p50: histogramQuantile(0.5, group.buckets),
      p90: histogramQuantile(0.9, group.buckets),
      p99: histogramQuantile(0.99, group.buckets),
      reset: group.reset,
    }))
    .sort((a, b) => b.p99 - a.p99);
}

type Grouped = Map<string, { labels: Record<string, string>; value: number }>;

/** Sums a family's samples by the chosen labels (a label a sample lacks counts as ""). */
function sumBy(metrics: ParsedMetrics, metric: string, by: readonly string[]): Grouped {
  const groups: Grouped = new Map();
  for (const sample of metrics.get(metric)?.samples ?? []) {
    const labels = Object.fromEntries(by.map((name) => [name, sample.labels[name] ?? '']));
    const key = JSON.stringify(labels);
    const entry = groups.get(key) ?? { labels, value: 0 };
    entry.value += sample.value;
    groups.set(key, entry);
  }
  return groups;
}

/** Counter increase per label group over the window (a reset counts the later value, like `increase()`). */
export function windowedIncrease(
  window: MetricsWindow,
  metric: string,
  by: readonly string[],
): Array<{ labels: Record<string, string>; increase: number }> {
  const before = sumBy(window.before, metric, by);
  return [...sumBy(window.after, metric, by)].map(([key, entry]) => {
    const earlier = before.get(key)?.value ?? 0;
    return { labels: entry.labels, increase: entry.value >= earlier ? entry.value - earlier : entry.value };
  });
}

/** The latest value of a gauge per label group (summed within a group). */
export function gaugeValues(
  metrics: ParsedMetrics,
  metric: string,
  by: readonly string[],
): Array<{ labels: Record<string, string>; value: number }> {
  return [...sumBy(metrics, metric, by).values()];
}
