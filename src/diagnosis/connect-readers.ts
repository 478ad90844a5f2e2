import type { RunClients } from '../playbooks/run-playbook.js';
import type { Config } from '../config/config-schema.js';
import { createKubeReader } from '../cluster/create-kube-reader.js';
import { ConfigError, EtcdUnreachableError, describeError } from '../core/errors.js';
import type { EtcdReader } from '../ports/etcd-reader.js';
import { createEtcdReader } from '../etcd/etcd3-reader.js';
import { shareEtcdReads } from './share-in-flight.js';
import { createPrometheusReader } from '../prometheus/http-prometheus-reader.js';
import type { PrometheusReader } from '../ports/prometheus-reader.js';
import { parseLabelMatchers } from '../metrics/index.js';

export interface ConnectedReaders {
  clients: RunClients;
  close(): Promise<void>;
}

/**
 * etcd is the one input whose absence makes the run pointless: when none of the given endpoints answers, stop with
 * an error that names them, instead of a report of "could not check" findings.
 */
async function ensureReachable(etcd: EtcdReader): Promise<void> {
  const reasons: string[] = [];
  for (const endpoint of etcd.endpoints) {
    try {
      await etcd.status(endpoint);
      return;
    } catch (error) {
      reasons.push(`${endpoint}: ${describeError(error)}`);
    }
  }
  throw new EtcdUnreachableError(etcd.endpoints, reasons.join('; '));
}

function connectEtcd(config: Config['etcd']): EtcdReader {
  return createEtcdReader({
    endpoints: config.endpoints,
    ...(config.caFile ? { caFile: config.caFile } : {}),
    ...(config.certFile ? { certFile: config.certFile } : {}),
    ...(config.keyFile ? { keyFile: config.keyFile } : {}),
    requestTimeoutMs: config.requestTimeoutMs,
  });
}

/** A Prometheus that cannot be asked would turn every latency check into "could not check": say so once, up front. */
async function connectPrometheus(config: Config['prometheus']): Promise<RunClients['prometheus']> {
  const { url, bearerTokenFile, caFile, rangeSeconds, requestTimeoutMs, selector } = config;
  if (!url) return undefined;
  let reader: PrometheusReader;
  try {
    reader = createPrometheusReader({
      url,
      timeoutMs: requestTimeoutMs,
      ...(bearerTokenFile ? { bearerTokenFile } : {}),
      ...(caFile ? { caFile } : {}),
    });
  } catch (error) {
    throw new ConfigError(
      `Cannot read prometheus.bearerTokenFile or prometheus.caFile: ${describeError(error)}`,
      error,
    );
  }
  // A real Prometheus answers `1` with a scalar; any well-formed answer proves the URL is its query API.
  await reader.query('1');
  return { reader, rangeSeconds, ...(selector ? { selector: parseLabelMatchers(selector) } : {}) };
}

/** Read-only readers for one cluster as the config describes it; the caller closes them. */
export async function connectReaders(config: Config): Promise<ConnectedReaders> {
  const kube = createKubeReader({
    ...(config.kube.kubeconfig ? { kubeconfigPath: config.kube.kubeconfig } : {}),
    ...(config.kube.context ? { context: config.kube.context } : {}),
    inCluster: config.kube.inCluster,
    requestTimeoutMs: config.kube.requestTimeoutMs,
    pageSize: config.kube.pageSize,
    rateLimit: config.kube.rateLimit,
  });
  let etcd: EtcdReader | undefined;
  // Whatever opened before a failure is closed again: a half-connected CLI must still exit.
  try {
    if (config.etcd.endpoints.length > 0) {
      const reader = connectEtcd(config.etcd);
      etcd = reader;
      await ensureReachable(reader);
      etcd = shareEtcdReads(reader);
    }
    const prometheus = await connectPrometheus(config.prometheus);
    return {
      clients: {
        kube,
        ...(etcd ? { etcd } : {}),
        ...(prometheus ? { prometheus } : {}),
        ...(config.etcd.quotaBytes ? { etcdQuotaBytes: config.etcd.quotaBytes } : {}),
      },
      async close() {
        kube.close();
        await etcd?.close();
      },
    };
  } catch (error) {
    kube.close();
    await etcd?.close();
    throw error;
  }
}
