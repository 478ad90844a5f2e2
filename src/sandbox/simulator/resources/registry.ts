import { events } from './events.js';
import { leases } from './leases.js';
import { namespaces } from './namespaces.js';
import { nodes } from './nodes.js';
import { pods } from './pods.js';
import type { ResourceDefinition } from './resource-definition.js';

/** The resources the simulator serves, keyed by plural name. */
export const RESOURCES = { nodes, pods, events, namespaces, leases } as const;
export type ResourceName = keyof typeof RESOURCES;
export const RESOURCE_NAMES = Object.keys(RESOURCES) as ResourceName[];

/** The served resources of one API group version, in discovery order. */
export function resourcesOf(group: string, version: string): ResourceDefinition[] {
  return Object.values(RESOURCES).filter((resource) => resource.group === group && resource.version === version);
}

/** The groups besides core, with their versions, as `/apis` lists them. */
export function apiGroups(): Array<{ name: string; versions: string[] }> {
  const groups = new Map<string, Set<string>>();
  for (const resource of Object.values(RESOURCES)) {
    if (!resource.group) continue;
    const versions = groups.get(resource.group) ?? new Set<string>();
    versions.add(resource.version);
    groups.set(resource.group, versions);
  }
  return [...groups].map(([name, versions]) => ({ name, versions: [...versions] }));
}
