import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePrometheusText, type ParsedMetrics } from '../metrics/index.js';

/**
 * A stand-in for the Prometheus that scrapes a cluster, for tests and the sandbox: it stores the scrapes it is told
 * to take and answers `/api/v1/query` for the expression shapes Quorum sends — `sum by (…) (increase(m[Ns]))` and
 * `max|sum by (…) (m)` — with the real API's JSON. `increase` here is the plain difference between the newest
 * scrape and the oldest one inside the range (reset-aware), without Prometheus' extrapolation.
 */
export interface FakePrometheus {
  url: string;
  /** Takes one scrape now (by the injected clock). */
  scrape(): Promise<void>;
  /** Queries answered so far. */
  queries: string[];
  stop(): Promise<void>;
}

interface Stored {
  at: number;
  metrics: ParsedMetrics;
}

const INCREASE = /^sum by \(([^)]*)\) \(increase\(([a-zA-Z_:][\w:]*)\[(\d+)s\]\)\)$/;
const GAUGE = /^(max|sum) by \(([^)]*)\) \(([a-zA-Z_:][\w:]*)\)$/;

type Series = Map<string, { labels: Record<string, string>; value: number }>;

function family(metrics: ParsedMetrics, sampleName: string) {
  const base = sampleName.replace(/_(bucket|sum|count)$/, '');
  return [
    ...(metrics.get(sampleName)?.samples ?? []),
    ...(base !== sampleName ? (metrics.get(base)?.samples ?? []) : []),
  ].filter((sample) => sample.name === sampleName);
}

function seriesOf(metrics: ParsedMetrics, name: string): Series {
  const series: Series = new Map();
  for (const sample of family(metrics, name))
    series.set(JSON.stringify(Object.entries(sample.labels).sort()), {
      labels: { ...sample.labels },
      value: sample.value,
    });
  return series;
}

function groupBy(
  entries: Iterable<{ labels: Record<string, string>; value: number }>,
  by: readonly string[],
  combine: 'sum' | 'max',
) {
  const groups = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const entry of entries) {
    // PromQL leaves empty labels out of results.
    const labels = Object.fromEntries(by.flatMap((name) => (entry.labels[name] ? [[name, entry.labels[name]]] : [])));
    const key = JSON.stringify(labels);
    const group = groups.get(key);
    if (!group) groups.set(key, { labels, value: entry.value });
    else group.value = combine === 'sum' ? group.value + entry.value : Math.max(group.value, entry.value);
  }
  return [...groups.values()];
}

export async function startFakePrometheus(options: {
  scrape: () => Promise<string>;
  now: () => number;
}): Promise<FakePrometheus> {
  const stored: Stored[] = [];
  const queries: string[] = [];
  const evaluate = (expression: string) => {
    const latest = stored.at(-1);
    if (!latest) return [];
    const increase = INCREASE.exec(expression);
    if (increase) {
      const [, by = '', name = '', seconds = '0'] = increase;
      const oldest = stored.find((scrape) => scrape.at >= latest.at - Number(seconds) * 1000) ?? latest;
      const before = seriesOf(oldest.metrics, name);
      const deltas = [...seriesOf(latest.metrics, name)].map(([key, entry]) => {
        const earlier = before.get(key)?.value ?? 0;
        return { labels: entry.labels, value: entry.value >= earlier ? entry.value - earlier : entry.value };
      });
      return groupBy(
        deltas,
        by.split(',').map((label) => label.trim()),
        'sum',
      );
    }
    const gauge = GAUGE.exec(expression);
    if (gauge) {
      const [, combine = 'sum', by = '', name = ''] = gauge;
      return groupBy(
        seriesOf(latest.metrics, name).values(),
        by.split(',').map((label) => label.trim()),
        combine as 'sum' | 'max',
      );
    }
    throw new Error(`the fake Prometheus does not evaluate "${expression}"`);
  };
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET' || url.pathname !== '/api/v1/query')
      return send(404, { status: 'error', errorType: 'not_found', error: 'not found' });
    const expression = url.searchParams.get('query') ?? '';
    queries.push(expression);
    try {
      const result = evaluate(expression).map((entry) => ({
        metric: entry.labels,
        value: [options.now() / 1000, String(entry.value)],
      }));
      send(200, { status: 'success', data: { resultType: 'vector', result } });
    } catch (error) {
      send(400, { status: 'error', errorType: 'bad_data', error: (error as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queries,
    async scrape() {
      stored.push({ at: options.now(), metrics: parsePrometheusText(await options.scrape()) });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
