import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, QuorumError } from '../../src/core/errors.js';
import { createPrometheusReader, MAX_GET_URL_BYTES } from '../../src/prometheus/http-prometheus-reader.js';
import { startFakePrometheus, type FakePrometheus } from '../../src/sandbox/fake-prometheus.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { apiserverTarget, startPrometheus, type PrometheusService } from '../helpers/services.js';

/** The error a query rejected with (fails the test when it resolved). */
async function failure(promise: Promise<unknown>): Promise<QuorumError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(QuorumError);
  expect((outcome.error as QuorumError).code).toBe(ErrorCode.PrometheusRequest);
  return outcome.error as QuorumError;
}

/** `up{job=~"apiserver|padding-0|…"}`, longer than a GET URL may be. */
function longQuery(): string {
  const padding = Array.from({ length: 1200 }, (_, index) => `padding-${index}`).join('|');
  const expression = `up{job=~"apiserver|${padding}"}`;
  expect(expression.length).toBeGreaterThan(MAX_GET_URL_BYTES);
  return expression;
}

describe('createPrometheusReader against a real Prometheus', () => {
  let simulator: RunningSimulator;
  let prometheus: PrometheusService;

  beforeAll(async () => {
    simulator = await startSimulator({ scenario: 'healthy' });
    prometheus = await startPrometheus({ targets: [apiserverTarget(simulator, { cluster: 'a' })] });
    await prometheus.waitForScrapes('cluster="a"', 2, { timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await Promise.allSettled([prometheus?.stop(), simulator?.stop()]);
  });

  it('reads `1` as a scalar, as the reachability probe sends it', async () => {
    const result = await createPrometheusReader({ url: prometheus.url }).query('1');
    expect(result).toEqual({ resultType: 'scalar', value: 1, timestampMs: expect.any(Number) });
  });

  it('reads an instant vector with the target labels Prometheus added', async () => {
    const result = await createPrometheusReader({ url: `${prometheus.url}/` }).query('up');
    expect(result).toEqual({
      resultType: 'vector',
      samples: [
        {
          labels: { __name__: 'up', job: 'apiserver', cluster: 'a', instance: `127.0.0.1:${simulator.port}` },
          value: 1,
          timestampMs: expect.any(Number),
        },
      ],
    });
  });

  it('reads a range vector as a matrix of raw samples', async () => {
    const result = await createPrometheusReader({ url: prometheus.url }).query('up[1h]');
    if (result.resultType !== 'matrix') throw new Error(`expected a matrix, got ${result.resultType}`);
    expect(result.series).toHaveLength(1);
    expect(result.series[0]?.samples.length).toBeGreaterThanOrEqual(2);
    expect(result.series[0]?.samples.every((sample) => sample.value === 1)).toBe(true);
  });

  it('reads a string literal as a string', async () => {
    const result = await createPrometheusReader({ url: prometheus.url }).query('"quorum"');
    expect(result).toEqual({ resultType: 'string', value: 'quorum', timestampMs: expect.any(Number) });
  });

  it('sends a query longer than a URL may be as a form POST, and Prometheus answers it', async () => {
    const result = await createPrometheusReader({ url: prometheus.url }).query(longQuery());
    expect(result).toMatchObject({ resultType: 'vector', samples: [{ labels: { job: 'apiserver' }, value: 1 }] });
  });

  it('gives Prometheus\u2019 own reason for a refused query, as a permanent error', async () => {
    const error = await failure(createPrometheusReader({ url: prometheus.url }).query('sum(up'));
    expect(error.message).toMatch(
      /^Prometheus at http:\/\/127\.0\.0\.1:\d+ refused the query "sum\(up" \(HTTP 400, bad_data\): .*parse error/,
    );
    expect(error.retryable).toBe(false);
  });

  it('says what to fix when the URL is not the Prometheus API', async () => {
    const error = await failure(createPrometheusReader({ url: `${prometheus.url}/graph` }).query('1'));
    expect(error.message).toMatch(/answered HTTP 404 .*is prometheus\.url \(--prometheus-url\) the base URL/);
    expect(error.retryable).toBe(false);
  });

  it('calls a Prometheus that is not listening unreachable, and retryable', async () => {
    const stopped = await startPrometheus();
    await stopped.stop();
    const error = await failure(createPrometheusReader({ url: stopped.url }).query('1'));
    expect(error.message).toMatch(/^Cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(error.retryable).toBe(true);
  });
});

describe('createPrometheusReader against answers a real Prometheus does not give on demand', () => {
  let fake: FakePrometheus;
  beforeEach(async () => {
    fake = await startFakePrometheus();
  });
  afterEach(async () => {
    await fake?.stop();
  });

  it('sends GET for ordinary queries and a form POST above the URL limit, with the bearer token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorum-token-'));
    try {
      const tokenFile = join(dir, 'token');
      writeFileSync(tokenFile, 'sekret\n');
      const reader = createPrometheusReader({ url: fake.url, bearerTokenFile: tokenFile });
      await reader.query('up');
      const expression = longQuery();
      await reader.query(expression);
      const [short, long] = fake.requests;
      expect(short).toMatchObject({ method: 'GET', path: '/api/v1/query', query: 'up' });
      expect(long).toMatchObject({ method: 'POST', path: '/api/v1/query', query: expression });
      expect(long?.headers['content-type']).toBe('application/x-www-form-urlencoded');
      for (const request of fake.requests) expect(request.headers.authorization).toBe('Bearer sekret');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops an answer that trickles in at the whole-request deadline (an idle timeout never fires)', async () => {
    // 16 bytes every 20 ms: the socket is never idle for more than 20 ms, and the 4 KiB body would take 5 s.
    fake.answer({ kind: 'trickle', body: ' '.repeat(4096), chunkBytes: 16, intervalMs: 20 });
    const began = Date.now();
    const error = await failure(createPrometheusReader({ url: fake.url, timeoutMs: 300 }).query('up'));
    expect(Date.now() - began).toBeLessThan(2_000);
    expect(error.message).toMatch(
      /did not answer the query "up" within 300 ms \(the whole request, connect to last byte\).*Raise prometheus\.requestTimeoutMs/,
    );
    expect(error.retryable).toBe(true);
    await fake.requests[0]?.closed;
  });

  it('destroys a hanging request the moment its signal fires and rejects with the signal\u2019s reason', async () => {
    fake.answer({ kind: 'hang' });
    const controller = new AbortController();
    const query = createPrometheusReader({ url: fake.url, timeoutMs: 60_000 }).query('up', {
      signal: controller.signal,
    });
    const received = await fake.nextRequest();
    const reason = new Error('the run was cancelled');
    const began = Date.now();
    controller.abort(reason);
    await expect(query).rejects.toBe(reason);
    expect(Date.now() - began).toBeLessThan(1_000);
    // The server sees the connection go: nothing keeps running on the client's side.
    await received.closed;
  });

  it('does not send a query whose signal has already fired', async () => {
    const controller = new AbortController();
    const reason = new Error('already cancelled');
    controller.abort(reason);
    await expect(createPrometheusReader({ url: fake.url }).query('up', { signal: controller.signal })).rejects.toBe(
      reason,
    );
  });

  it.each([
    ['announced by Content-Length', true],
    ['sent without a length', false],
  ])('refuses an answer over maxResponseBytes %s, saying how to narrow the query', async (_, declareLength) => {
    fake.answer({ kind: 'flood', bytes: 64 * 1024, declareLength });
    const error = await failure(createPrometheusReader({ url: fake.url, maxResponseBytes: 1024 }).query('up'));
    expect(error.message).toMatch(
      /answered the query "up" with more than 1024 bytes: narrow the query with prometheus\.selector/,
    );
    expect(error.retryable).toBe(false);
  });

  /** [what, status, body, message, retryable]. */
  const answers: Array<[string, number, string, RegExp, boolean]> = [
    [
      'a proxy\u2019s HTML error page',
      502,
      '<html><body><h1>502 Bad Gateway</h1></body></html>',
      /answered HTTP 502 \(not JSON \(begins "<html><body><h1>502 Bad Gateway.*try again later/,
      true,
    ],
    [
      'refused credentials',
      401,
      'Unauthorized',
      /refused Quorum's credentials \(HTTP 401\): check prometheus\.bearerTokenFile/,
      false,
    ],
    [
      'a 200 that is not the query API',
      200,
      '<!doctype html><title>Grafana</title>',
      /answered HTTP 200 with no query result \(not JSON .*is prometheus\.url \(--prometheus-url\) the base URL/,
      false,
    ],
    [
      'a query that timed out inside Prometheus',
      503,
      JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' }),
      /refused the query "up" \(HTTP 503, timeout\): query timed out in expression evaluation/,
      true,
    ],
    [
      'an evaluation error',
      422,
      JSON.stringify({ status: 'error', errorType: 'execution', error: 'many-to-many matching not allowed' }),
      /refused the query "up" \(HTTP 422, execution\): many-to-many matching not allowed/,
      false,
    ],
    ['rate limiting by a proxy', 429, 'slow down', /answered HTTP 429 .*try again later/, true],
  ];
  it.each(answers)('reports %s with what to do', async (_, status, body, message, retryable) => {
    fake.answer({ kind: 'reply', status, body, contentType: body.startsWith('{') ? 'application/json' : 'text/html' });
    const error = await failure(createPrometheusReader({ url: fake.url }).query('up'));
    expect(error.message).toMatch(message);
    expect(error.retryable).toBe(retryable);
  });
});
