import type { RunClients } from '../playbooks/run-playbook.js';
import type { Config } from '../config/config-schema.js';
import { createKubeReader } from '../cluster/create-kube-reader.js';
import { EtcdUnreachableError, describeError } from '../core/errors.js';
import type { EtcdReader } from '../etcd/etcd-reader.js';
import { createEtcdReader } from '../etcd/etcd3-reader.js';
import { shareEtcdReads } from './share-in-flight.js';
import { createPrometheusReader } from '../prometheus/http-prometheus-reader.js';

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
  if (config.etcd.endpoints.length > 0) {
    const reader = createEtcdReader({
      endpoints: config.etcd.endpoints,
      ...(config.etcd.caFile ? { caFile: config.etcd.caFile } : {}),
      ...(config.etcd.certFile ? { certFile: config.etcd.certFile } : {}),
      ...(config.etcd.keyFile ? { keyFile: config.etcd.keyFile } : {}),
      requestTimeoutMs: config.etcd.requestTimeoutMs,
    });
    try {
      await ensureReachable(reader);
    } catch (error) {
      await reader.close();
      kube.close();
      throw error;
    }
    etcd = shareEtcdReads(reader);
  }
  const { url, bearerTokenFile, caFile, rangeSeconds, requestTimeoutMs } = config.prometheus;
  const prometheus = url
    ? {
        reader: createPrometheusReader({
          url,
          timeoutMs: requestTimeoutMs,
          ...(bearerTokenFile ? { bearerTokenFile } : {}),
          ...(caFile ? { caFile } : {}),
        }),
        rangeSeconds,
      }
    : undefined;
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
}
