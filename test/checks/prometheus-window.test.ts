import { describe, expect, it } from '@jest/globals';
import { prometheusWindow, QUERIES } from '../../src/checks/prometheus-window.js';
import { parseLabelMatchers } from '../../src/metrics/index.js';
import type { PrometheusReader, QueryOptions, QueryResult } from '../../src/ports/prometheus-reader.js';

/** A PrometheusReader that records what it is asked and answers one sample per query (the real one is tested apart). */
class RecordingReader implements PrometheusReader {
  readonly url = 'http://prometheus.test:9090/';
  readonly calls: Array<{ expression: string; signal: AbortSignal | undefined }> = [];
  constructor(private readonly answer: (expression: string) => QueryResult = vectorOfOne) {}
  async query(expression: string, options: QueryOptions = {}): Promise<QueryResult> {
    this.calls.push({ expression, signal: options.signal });
    return this.answer(expression);
  }
}

function vectorOfOne(expression: string): QueryResult {
  const labels: Record<string, string> = expression.includes('by (le,') ? { le: '+Inf' } : {};
  return { resultType: 'vector', samples: [{ labels, value: 1, timestampMs: 0 }] };
}

const METRIC = /\b((?:apiserver|etcd)_[a-z_]+)(\{[^}]*\})?/g;

/** Every metric selector in an expression: `name` or `name{…}`. */
function selectors(expression: string): string[] {
  return [...expression.matchAll(METRIC)].map((match) => match[0]);
}

describe('prometheusWindow', () => {
  /** [prometheus.selector, what every metric selector must carry]. */
  const cases: Array<[string | undefined, string]> = [
    [undefined, ''],
    ['cluster="prod-eu"', '{cluster="prod-eu"}'],
    ['cluster="prod-eu",job="apiserver"', '{cluster="prod-eu",job="apiserver"}'],
    [' cluster =~ \'prod-.*\' , job != "etcd" ', '{cluster=~"prod-.*",job!="etcd"}'],
    ['{env!~"dev|test",k8s_cluster="a\\"b"}', '{env!~"dev|test",k8s_cluster="a\\"b"}'],
  ];
  it.each(cases)('with selector %j puts %j on every metric of every query', async (selector, braces) => {
    const reader = new RecordingReader();
    await prometheusWindow(
      { reader, rangeSeconds: 300, ...(selector ? { selector: parseLabelMatchers(selector) } : {}) },
      new AbortController().signal,
    );
    const families = Object.values(QUERIES).reduce((sum, kind) => sum + ('histogram' in kind ? 3 : 1), 0);
    expect(reader.calls).toHaveLength(families);
    for (const { expression } of reader.calls) {
      const found = selectors(expression);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(new RegExp(`^[a-z_]+${braces.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    }
    expect(reader.calls.map((call) => call.expression)).toContain(
      `sum by (le, verb, resource, subresource, scope) (increase(apiserver_request_duration_seconds_bucket${braces}[300s]))`,
    );
    expect(reader.calls.map((call) => call.expression)).toContain(
      `max by (request_kind, requestKind) (apiserver_current_inflight_requests${braces})`,
    );
  });

  it('names the range and the selector in the evidence source', async () => {
    const reader = new RecordingReader();
    const signal = new AbortController().signal;
    const scoped = await prometheusWindow(
      { reader, rangeSeconds: 60, selector: parseLabelMatchers('cluster="a"') },
      signal,
    );
    expect(scoped.source).toBe('Prometheus http://prometheus.test:9090/ (range 60s, selector {cluster="a"})');
    expect(scoped.seconds).toBe(60);
    const everything = await prometheusWindow({ reader, rangeSeconds: 60 }, signal);
    expect(everything.source).toBe(
      'Prometheus http://prometheus.test:9090/ (range 60s, no selector: every series it holds)',
    );
  });

  it('gives every query one signal of the window\u2019s own, no longer tied to the check once the window is read', async () => {
    const reader = new RecordingReader();
    const check = new AbortController();
    await prometheusWindow({ reader, rangeSeconds: 300 }, check.signal);
    const signals = new Set(reader.calls.map((call) => call.signal));
    expect(signals.size).toBe(1);
    const [signal] = signals;
    expect(signal?.aborted).toBe(false);
    const reason = new Error('check deadline');
    check.abort(reason);
    // The window is done: its queries no longer listen to the check.
    expect(signal?.aborted).toBe(false);
  });

  it('hands the check\u2019s abort reason to queries still running', async () => {
    const check = new AbortController();
    const reason = new Error('check deadline');
    const reader = new RecordingReader();
    reader.query = (expression, options = {}) => {
      reader.calls.push({ expression, signal: options.signal });
      return new Promise((_, reject) =>
        options.signal?.addEventListener('abort', () => reject(options.signal?.reason)),
      );
    };
    const window = prometheusWindow({ reader, rangeSeconds: 300 }, check.signal);
    check.abort(reason);
    await expect(window).rejects.toBe(reason);
    expect(reader.calls.every((call) => call.signal?.aborted)).toBe(true);
  });

  it('stops the other queries when one fails', async () => {
    const refused = new Error('Prometheus refused the query');
    const reader = new RecordingReader();
    reader.query = (expression, options = {}) => {
      reader.calls.push({ expression, signal: options.signal });
      if (expression.includes('apiserver_request_total')) return Promise.reject(refused);
      return new Promise((_, reject) =>
        options.signal?.addEventListener('abort', () => reject(options.signal?.reason)),
      );
    };
    await expect(prometheusWindow({ reader, rangeSeconds: 300 }, new AbortController().signal)).rejects.toBe(refused);
    expect(reader.calls.every((call) => call.signal?.aborted)).toBe(true);
  });

  it('says to check the selector when Prometheus holds none of the API server\u2019s series', async () => {
    const reader = new RecordingReader(() => ({ resultType: 'vector', samples: [] }));
    await expect(
      prometheusWindow(
        { reader, rangeSeconds: 300, selector: parseLabelMatchers('cluster="nope"') },
        new AbortController().signal,
      ),
    ).rejects.toThrow(
      /has none of the API server's metrics .* matching \{cluster="nope"\} with two samples in the last 300s: .*that prometheus\.selector matches their labels/,
    );
  });

  it('refuses an answer that is not an instant vector', async () => {
    const reader = new RecordingReader(() => ({ resultType: 'scalar', value: 1, timestampMs: 0 }));
    await expect(prometheusWindow({ reader, rangeSeconds: 300 }, new AbortController().signal)).rejects.toThrow(
      /with a scalar instead of an instant vector/,
    );
  });
});
