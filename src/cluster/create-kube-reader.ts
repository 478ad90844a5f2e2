import { ConfigError, ReadOnlyViolationError } from '../core/errors.js';
import type { SettingName } from '../core/setting-name.js';
import { resourcePath } from './api-paths.js';
import { connectCluster, type KubeconfigSource } from './kube-adapter.js';
import type { KubeReader, ListOptions, RequestOptions } from '../ports/kube-reader.js';
import { statusError } from './kube-request-errors.js';
import {
  EventSchema,
  LeaseSchema,
  NamespaceSchema,
  NodeSchema,
  ObjectMetadataSchema,
  PodSchema,
  validate,
} from './kube-schemas.js';
import { PodFootprintSchema } from './pod-footprint-schema.js';
import { listObjects, parseJson } from './list-pager.js';
import { RateLimiter, type RateLimitOptions } from './rate-limiter.js';
import { createReadOnlyTransport, type ReadOnlyTransport } from './read-only-transport.js';

/**
 * `raw()` is for the API server's own health and metrics endpoints. Resource paths go through the typed, validated
 * list and get methods; letting them through here would let anything read Secrets (values!) or host logs
 * (`/logs/…`) with one string.
 */
const RAW_PATHS = /^\/(?:(?:livez|readyz|healthz)(?:\/[\w.-]+)*|metrics|version)\/?(?:\?.*)?$/;

function assertRawPath(path: string): void {
  if (!RAW_PATHS.test(path)) throw new ReadOnlyViolationError('GET (raw)', path);
}

export interface KubeReaderOptions extends KubeconfigSource {
  /** The name findings use for the cluster. @defaultValue the context's cluster name in the kubeconfig */
  clusterName?: string;
  /** Deadline of each request, in ms. @defaultValue 10000 */
  requestTimeoutMs?: number;
  /** Objects per list page (`limit`), in objects. @defaultValue 500 */
  pageSize?: number;
  /** Request-rate and concurrency cap for this cluster. @defaultValue 20 requests/s, burst 40, 8 concurrent */
  rateLimit?: RateLimitOptions;
  /** Largest response accepted, in bytes. @defaultValue 67108864 (64 MiB) */
  maxResponseBytes?: number;
  /** How messages name the cluster's settings (`clusters.prod-eu.kube.requestTimeoutMs`). */
  settingName?: SettingName;
}

/** A {@link KubeReader} that owns connections: call `close()` when done with the cluster. */
export interface ClosableKubeReader extends KubeReader {
  close(): void;
}

/** A reader with its own rate limiter, shared by every run that uses it. */
export interface LimitedKubeReader extends ClosableKubeReader {
  /** Requests in flight and waiting in this reader's limiter right now. */
  limiterLoad(): { active: number; waiting: number };
}

/** Reader-level settings once the transport exists. */
export interface ReaderSettings {
  clusterName: string;
  server: string;
  /** @defaultValue 500 */
  pageSize?: number;
}

/**
 * Connects to one cluster read-only. Kubeconfig problems fail here, synchronously; network problems fail on the
 * first request.
 *
 * @throws KubeconfigError when the kubeconfig cannot be used; ConfigError for out-of-range options.
 */
export function createKubeReader(options: KubeReaderOptions = {}): LimitedKubeReader {
  const { requestTimeoutMs = 10_000, pageSize = 500, rateLimit = {}, maxResponseBytes, settingName } = options;
  if (!(Number.isFinite(requestTimeoutMs) && requestTimeoutMs > 0)) {
    throw new ConfigError(`requestTimeoutMs must be a positive number of ms (got ${requestTimeoutMs})`);
  }
  checkPageSize(pageSize);
  const limiter = new RateLimiter(rateLimit);
  const connection = connectCluster(options, limiter.maxConcurrent);
  const transport = createReadOnlyTransport({
    connection,
    limiter,
    requestTimeoutMs,
    maxResponseBytes,
    ...(settingName ? { settingName } : {}),
  });
  const reader = createKubeReaderFromTransport(transport, {
    clusterName: options.clusterName ?? connection.clusterName,
    server: connection.server,
    pageSize,
  });
  return { ...reader, limiterLoad: () => limiter.load };
}

/** The reader's API over an existing transport (tests use it over a plain-HTTP connection). */
export function createKubeReaderFromTransport(
  transport: ReadOnlyTransport,
  settings: ReaderSettings,
): ClosableKubeReader {
  const { clusterName, server, pageSize = 500 } = settings;
  checkPageSize(pageSize);
  const core = { version: 'v1' } as const;
  const coordination = { group: 'coordination.k8s.io', version: 'v1' } as const;

  return {
    clusterName,
    server,
    nodes: (list = {}) =>
      listObjects(transport, {
        location: { ...core, resource: 'nodes' },
        params: selectors(list),
        pageSize,
        schema: NodeSchema,
        ...listOptions(list),
      }),
    pods: (list = {}) =>
      listObjects(transport, {
        location: { ...core, resource: 'pods', namespace: list.namespace || undefined },
        params: selectors(list),
        pageSize,
        schema: PodSchema,
        ...listOptions(list),
      }),
    podFootprints: (list = {}) =>
      listObjects(transport, {
        location: { ...core, resource: 'pods', namespace: list.namespace || undefined },
        params: selectors(list),
        pageSize,
        schema: PodFootprintSchema,
        ...listOptions(list),
      }),
    podMetadata: (list = {}) =>
      listObjects(transport, {
        location: { ...core, resource: 'pods', namespace: list.namespace || undefined },
        params: selectors(list),
        pageSize,
        schema: ObjectMetadataSchema,
        // Plain JSON after it: a server (or proxy) that cannot convert answers with whole objects, which carry the
        // same metadata.
        accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json',
        ...listOptions(list),
      }),
    events: (list = {}) =>
      listObjects(transport, {
        location: { ...core, resource: 'events', namespace: list.namespace || undefined },
        params: selectors(list),
        pageSize,
        schema: EventSchema,
        ...listOptions(list),
      }),
    namespaces: (options) =>
      listObjects(transport, {
        location: { ...core, resource: 'namespaces' },
        pageSize,
        schema: NamespaceSchema,
        ...signalOf(options),
      }),
    leases: (list = {}) =>
      listObjects(transport, {
        location: { ...coordination, resource: 'leases', namespace: list.namespace || undefined },
        params: selectors(list),
        pageSize,
        schema: LeaseSchema,
        ...listOptions(list),
      }),

    async lease(namespace, name, options) {
      const path = resourcePath({ ...coordination, resource: 'leases', namespace, name });
      const response = await transport.send('GET', path, signalOf(options));
      if (response.status === 404) return undefined;
      if (response.status < 200 || response.status > 299) {
        throw statusError(response.status, response.body, 'GET', path, transport.description);
      }
      return validate(LeaseSchema, parseJson(response, path, transport.description), '', `GET ${path}`);
    },

    async pod(namespace, name, options) {
      const path = resourcePath({ ...core, resource: 'pods', namespace, name });
      const response = await transport.send('GET', path, signalOf(options));
      if (response.status === 404) return undefined;
      if (response.status < 200 || response.status > 299) {
        throw statusError(response.status, response.body, 'GET', path, transport.description);
      }
      return validate(PodSchema, parseJson(response, path, transport.description), '', `GET ${path}`);
    },

    async podLog(namespace, name, log = {}) {
      const params = new URLSearchParams();
      if (log.container !== undefined) params.set('container', log.container);
      if (log.previous) params.set('previous', 'true');
      if (log.tailLines !== undefined) params.set('tailLines', String(log.tailLines));
      if (log.sinceSeconds !== undefined) params.set('sinceSeconds', String(log.sinceSeconds));
      if (log.limitBytes !== undefined) params.set('limitBytes', String(log.limitBytes));
      if (log.timestamps) params.set('timestamps', 'true');
      const path = resourcePath({ ...core, resource: 'pods', namespace, name, subresource: 'log' }, params);
      // A server (or a proxy in front of it) that ignores limitBytes must not make Quorum read a chatty log whole.
      const response = await transport.send('GET', path, {
        accept: 'text/plain, */*',
        ...(log.limitBytes === undefined ? {} : { maxBytes: log.limitBytes }),
        ...signalOf(log),
      });
      if (response.status < 200 || response.status > 299) {
        throw statusError(response.status, response.body, 'GET', path, transport.description);
      }
      return response.body;
    },

    async raw(path, rawOptions = {}) {
      assertRawPath(path);
      const { status, body, contentType, durationMs } = await transport.send('GET', path, {
        accept: rawOptions.accept ?? '*/*',
        ...signalOf(rawOptions),
      });
      return { status, body, durationMs, ...(contentType === undefined ? {} : { contentType }) };
    },

    servingCertificates: (options) => transport.servingCertificates(signalOf(options)),
    clientCertificate: () => transport.clientCertificate(),

    close: () => transport.close(),
  };
}

function checkPageSize(pageSize: number): void {
  if (!(Number.isInteger(pageSize) && pageSize >= 1)) {
    throw new ConfigError(`pageSize must be a whole number of objects, at least 1 (got ${pageSize})`);
  }
}

function signalOf(options: RequestOptions | undefined): { signal?: AbortSignal } {
  return options?.signal ? { signal: options.signal } : {};
}

/** What the pager takes of a list's options besides its selectors. */
function listOptions(list: ListOptions): { signal?: AbortSignal; resourceVersion?: '0' } {
  return {
    ...signalOf(list),
    ...(list.resourceVersion === undefined ? {} : { resourceVersion: list.resourceVersion }),
  };
}

function selectors(list: ListOptions): URLSearchParams {
  const params = new URLSearchParams();
  if (list.fieldSelector) params.set('fieldSelector', list.fieldSelector);
  if (list.labelSelector) params.set('labelSelector', list.labelSelector);
  return params;
}
