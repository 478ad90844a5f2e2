/** One element of an instant vector: a series' labels and its value at the evaluation time. */
export interface InstantSample {
  labels: Record<string, string>;
  value: number;
  /** When the value was evaluated (ms since the epoch). */
  timestampMs: number;
}

/** One series of a range vector (`metric[5m]`): every raw sample inside the range. */
export interface RangeSeries {
  labels: Record<string, string>;
  samples: Array<{ timestampMs: number; value: number }>;
}

/**
 * What `/api/v1/query` answers, by `resultType`: an expression over series gives a `vector`; a number (`1`,
 * `scalar(…)`, `time()`) a `scalar`; a range selector (`m[5m]`) a `matrix`; a string literal a `string`.
 */
export type QueryResult =
  | { resultType: 'vector'; samples: InstantSample[] }
  | { resultType: 'scalar'; value: number; timestampMs: number }
  | { resultType: 'matrix'; series: RangeSeries[] }
  | { resultType: 'string'; value: string; timestampMs: number };

export interface QueryOptions {
  /** Aborts the request at once; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Read-only access to the Prometheus that scrapes the cluster: instant queries only. When configured, the
 * apiserver-latency checks read their window from it instead of scraping `/metrics` twice.
 */
export interface PrometheusReader {
  readonly url: string;
  /**
   * Evaluates an instant query at the server's current time.
   *
   * @throws QuorumError (`quorum_prometheus_request_error`) with Prometheus' own error text when it refuses the
   *   query, and `retryable` set only for failures that may pass (unreachable, 5xx, 429, the deadline).
   */
  query(expression: string, options?: QueryOptions): Promise<QueryResult>;
}
