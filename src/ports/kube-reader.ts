import type { Event, Lease, Namespace, Node, Pod } from './kube-types.js';

/** Which objects of a list to return; both selectors use the API server's own syntax. */
export interface ListOptions {
  /** Omit for a cluster-wide list. */
  namespace?: string;
  fieldSelector?: string;
  labelSelector?: string;
}

/** The result of a raw GET (`/metrics`, `/livez?verbose`): the body is returned whatever the status. */
export interface RawResponse {
  status: number;
  body: string;
  contentType?: string;
}

/**
 * Read-only access to one Kubernetes cluster: the only way checks see the API server.
 *
 * Lists are async iterables that fetch one page at a time (the adapter's page size), so a caller that aggregates
 * while iterating never holds more than one page. Every request is a GET with a deadline and counts against the
 * cluster's request-rate cap.
 */
export interface KubeReader {
  /** The cluster's name as the kubeconfig context calls it. */
  readonly clusterName: string;
  /** The API server's base URL. */
  readonly server: string;

  nodes(options?: Omit<ListOptions, 'namespace'>): AsyncIterable<Node>;
  pods(options?: ListOptions): AsyncIterable<Pod>;
  events(options?: ListOptions): AsyncIterable<Event>;
  namespaces(): AsyncIterable<Namespace>;
  leases(options?: ListOptions): AsyncIterable<Lease>;

  /** `undefined` when the lease does not exist (404). */
  lease(namespace: string, name: string): Promise<Lease | undefined>;
  /** The tail of a container's log (`pods/log`), for the excerpt of a crashing component. */
  podLog(
    namespace: string,
    name: string,
    options?: { container?: string; previous?: boolean; tailLines?: number; limitBytes?: number },
  ): Promise<string>;
  /** A raw GET of a non-resource path such as `/metrics` or `/readyz?verbose`. Never throws on HTTP status. */
  raw(path: string, options?: { accept?: string }): Promise<RawResponse>;
}
