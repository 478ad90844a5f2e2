import { closestMatches } from '../core/closest-match.js';
import { UnknownClusterError } from '../core/errors.js';
import type { ClusterConfig, Config } from './config-schema.js';

/** One configured cluster, with the name people type. */
export interface NamedCluster {
  name: string;
  settings: ClusterConfig;
}

/**
 * The cluster a run targets: the one asked for, else `defaultCluster`, else the only one configured.
 *
 * @throws UnknownClusterError naming the configured clusters (and the near misses) when there is no such cluster,
 *   or when none was asked for and several are configured without a `defaultCluster`.
 */
export function resolveCluster(config: Config, requested?: string): NamedCluster {
  const names = Object.keys(config.clusters);
  const name = requested ?? config.defaultCluster ?? (names.length === 1 ? names[0] : undefined);
  const settings = name === undefined ? undefined : config.clusters[name];
  if (name === undefined || settings === undefined) {
    throw new UnknownClusterError(requested, names, requested === undefined ? [] : closestMatches(requested, names));
  }
  return { name, settings };
}
