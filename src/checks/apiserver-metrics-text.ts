import { parsePrometheusText, type ParsedMetrics } from '../metrics/index.js';
import type { KubeReader } from '../ports/kube-reader.js';
import type { Dated } from './timed-read.js';

/**
 * GET /metrics, dated at the middle of its time on the wire: the server took its figures somewhere between request
 * and answer, and a wait in Quorum's own rate limiter before sending belongs to neither. An answer other than 200 is
 * an error that says what to grant.
 */
export async function apiServerMetricsText(kube: KubeReader, now: () => Date): Promise<Dated<string>> {
  const sentMs = now().getTime();
  const response = await kube.raw('/metrics', { accept: 'text/plain;version=0.0.4' });
  const receivedMs = now().getTime();
  if (response.status === 401 || response.status === 403) {
    throw new Error(
      `GET /metrics answered HTTP ${response.status}: grant the diagnostics "get" on nonResourceURLs ["/metrics"] (ClusterRole rule) to read the API server's metrics`,
    );
  }
  if (response.status !== 200) throw new Error(`GET /metrics answered HTTP ${response.status}`);
  const wireMs = Math.min(response.durationMs ?? receivedMs - sentMs, receivedMs - sentMs);
  return { value: response.body, atMs: receivedMs - wireMs / 2 };
}

/** The families asked for from the API server's `/metrics`, parsed once the scrape is dated, with its date. */
export async function scrapeApiServer(
  kube: KubeReader,
  now: () => Date,
  families: ReadonlySet<string>,
): Promise<Dated<ParsedMetrics>> {
  const { value: text, atMs } = await apiServerMetricsText(kube, now);
  return { value: parsePrometheusText(text, { families }), atMs };
}
