import type { ClientCertificate, ServingCertificates } from './certificates.js';
import type {
  Event,
  Lease,
  Namespace,
  Node,
  NodeMetrics,
  ObjectMetadata,
  Pod,
  PodFootprint,
  PodMetrics,
} from './kube-types.js';

/** Options every request takes. */
export interface RequestOptions {
  /**
   * Stops the request when it fires: it leaves the rate limiter's queue or has its socket destroyed, and the call
   * rejects with the signal's reason. A run's readers are bound to the run's signal anyway; this narrows it.
   */
  signal?: AbortSignal;
}

/** Which objects of a list to return; both selectors use the API server's own syntax. */
export interface ListOptions extends RequestOptions {
  /** Omit for a cluster-wide list. */
  namespace?: string;
  fieldSelector?: string;
  labelSelector?: string;
  /**
   * `'0'`: any version will do. A real API server then answers from its watch cache instead of reading etcd: cheap
   * for it, and at most a moment stale, which a diagnosis can live with. Omitted: the latest state (a consistent
   * read).
   *
   * Servers have long ignored `limit` for such lists and send every match in one answer (kube-apiserver's cacher
   * returns no continue token; kubernetes#70735), so ask for it only where a selector keeps the list small. An answer
   * over the reader's size cap is asked again page by page, without it.
   */
  resourceVersion?: '0';
}

/** What part of a container's log to read; the API server's own `pods/log` parameters. */
export interface PodLogOptions {
  /** Required when the pod has several containers. */
  container?: string;
  /** The previous, terminated instance of the container. */
  previous?: boolean;
  /** Only the last this many lines (counted before `sinceSeconds` filters them). */
  tailLines?: number;
  /** Only lines written within this many seconds (s). */
  sinceSeconds?: number;
  /**
   * At most this many bytes, from the start of what `tailLines` and `sinceSeconds` selected (the last line may be
   * cut); timestamps count. The reader refuses a longer body. (bytes)
   */
  limitBytes?: number;
  /** Each line prefixed with the time the runtime received it, RFC 3339 with nanoseconds, and a space. */
  timestamps?: boolean;
}

/** The result of a raw GET (`/metrics`, `/livez?verbose`): the body is returned whatever the status. */
export interface RawResponse {
  status: number;
  body: string;
  contentType?: string;
  /** Time on the wire, from sending to the last byte, in ms: what the API server took, not Quorum's own queueing. */
  durationMs?: number;
}

/**
 * Read-only access to one Kubernetes cluster: the only way checks see the API server.
 *
 * Lists are async iterables that fetch page by page (the adapter's page size), one page ahead of the caller, so a
 * caller that aggregates while iterating never holds more than two pages. Every request is a GET with a deadline and counts against the
 * cluster's request-rate cap.
 */
export interface KubeReader {
  /** The cluster's name as the kubeconfig context calls it. */
  readonly clusterName: string;
  /** The API server's base URL. */
  readonly server: string;

  nodes(options?: Omit<ListOptions, 'namespace'>): AsyncIterable<Node>;
  pods(options?: ListOptions): AsyncIterable<Pod>;
  /**
   * Pods as far as summing requests per node needs them: node and requests, validated and kept, nothing else. The
   * lean form of {@link pods} for lists of every pod of a large cluster.
   */
  podFootprints(options?: ListOptions): AsyncIterable<PodFootprint>;
  /**
   * Pods' metadata only (name, namespace, labels, annotations), as a `PartialObjectMetadataList`: a fraction of the
   * full objects, for finding the few pods worth reading whole with {@link pod}.
   */
  podMetadata(options?: ListOptions): AsyncIterable<ObjectMetadata>;
  /** One pod; `undefined` when it does not exist (404). */
  pod(namespace: string, name: string, options?: RequestOptions): Promise<Pod | undefined>;
  events(options?: ListOptions): AsyncIterable<Event>;
  namespaces(options?: RequestOptions): AsyncIterable<Namespace>;
  leases(options?: ListOptions): AsyncIterable<Lease>;

  /** `undefined` when the lease does not exist (404). */
  lease(namespace: string, name: string, options?: RequestOptions): Promise<Lease | undefined>;
  /**
   * A container's log (`pods/log`) as the API server selects it: the last `tailLines` lines, of those the ones written
   * within `sinceSeconds`, cut after `limitBytes`. A body longer than `limitBytes` is refused, whatever the server
   * sends.
   */
  podLog(namespace: string, name: string, options?: RequestOptions & PodLogOptions): Promise<string>;
  /**
   * Usage of every node as metrics-server reports it (`metrics.k8s.io/v1beta1`, what `kubectl top nodes` reads): one
   * unpaginated answer, which metrics-server builds from memory.
   *
   * @throws MetricsApiUnavailableError when the cluster does not serve the API (no metrics-server: 404) or its server
   * does not answer (503 from the aggregator).
   */
  nodeMetrics(options?: Omit<ListOptions, 'namespace' | 'resourceVersion'>): Promise<NodeMetrics[]>;
  /**
   * Usage of every running pod's containers (of one namespace when given), as `kubectl top pods` reads it.
   *
   * @throws MetricsApiUnavailableError as {@link nodeMetrics}.
   */
  podMetrics(options?: Omit<ListOptions, 'resourceVersion'>): Promise<PodMetrics[]>;
  /** A raw GET of a non-resource path such as `/metrics` or `/readyz?verbose`. Never throws on HTTP status. */
  raw(path: string, options?: RequestOptions & { accept?: string }): Promise<RawResponse>;
  /**
   * The API server's serving certificate chain, from a TLS handshake with the reader's own TLS settings (CA, server
   * name, client certificate) that sends nothing; `undefined` when the server is plain `http://`. Resolves for a
   * certificate that does not verify (expired, untrusted): `verified` and `verifyError` say so.
   */
  servingCertificates(options?: RequestOptions): Promise<ServingCertificates | undefined>;
  /** The client certificate the kubeconfig's user authenticates with, never its key; `undefined` when it has none. */
  clientCertificate(options?: RequestOptions): Promise<ClientCertificate | undefined>;
}
