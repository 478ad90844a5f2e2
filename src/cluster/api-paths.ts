/** Where a Kubernetes resource lives: `/api/v1/...` for the core group, `/apis/GROUP/VERSION/...` otherwise. */
export interface ResourceLocation {
  /** Empty or omitted for the core group. */
  group?: string;
  version: string;
  /** Plural resource name, e.g. `pods`. */
  resource: string;
  /** Omit for cluster-scoped resources and cluster-wide lists. */
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** The server-relative path of a resource, each segment percent-encoded, plus an optional query. */
export function resourcePath(location: ResourceLocation, query?: URLSearchParams): string {
  const { group, version, resource, namespace, name, subresource } = location;
  const segments = group ? ['apis', group, version] : ['api', version];
  if (namespace !== undefined) segments.push('namespaces', namespace);
  segments.push(resource);
  if (name !== undefined) segments.push(name);
  if (subresource !== undefined) segments.push(subresource);
  for (const segment of segments) {
    // An empty name would silently turn a GET of one object into a list of all of them.
    if (segment === '') throw new TypeError(`Empty path segment in ${JSON.stringify(location)}`);
  }
  const path = `/${segments.map(encodeURIComponent).join('/')}`;
  const search = query?.toString();
  return search ? `${path}?${search}` : path;
}
