import { describe, expect, it } from '@jest/globals';
import { parsePrometheusText } from '../../src/metrics/parse-prometheus-text.js';
import { isLongRunning, REQUEST_DURATION_METRIC, requestLatency } from '../../src/metrics/request-latency.js';
import { histogramText, plus, type Observations, type SeriesSpec } from './fixtures.js';

/** The labels kube-apiserver puts on `apiserver_request_duration_seconds`. */
function labels(verb: string, resource: string, scope: string, extra: Record<string, string> = {}) {
  return {
    component: 'apiserver',
    dry_run: '',
    group: '',
    resource,
    scope,
    subresource: '',
    verb,
    version: 'v1',
    ...extra,
  };
}

interface Spec {
  readonly labels: Record<string, string>;
  readonly history: Observations;
  /** Observations between the scrapes; `restart` means the server restarted and `window` is all it has seen. */
  readonly window: Observations;
  readonly restart?: boolean;
}

function scrapes(specs: readonly Spec[]) {
  const parse = (series: SeriesSpec[]) =>
    parsePrometheusText(`process_start_time_seconds 1.7e9\n${histogramText(REQUEST_DURATION_METRIC, series)}`, {
      families: new Set([REQUEST_DURATION_METRIC]),
    });
  return {
    before: parse(specs.map((spec) => ({ labels: spec.labels, observations: spec.history }))),
    after: parse(
      specs.map((spec) => ({
        labels: spec.labels,
        observations: spec.restart ? spec.window : plus(spec.history, spec.window),
      })),
    ),
  };
}

describe('requestLatency', () => {
  const specs: Spec[] = [
    {
      labels: labels('GET', 'pods', 'namespace'),
      history: [[0.025, 1000]],
      window: [
        [0.025, 80],
        [0.05, 20],
      ],
    },
    { labels: labels('LIST', 'pods', 'cluster'), history: [[0.1, 10]], window: [[1, 10]] },
    // Same row as the one above: version and group are summed over.
    { labels: labels('LIST', 'pods', 'cluster', { version: 'v1beta1' }), history: [], window: [[2, 10]] },
    {
      labels: labels('WATCH', 'pods', 'cluster'),
      history: [[60, 100]],
      window: [
        [60, 5],
        [Infinity, 5],
      ],
    },
    { labels: labels('WATCHLIST', 'pods', 'cluster'), history: [], window: [[60, 5]] },
    { labels: labels('CONNECT', 'pods', 'namespace', { subresource: 'exec' }), history: [], window: [[30, 2]] },
    { labels: labels('GET', 'pods', 'namespace', { subresource: 'log' }), history: [], window: [[45, 3]] },
    { labels: labels('GET', 'services', 'namespace', { subresource: 'proxy' }), history: [], window: [[10, 3]] },
    { labels: labels('GET', 'nodes', 'resource'), history: [[0.05, 40]], window: [] },
    {
      labels: labels('POST', 'events', 'namespace', { group: 'events.k8s.io' }),
      history: [[0.1, 500]],
      window: [[0.05, 7]],
      restart: true,
    },
  ];

  it('gives count and p50/p90/p99 per verb, resource, subresource and scope, highest p99 first', () => {
    const { before, after } = scrapes(specs);
    const rows = requestLatency(before, after);
    expect(
      rows.map(({ verb, resource, subresource, scope, requests, reset }) => ({
        verb,
        resource,
        subresource,
        scope,
        requests,
        reset,
      })),
    ).toEqual([
      { verb: 'LIST', resource: 'pods', subresource: '', scope: 'cluster', requests: 20, reset: false },
      { verb: 'POST', resource: 'events', subresource: '', scope: 'namespace', requests: 7, reset: true },
      { verb: 'GET', resource: 'pods', subresource: '', scope: 'namespace', requests: 100, reset: false },
    ]);
    const quantiles = rows.map((row) => [row.p50Seconds, row.p90Seconds, row.p99Seconds]);
    const expected = [
      // LIST: 10 in (0.8, 1], 10 in (1.5, 2]. p50 rank 10 → 1; p90 rank 18 → 1.5 + 0.5 × 8/10; p99 rank 19.8.
      [1, 1.9, 1.99],
      // POST after a restart: 7 in (0.025, 0.05]. Ranks 3.5, 6.3, 6.93.
      [0.0375, 0.0475, 0.04975],
      // GET: 80 in (0.005, 0.025], 20 in (0.025, 0.05]. p50 rank 50 → 0.005 + 0.02 × 50/80; p90 rank 90; p99 rank 99.
      [0.0175, 0.0375, 0.04875],
    ];
    quantiles.forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(expected[i]?.[j] ?? NaN, 12)));
  });

  it('leaves out WATCH, CONNECT and long-running subresources however slow they are', () => {
    const { before, after } = scrapes(specs);
    const rows = requestLatency(before, after);
    expect(rows.some((row) => ['WATCH', 'WATCHLIST', 'CONNECT'].includes(row.verb))).toBe(false);
    expect(rows.some((row) => row.subresource !== '')).toBe(false);
    expect(Math.max(...rows.map((row) => row.p99Seconds))).toBeLessThan(2);
  });

  it('gives no rows when the histogram is missing from the scrapes', () => {
    const empty = parsePrometheusText('up 1\n');
    expect(requestLatency(empty, empty)).toEqual([]);
  });

  it('counts a series that first appears in the later scrape whole', () => {
    const { before, after } = scrapes([
      { labels: labels('DELETE', 'pods', 'namespace'), history: [], window: [[0.2, 4]] },
    ]);
    const beforeWithout = parsePrometheusText('');
    expect(requestLatency(beforeWithout, after)).toMatchObject([{ verb: 'DELETE', requests: 4, reset: false }]);
    expect(requestLatency(before, after)).toMatchObject([{ verb: 'DELETE', requests: 4, reset: false }]);
  });
});

describe('isLongRunning', () => {
  /** [verb, subresource, long-running] */
  const cases: ReadonlyArray<[string, string, boolean]> = [
    ['WATCH', '', true],
    ['watch', '', true],
    ['WATCHLIST', '', true],
    ['CONNECT', 'portforward', true],
    ['GET', 'log', true],
    ['GET', 'attach', true],
    ['POST', 'exec', true],
    ['GET', 'proxy', true],
    ['GET', '', false],
    ['LIST', '', false],
    ['PATCH', 'status', false],
    ['APPLY', '', false],
  ];
  it.each(cases)('%s with subresource "%s" → %s', (verb, subresource, expected) => {
    expect(isLongRunning({ verb, subresource })).toBe(expected);
  });
});
