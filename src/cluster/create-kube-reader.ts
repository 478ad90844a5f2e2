import { ConfigError, MetricsApiUnavailableError, ReadOnlyViolationError } from '../core/errors.js';
import type { SettingName } from '../core/setting-name.js';
import { resourcePath } from './api-paths.js';
import { connectCluster, type KubeconfigSource } from './kube-adapter.js';
import type { KubeReader, ListOptions, RequestOptions } from '../ports/kube-reader.js';
import { statusError } from './kube-request-errors.js';
import {
  EventSchema,
  LeaseSchema,
  ListEnvelopeSchema,
  NamespaceSchema,
  NodeMetricsSchema,
  NodeSchema,
  ObjectMetadataSchema,
  PodMetricsSchema,
  PodSchema,
  validate,
} from './kube-schemas.js';
import type { z } from 'zod';
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
  /** Request-rate and concurrency cap for this cluster. @defaultValue 50 requests/s, burst 100, 8 concurrent */
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

    nodeMetrics: (list = {}) =>
      metricsList(
        transport,
        resourcePath({ group: METRICS_GROUP, version: 'v1beta1', resource: 'nodes' }, selectors(list)),
        NodeMetricsSchema,
        list,
      ),
    podMetrics: (list = {}) =>
      metricsList(
        transport,
        resourcePath(
          { group: METRICS_GROUP, version: 'v1beta1', resource: 'pods', namespace: list.namespace || undefined },
          selectors(list),
        ),
        PodMetricsSchema,
        list,
      ),

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

const METRICS_GROUP = 'metrics.k8s.io';

/**
 * One GET of a `metrics.k8s.io` list, each item validated. metrics-server answers from memory and does not page, so
 * neither does this. A 404 means the group is not served (no metrics-server), a 503 that kube-apiserver's aggregator
 * cannot reach the server behind the APIService: both are {@link MetricsApiUnavailableError}, which checks report
 * as information rather than failure.
 */
async function metricsList<T>(
  transport: ReadOnlyTransport,
  path: string,
  schema: z.ZodType<T>,
  options: RequestOptions,
): Promise<T[]> {
  const response = await transport.send('GET', path, { accept: 'application/json', ...signalOf(options) });
  if (response.status === 404) {
    throw new MetricsApiUnavailableError(
      `${transport.description} does not serve ${METRICS_GROUP} (GET ${path} answered 404): metrics-server is not installed, or its APIService v1beta1.${METRICS_GROUP} is not registered`,
      404,
      'not-served',
    );
  }
  if (response.status === 503) {
    throw new MetricsApiUnavailableError(
      `${METRICS_GROUP} is registered on ${transport.description} but its server does not answer (GET ${path} answered 503): check the metrics-server pod and \`kubectl get apiservice v1beta1.${METRICS_GROUP}\``,
      503,
      'unavailable',
    );
  }
  if (response.status < 200 || response.status > 299) {
    throw statusError(response.status, response.body, 'GET', path, transport.description);
  }
  const envelope = validate(ListEnvelopeSchema, parseJson(response, path, transport.description), '', `GET ${path}`);
  return envelope.items.map((item, index) => validate(schema, item, `items[${index}]`, `GET ${path}`));
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
