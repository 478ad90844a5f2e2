import { apiGroups, resourcesOf } from '../resources/registry.js';
import type { ClusterInfo } from '../scenario/scenario.js';

/**
 * Legacy discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/G/V`). kubectl 1.32 first asks for aggregated
 * discovery (apidiscovery.k8s.io/v2) but lists plain `application/json` last in its Accept header, and falls back to
 * these when the answer is a plain APIGroupList.
 */

/** `/version`. */
export function versionInfo(cluster: ClusterInfo): Record<string, string> {
  const [, major = '1', minor = '0'] = /^v(\d+)\.(\d+)/.exec(cluster.version) ?? [];
  return {
    major,
    minor,
    gitVersion: cluster.version,
    gitCommit: '9ad8b6c37a2e2fb6d7dc0e9dd7b8e5a84a5e4f2e',
    gitTreeState: 'clean',
    buildDate: '2025-02-12T21:19:07Z',
    goVersion: 'go1.23.6',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** `/api`. */
export function apiVersions(cluster: ClusterInfo): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: cluster.endpoint }],
  };
}

function groupEntry(group: { name: string; versions: string[] }): Record<string, unknown> {
  const versions = group.versions.map((version) => ({ groupVersion: `${group.name}/${version}`, version }));
  return { name: group.name, versions, preferredVersion: versions[0] };
}

/** `/apis`, with the groups that aggregated servers (metrics-server) add in this scenario. */
export function apiGroupList(aggregated: ReadonlyArray<Record<string, unknown>> = []): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...apiGroups().map(groupEntry), ...aggregated] };
}

/** `/apis/G`, or `undefined` when the group is not served. */
export function apiGroup(name: string): Record<string, unknown> | undefined {
  const group = apiGroups().find((candidate) => candidate.name === name);
  return group ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group) } : undefined;
}

/** `/api/v1` or `/apis/G/V`, or `undefined` when nothing is served there. */
export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const resources = resourcesOf(group, version);
  if (resources.length === 0) return undefined;
  const entries = resources
    .flatMap((resource) => [
      {
        name: resource.name,
        singularName: resource.singularName,
        namespaced: resource.namespaced,
        kind: resource.kind,
        verbs: resource.verbs,
        ...(resource.shortNames ? { shortNames: resource.shortNames } : {}),
        ...(resource.categories ? { categories: resource.categories } : {}),
        storageVersionHash: resource.storageVersionHash,
      },
      ...resource.subresources.map((sub) => ({
        name: `${resource.name}/${sub.name}`,
        singularName: '',
        namespaced: resource.namespaced,
        kind: sub.kind,
        verbs: sub.verbs,
      })),
    ])
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  // The core group's document has no apiVersion, the named groups' have one: so the real servers answer.
  return group
    ? { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources: entries }
    : { kind: 'APIResourceList', groupVersion: version, resources: entries };
}
