/** One element of an instant vector, as Prometheus' `/api/v1/query` returns it. */
export interface InstantSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * Read-only access to the Prometheus that scrapes the cluster: instant queries only. When configured, the
 * apiserver-latency checks read their window from it instead of scraping `/metrics` twice.
 */
export interface PrometheusReader {
  readonly url: string;
  /** Evaluates an instant query; throws with Prometheus' own error text when it refuses the query. */
  query(expression: string, options?: { signal?: AbortSignal }): Promise<InstantSample[]>;
}
