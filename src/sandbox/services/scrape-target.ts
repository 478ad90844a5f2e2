/** One endpoint a sandbox Prometheus scrapes. */
export interface ScrapeTarget {
  /** The `job` label its series get, e.g. `apiserver`. Several targets may share a job. */
  job: string;
  /** Its metrics URL, e.g. `https://127.0.0.1:6443/metrics` or `http://127.0.0.1:2381/metrics`. */
  url: string;
  /** Labels added to every series it yields, e.g. `{ cluster: 'a' }`: how one Prometheus keeps clusters apart. */
  labels?: Readonly<Record<string, string>>;
  /** Sent as `Authorization: Bearer …` (Prometheus reads it from a private file). */
  bearerToken?: string;
  /** PEM of the CA that signed an https target's certificate. */
  caPem?: string;
  /** Accept any certificate from an https target (when no CA is at hand). @defaultValue false */
  insecureSkipVerify?: boolean;
}

/**
 * The simulator's API server `/metrics`: HTTPS with its own CA and bearer token, as a Prometheus in the cluster scrapes
 * kube-apiserver.
 */
export function apiserverTarget(
  simulator: { readonly url: string; readonly token: string; readonly caPem: string },
  labels: Readonly<Record<string, string>> = {},
): ScrapeTarget {
  return {
    job: 'apiserver',
    url: `${simulator.url}/metrics`,
    labels,
    bearerToken: simulator.token,
    caPem: simulator.caPem,
  };
}

/** An etcd member's plain-HTTP `/metrics` (its `metricsUrl`, see `startEtcd`). */
export function etcdTarget(metricsUrl: string, labels: Readonly<Record<string, string>> = {}): ScrapeTarget {
  return { job: 'etcd', url: `${metricsUrl.replace(/\/$/, '')}/metrics`, labels };
}
