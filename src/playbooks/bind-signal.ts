import { anySignal } from '../core/abort.js';
import type { CheckReaders } from '../checks/check.js';
import type { EtcdReader } from '../ports/etcd-reader.js';
import type { KubeReader } from '../ports/kube-reader.js';
import type { PrometheusReader } from '../ports/prometheus-reader.js';

type WithSignal = { signal?: AbortSignal };

/** The caller's options with `bound` added to whatever signal they carry. */
function withBound<O extends WithSignal>(bound: AbortSignal, options: O | undefined): O & { signal: AbortSignal } {
  return { ...(options ?? ({} as O)), signal: anySignal(bound, options?.signal) as AbortSignal };
}

/** A view of `reader` whose every request is also aborted by `signal`. */
export function bindKubeReader(reader: KubeReader, signal: AbortSignal): KubeReader {
  return {
    clusterName: reader.clusterName,
    server: reader.server,
    nodes: (options) => reader.nodes(withBound(signal, options)),
    pods: (options) => reader.pods(withBound(signal, options)),
    podFootprints: (options) => reader.podFootprints(withBound(signal, options)),
    podMetadata: (options) => reader.podMetadata(withBound(signal, options)),
    pod: (namespace, name, options) => reader.pod(namespace, name, withBound(signal, options)),
    events: (options) => reader.events(withBound(signal, options)),
    namespaces: (options) => reader.namespaces(withBound(signal, options)),
    leases: (options) => reader.leases(withBound(signal, options)),
    lease: (namespace, name, options) => reader.lease(namespace, name, withBound(signal, options)),
    podLog: (namespace, name, options) => reader.podLog(namespace, name, withBound(signal, options)),
    nodeMetrics: (options) => reader.nodeMetrics(withBound(signal, options)),
    podMetrics: (options) => reader.podMetrics(withBound(signal, options)),
    raw: (path, options) => reader.raw(path, withBound(signal, options)),
    servingCertificates: (options) => reader.servingCertificates(withBound(signal, options)),
    clientCertificate: (options) => reader.clientCertificate(withBound(signal, options)),
  };
}

/** A view of `reader` whose every call is also released by `signal`; `close` stays with the owner. */
export function bindEtcdReader(reader: EtcdReader, signal: AbortSignal): EtcdReader {
  return {
    endpoints: reader.endpoints,
    members: (options) => reader.members(withBound(signal, options)),
    status: (endpoint, options) => reader.status(endpoint, withBound(signal, options)),
    health: (endpoint, options) => reader.health(endpoint, withBound(signal, options)),
    ping: (endpoint, options) => reader.ping(endpoint, withBound(signal, options)),
    alarms: (options) => reader.alarms(withBound(signal, options)),
    quotaBytes: (endpoint, options) => reader.quotaBytes(endpoint, withBound(signal, options)),
    metricsText: (endpoint, options) => reader.metricsText(endpoint, withBound(signal, options)),
    prefixCounts: (root, options) => reader.prefixCounts(root, withBound(signal, options)),
    servingCertificates: (endpoint, options) => reader.servingCertificates(endpoint, withBound(signal, options)),
    clientCertificate: (options) => reader.clientCertificate(withBound(signal, options)),
    close: async () => undefined,
  };
}

export function bindPrometheusReader(reader: PrometheusReader, signal: AbortSignal): PrometheusReader {
  return { url: reader.url, query: (expression, options) => reader.query(expression, withBound(signal, options)) };
}

/** Every reader of a run or a check, bound to its signal. */
export function bindReaders(readers: CheckReaders, signal: AbortSignal): CheckReaders {
  return {
    kube: bindKubeReader(readers.kube, signal),
    ...(readers.etcd ? { etcd: bindEtcdReader(readers.etcd, signal) } : {}),
    ...(readers.etcdQuotaBytes !== undefined ? { etcdQuotaBytes: readers.etcdQuotaBytes } : {}),
    ...(readers.prometheus
      ? {
          prometheus: { ...readers.prometheus, reader: bindPrometheusReader(readers.prometheus.reader, signal) },
        }
      : {}),
  };
}
