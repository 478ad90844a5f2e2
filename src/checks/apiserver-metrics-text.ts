import type { KubeReader } from '../ports/kube-reader.js';

/** The API server's own `/metrics`, as text; an answer other than 200 is an error that says what to grant. */
export async function apiServerMetricsText(kube: KubeReader): Promise<string> {
  const response = await kube.raw('/metrics', { accept: 'text/plain;version=0.0.4' });
  if (response.status === 401 || response.status === 403) {
    throw new Error(
      `GET /metrics answered HTTP ${response.status}: grant the diagnostics "get" on nonResourceURLs ["/metrics"] (ClusterRole rule) to read the API server's metrics`,
    );
  }
  if (response.status !== 200) throw new Error(`GET /metrics answered HTTP ${response.status}`);
  return response.body;
}
