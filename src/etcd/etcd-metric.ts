import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { abortReason } from '../core/abort.js';
import type { EtcdTls } from './etcd-tls.js';

/** `/metrics` of a busy member is a few hundred KiB; more than this is not etcd. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** The value of an unlabelled sample (`name 1.6777216e+07`) in Prometheus text; undefined when absent. */
export function sampleValue(text: string, metric: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric} `)) continue;
    const value = Number(
      line
        .slice(metric.length + 1)
        .trim()
        .split(/\s+/)[0],
    );
    return Number.isFinite(value) ? value : undefined;
  }
  return undefined;
}

/**
 * GET `<endpoint>/metrics` with the client certificate when TLS is configured, and read one unlabelled gauge.
 *
 * @param timeoutMs - the whole exchange, from connecting to the last byte, in ms.
 * @param signal - aborts the request at once.
 * @throws Error when the endpoint does not answer 200 in time.
 */
export async function readEtcdMetric(
  endpoint: string,
  metric: string,
  tls: EtcdTls | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<number | undefined> {
  return sampleValue(await fetchEtcdMetrics(endpoint, tls, timeoutMs, signal), metric);
}

/**
 * GET `<endpoint>/metrics` with the client certificate when TLS is configured: the member's whole Prometheus text.
 *
 * @param timeoutMs - the whole exchange, from connecting to the last byte, in ms.
 * @param signal - aborts the request at once.
 * @throws Error when the endpoint does not answer 200 in time, or sends more than 8 MiB.
 */
export function fetchEtcdMetrics(
  endpoint: string,
  tls: EtcdTls | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  const url = new URL('/metrics', endpoint);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const options = url.protocol === 'https:' && tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {};
  return new Promise((resolve, reject) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const req = request(url, { ...options, signal: signal ? AbortSignal.any([signal, deadline]) : deadline }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url.href} answered HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) req.destroy(new Error(`GET ${url.href} sent more than ${MAX_BODY_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.once('error', (error) =>
      reject(
        signal?.aborted
          ? abortReason(signal)
          : deadline.aborted
            ? new Error(`GET ${url.href} did not complete within ${timeoutMs} ms`)
            : error,
      ),
    );
    req.end();
  });
}
