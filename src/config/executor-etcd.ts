import { ConfigError } from '../core/errors.js';
import type { Config, EtcdConfig } from './config-schema.js';

/**
 * The etcd settings the executor writes with on `cluster`: its own credentials (`executor.clusters.<name>.etcd`),
 * with the endpoints, quota and deadline of the cluster's read-only `etcd` section where it leaves them out.
 *
 * @throws ConfigError when the executor has no credentials for the cluster, or no endpoint is known.
 */
export function executorEtcdSettings(config: Config, cluster: string): EtcdConfig {
  const own = config.executor.clusters[cluster]?.etcd;
  const shared = config.clusters[cluster]?.etcd;
  if (!own || !shared) {
    throw new ConfigError(
      `The executor has no etcd credentials for cluster "${cluster}": add executor.clusters.${cluster}.etcd ` +
        '(certFile, keyFile, caFile) to the config. Nothing was changed.',
    );
  }
  const endpoints = own.endpoints.length > 0 ? own.endpoints : shared.endpoints;
  if (endpoints.length === 0) {
    throw new ConfigError(
      `No etcd endpoints for cluster "${cluster}": set clusters.${cluster}.etcd.endpoints or executor.clusters.${cluster}.etcd.endpoints.`,
    );
  }
  const quotaBytes = own.quotaBytes ?? shared.quotaBytes;
  return { ...own, endpoints, ...(quotaBytes === undefined ? {} : { quotaBytes }) };
}
