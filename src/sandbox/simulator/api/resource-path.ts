import { resourcesOf } from '../resources/registry.js';
import type { ResourceDefinition } from '../resources/resource-definition.js';
import { noSuchResource } from '../server/status-error.js';

/** A request for a resource: a list, one object, or one object's subresource. */
export interface ResourceRoute {
  resource: ResourceDefinition;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * Parses `/api/v1/namespaces/NS/pods/NAME/log`, `/api/v1/nodes`, `/apis/coordination.k8s.io/v1/...`. The path must
 * start with `/api/v1/` or `/apis/G/V/` and name something below; anything unknown is go-restful's 404 Status.
 */
export function parseResourcePath(segments: readonly string[]): ResourceRoute {
  let group: string;
  let version: string;
  let rest: readonly string[];
  if (segments[0] === 'api') {
    [group, version, rest] = ['', segments[1] ?? '', segments.slice(2)];
  } else {
    [group, version, rest] = [segments[1] ?? '', segments[2] ?? '', segments.slice(3)];
  }
  const served = resourcesOf(group, version);
  const find = (name: string | undefined): ResourceDefinition => {
    const resource = served.find((candidate) => candidate.name === name);
    if (!resource) throw noSuchResource();
    return resource;
  };
  const withSub = (route: ResourceRoute, sub: string | undefined, extra: number): ResourceRoute => {
    if (extra > 0) throw noSuchResource();
    if (sub === undefined) return route;
    if (!route.resource.subresources.some((candidate) => candidate.name === sub)) throw noSuchResource();
    return { ...route, subresource: sub };
  };

  const namespacedPath =
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(group === '' && ['status', 'finalize'].includes(rest[2] ?? '') && rest.length === 3);
  if (namespacedPath) {
    const resource = find(rest[2]);
    if (!resource.namespaced) throw noSuchResource();
    const route: ResourceRoute = { resource, namespace: rest[1] ?? '' };
    if (rest[3] === undefined) return route;
    return withSub({ ...route, name: rest[3] }, rest[4], rest.length - 5);
  }
  const resource = find(rest[0]);
  if (rest[1] === undefined) return { resource };
  // Only cluster-scoped objects are addressed without a namespace: /api/v1/pods/NAME is not a path.
  if (resource.namespaced) throw noSuchResource();
  return withSub({ resource, name: rest[1] }, rest[2], rest.length - 3);
}

/** For messages: `pods`, or `leases.coordination.k8s.io`. */
export function qualifiedName(resource: ResourceDefinition): string {
  return resource.group ? `${resource.name}.${resource.group}` : resource.name;
}
