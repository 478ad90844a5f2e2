import { readFileSync } from 'node:fs';
import type { PrometheusReader, QueryResult } from '../ports/prometheus-reader.js';
import { exchange, type ExchangeResponse } from './http-exchange.js';
import { prometheusError } from './prometheus-error.js';
import { readQueryResponse } from './query-response.js';

export interface PrometheusOptions {
  /** Base URL, e.g. `http://prometheus-k8s.monitoring.svc:9090`. */
  url: string;
  /** A file holding a bearer token (for a Prometheus behind an auth proxy). */
  bearerTokenFile?: string;
  /** CA certificate for an https URL. */
  caFile?: string;
  /** Deadline of one whole query, from connecting to the last byte of the answer (ms). @defaultValue 10000 */
  timeoutMs?: number;
  /**
   * Largest answer read (bytes): a query that matches far more series than one cluster's API servers have (no
   * selector on a Prometheus shared by many clusters) is stopped instead of filling the worker's memory.
   * @defaultValue 16 MiB
   */
  maxResponseBytes?: number;
}

/** Above this URL length (bytes) the query goes as a form POST: proxies and servers cap request lines near 8 KiB. */
export const MAX_GET_URL_BYTES = 8 * 1024;

/** Longest excerpt of a query quoted in an error message, in characters. */
const QUOTED_QUERY_CHARS = 160;

/** Prometheus' errorTypes for a query that may pass when asked again. */
const TRANSIENT_ERROR_TYPES: ReadonlySet<string> = new Set(['timeout', 'canceled', 'unavailable']);

function quoted(expression: string): string {
  return JSON.stringify(
    expression.length > QUOTED_QUERY_CHARS ? `${expression.slice(0, QUOTED_QUERY_CHARS)}…` : expression,
  );
}

const transientStatus = (status: number): boolean => status === 429 || status >= 500;

/** Turns any answer of `/api/v1/query` into its result or an error that says what to do. */
function interpret(origin: string, expression: string, response: ExchangeResponse): QueryResult {
  const { status } = response;
  const answer = readQueryResponse(response.body);
  if (answer.status === 'success') return answer.result;
  if (answer.status === 'error') {
    throw prometheusError(
      `Prometheus at ${origin} refused the query ${quoted(expression)} (HTTP ${status}, ${answer.errorType}): ${answer.error}`,
      transientStatus(status) || TRANSIENT_ERROR_TYPES.has(answer.errorType),
    );
  }
  if (status === 401 || status === 403) {
    throw prometheusError(
      `Prometheus at ${origin} refused Quorum's credentials (HTTP ${status}): check prometheus.bearerTokenFile and what the proxy in front of Prometheus expects.`,
      false,
    );
  }
  if (transientStatus(status)) {
    throw prometheusError(
      `Prometheus at ${origin} answered HTTP ${status} (${answer.problem}): try again later.`,
      true,
    );
  }
  throw prometheusError(
    `Prometheus at ${origin} answered HTTP ${status} with no query result (${answer.problem}): is prometheus.url (--prometheus-url) the base URL of the Prometheus server, without /api/v1?`,
    false,
  );
}

/**
 * A {@link PrometheusReader} over Prometheus' HTTP API: `/api/v1/query` only (GET, or a form POST for long queries),
 * nothing that writes.
 *
 * @throws Error when `bearerTokenFile` or `caFile` cannot be read.
 */
export function createPrometheusReader(options: PrometheusOptions): PrometheusReader {
  const base = new URL(options.url);
  const endpoint = new URL('api/v1/query', base.href.endsWith('/') ? base : `${base.href}/`);
  const { timeoutMs = 10_000, maxResponseBytes = 16 * 1024 * 1024 } = options;
  const token = options.bearerTokenFile ? readFileSync(options.bearerTokenFile, 'utf8').trim() : undefined;
  const ca = options.caFile ? readFileSync(options.caFile) : undefined;
  const headers = { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) };
  return {
    url: base.href,
    async query(expression, { signal } = {}) {
      const get = new URL(endpoint);
      get.searchParams.set('query', expression);
      const long = Buffer.byteLength(get.href) > MAX_GET_URL_BYTES;
      const response = await exchange({
        method: long ? 'POST' : 'GET',
        url: long ? endpoint : get,
        headers: long ? { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' } : headers,
        ...(long ? { body: new URLSearchParams({ query: expression }).toString() } : {}),
        ...(ca ? { ca } : {}),
        deadlineMs: timeoutMs,
        maxResponseBytes,
        ...(signal ? { signal } : {}),
        what: `the query ${quoted(expression)}`,
      });
      return interpret(base.origin, expression, response);
    },
  };
}
