/**
 * The path of a cluster's setting in the config file, as findings and errors name it:
 * `clusters.prod-eu.etcd.endpoints`. Every front end understands it; the CLI adds its flag spelling (see
 * src/cli/flag-spelling.ts), Slack shows it as is.
 */
export function clusterSetting(cluster: string, path: string): string {
  return `clusters.${cluster}.${path}`;
}

/** Names a setting by its path within a cluster's section (`etcd.caFile`) for messages. */
export type SettingName = (path: string) => string;

/** For a reader used outside any configured cluster: the path within the cluster's section as is. */
export const bareSettingName: SettingName = (path) => path;

/** The namer for one configured cluster. */
export function clusterSettingName(cluster: string): SettingName {
  return (path) => clusterSetting(cluster, path);
}
