import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeRequestError, KubeTimeoutError } from '../../src/core/errors.js';
import { connectCluster } from '../../src/cluster/kube-adapter.js';
import { statusError } from '../../src/cluster/kube-request-errors.js';
import { RateLimiter } from '../../src/cluster/rate-limiter.js';
import {
  createReadOnlyTransport,
  retryAfterMs,
  type ReadOnlyTransport,
} from '../../src/cluster/read-only-transport.js';
import { startFixtureServer, status, waitFor, type FixtureServer } from './support/fixture-server.js';
import { writeKubeconfig } from './support/kubeconfig.js';
import { createTestPki, type TestPki } from './support/test-pki.js';

describe('read-only transport: failures', () => {
  let pki: TestPki;
  let server: FixtureServer;
  let kubeconfigPath: string;
  let transport: ReadOnlyTransport;
  const opened: ReadOnlyTransport[] = [];

  function transportWith(options: {
    requestTimeoutMs?: number;
    maxResponseBytes?: number;
    maxRetryAfterMs?: number;
  }): ReadOnlyTransport {
    const created = createReadOnlyTransport({
      connection: connectCluster({ kubeconfigPath }, 4),
      limiter: new RateLimiter(),
      ...options,
    });
    opened.push(created);
    return created;
  }

  beforeAll(async () => {
    pki = createTestPki();
    server = await startFixtureServer(pki);
    kubeconfigPath = writeKubeconfig(pki.dir, [
      { name: 'failing', server: server.url, caPath: pki.caPath, token: 't0ken' },
    ]);
    transport = transportWith({ requestTimeoutMs: 2_000 });
  });

  afterAll(async () => {
    for (const each of opened) each.close();
    await server.close();
    pki.remove();
  });

  const sentTo = (path: string) => server.requests.filter((request) => request.url === path);

  it('gives up on a hanging server after the request timeout and drops the connection', async () => {
    server.handle(() => 'hang');
    const quick = transportWith({ requestTimeoutMs: 300 });
    const started = Date.now();
    const failure = await quick.send('GET', '/api/v1/hang').catch((error: unknown) => error);
    const elapsed = Date.now() - started;
    expect(failure).toBeInstanceOf(KubeTimeoutError);
    expect(failure).toMatchObject({ retryable: true, message: expect.stringContaining('within 300 ms') });
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(3_000);
    expect(sentTo('/api/v1/hang')).toHaveLength(1);
    // The hung connection is closed, not left for the pool.
    await waitFor(() => server.openSockets === 0);
  });

  it.each([
    { code: 401, message: 'Unauthorized', expected: /401 Unauthorized.*expired or revoked/, retryable: false },
    {
      code: 403,
      message: 'pods is forbidden: User "quorum" cannot list resource "pods"',
      expected: /cannot list resource "pods".*pods\/log.*leases.*\/livez, \/readyz and \/metrics/,
      retryable: false,
    },
    { code: 404, message: 'nodes "nope" not found', expected: /HTTP 404: nodes "nope" not found/, retryable: false },
    {
      code: 500,
      message: 'etcdserver: request timed out',
      expected: /HTTP 500: etcdserver: request timed out/,
      retryable: true,
    },
    { code: 503, message: 'service unavailable', expected: /HTTP 503/, retryable: true },
  ])('maps HTTP $code to a KubeRequestError that says what to do', async ({ code, message, expected, retryable }) => {
    server.handle(() => status(code, message));
    const response = await transport.send('GET', `/api/v1/status-${code}`);
    expect(response.status).toBe(code);
    const error = statusError(response.status, response.body, 'GET', `/api/v1/status-${code}`, transport.description);
    expect(error).toBeInstanceOf(KubeRequestError);
    expect(error.message).toMatch(expected);
    expect(error.message).toContain('context "failing"');
    expect(error).toMatchObject({ status: code, retryable });
  });

  it('retries a 429 once after a short Retry-After', async () => {
    let calls = 0;
    server.handle(() =>
      ++calls === 1 ? { ...status(429, 'too many requests'), headers: { 'Retry-After': '0' } } : { body: { ok: true } },
    );
    const response = await transport.send('GET', '/api/v1/busy-once');
    expect(response.status).toBe(200);
    expect(sentTo('/api/v1/busy-once')).toHaveLength(2);
  });

  it('retries a 429 only once, and not at all when Retry-After is long', async () => {
    server.handle(() => ({
      status: 429,
      headers: { 'Retry-After': '0' },
      body: { kind: 'Status', message: 'still busy' },
    }));
    expect((await transport.send('GET', '/api/v1/busy-always')).status).toBe(429);
    expect(sentTo('/api/v1/busy-always')).toHaveLength(2);

    server.handle(() => ({
      status: 429,
      headers: { 'Retry-After': '120' },
      body: { kind: 'Status', message: 'come back later' },
    }));
    expect((await transport.send('GET', '/api/v1/busy-long')).status).toBe(429);
    expect(sentTo('/api/v1/busy-long')).toHaveLength(1);
  });

  it('retries once on a fresh connection when a kept-alive one was dropped', async () => {
    let calls = 0;
    server.handle(() => (++calls === 2 ? 'reset' : { body: 'ok' }));
    const keepAlive = transportWith({});
    const before = server.connections;
    expect((await keepAlive.send('GET', '/livez?first')).status).toBe(200);
    // The second request reuses the first connection, which the server drops without an answer.
    expect((await keepAlive.send('GET', '/livez?second')).status).toBe(200);
    expect(sentTo('/livez?second')).toHaveLength(2);
    expect(server.connections - before).toBe(2);
  });

  it('refuses to read a body past maxResponseBytes', async () => {
    server.handle(() => ({ body: 'x'.repeat(200_000) }));
    const small = transportWith({ maxResponseBytes: 1_000 });
    await expect(small.send('GET', '/metrics')).rejects.toThrow(/more than 1000 bytes/);
  });

  it('reports a refused connection as retryable', async () => {
    const gone = await startFixtureServer(undefined);
    const url = gone.url;
    await gone.close();
    const path = writeKubeconfig(pki.dir, [{ name: 'gone', server: url }], 'gone', 'gone-kubeconfig');
    const dead = createReadOnlyTransport({
      connection: connectCluster({ kubeconfigPath: path }, 1),
      limiter: new RateLimiter(),
    });
    opened.push(dead);
    await expect(dead.send('GET', '/livez')).rejects.toMatchObject({
      constructor: KubeRequestError,
      status: undefined,
      retryable: true,
      message: expect.stringMatching(/GET \/livez on context "gone".*got no answer: .*ECONNREFUSED/),
    });
  });

  it.each([
    ['', undefined],
    ['3', 3_000],
    [' 0 ', 0],
    ['soon', undefined],
    ['Wed, 21 Oct 2015 07:28:05 GMT', 5_000],
  ])('reads Retry-After %j as %j ms', (header, expected) => {
    expect(retryAfterMs(header, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(expected);
  });
});
