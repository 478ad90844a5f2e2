import { ConfigSchema, type ClusterConfigInput, type Config, type ConfigInput } from './config-schema.js';

/**
 * A config with one cluster, its default: what the demo, the bench and tests build in code.
 *
 * @param name - the cluster's name, as reports carry it. @defaultValue "default"
 */
export function oneClusterConfig(
  cluster: ClusterConfigInput,
  rest: Omit<ConfigInput, 'clusters' | 'defaultCluster'> = {},
  name = 'default',
): Config {
  return ConfigSchema.parse({ ...rest, clusters: { [name]: cluster }, defaultCluster: name });
}
