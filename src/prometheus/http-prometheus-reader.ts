import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { QuorumError, ErrorCode } from '../core/errors.js';
import type { InstantSample, PrometheusReader } from '../ports/prometheus-reader.js';

export interface PrometheusOptions {
  /** Base URL, e.g. `http://prometheus-k8s.monitoring.svc:9090`. */
  url: string;
  /** A file holding a bearer token (for a Prometheus behind an auth proxy). */
  bearerTokenFile?: string;
  /** CA certificate for an https URL. */
  caFile?: string;
  /** Deadline of one query (ms). @defaultValue 10000 */
  timeoutMs?: number;
}

const ResponseSchema = z.object({
  status: z.enum(['success', 'error']),
  error: z.string().optional(),
  data: z
    .object({
      resultType: z.string(),
      result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) })),
    })
    .optional(),
});

/** Prometheus writes infinities as "+Inf"/"-Inf", which Number() does not read. */
function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function prometheusError(message: string, retryable: boolean, cause?: unknown): QuorumError {
  return new QuorumError(ErrorCode.PrometheusRequest, message, { cause, retryable });
}

/** GET `/api/v1/query` over http(s); nothing else is ever sent. */
export function createPrometheusReader(options: PrometheusOptions): PrometheusReader {
  const base = new URL(options.url);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const token = options.bearerTokenFile ? readFileSync(options.bearerTokenFile, 'utf8').trim() : undefined;
  const ca = options.caFile ? readFileSync(options.caFile) : undefined;
  const client = base.protocol === 'https:' ? https : http;
  return {
    url: base.toString(),
    query(expression) {
      const url = new URL('api/v1/query', base.toString().endsWith('/') ? base : `${base.toString()}/`);
      url.searchParams.set('query', expression);
      return new Promise<InstantSample[]>((resolve, reject) => {
        const request = client.get(
          url,
          {
            timeout: timeoutMs,
            headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
            ...(ca ? { ca } : {}),
          },
          (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (body += chunk));
            response.on('end', () => {
              let parsed: z.infer<typeof ResponseSchema>;
              try {
                parsed = ResponseSchema.parse(JSON.parse(body));
              } catch (error) {
                reject(
                  prometheusError(
                    `Prometheus at ${base.origin} answered HTTP ${response.statusCode} with no query result: is --prometheus-url the Prometheus server?`,
                    false,
                    error,
                  ),
                );
                return;
              }
              if (parsed.status !== 'success' || !parsed.data) {
                reject(
                  prometheusError(
                    `Prometheus refused "${expression}": ${parsed.error ?? `HTTP ${response.statusCode}`}`,
                    (response.statusCode ?? 500) >= 500,
                  ),
                );
                return;
              }
              resolve(
                parsed.data.result.map((entry) => ({ labels: entry.metric, value: parseSampleValue(entry.value[1]) })),
              );
            });
          },
        );
        request.on('timeout', () =>
          request.destroy(prometheusError(`Prometheus at ${base.origin} did not answer within ${timeoutMs} ms`, true)),
        );
        request.on('error', (error) =>
          reject(
            error instanceof QuorumError
              ? error
              : prometheusError(`Cannot reach Prometheus at ${base.origin}: ${error.message}`, true, error),
          ),
        );
      });
    },
  };
}
