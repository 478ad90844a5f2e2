/** Kubernetes RBAC's authorisation rules, small enough to read: what a set of rendered Roles grants to one subject. */

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

/** What one request asks for, as the API server's authoriser sees it. */
export type RequestAttributes =
  | { kind: 'resource'; verb: string; apiGroup: string; resource: string; subresource?: string; namespace?: string }
  | { kind: 'nonResource'; verb: string; path: string };

/** A rule, and the namespace it applies in (undefined: a ClusterRole bound cluster-wide). */
export interface GrantedRule {
  rule: PolicyRule;
  namespace?: string;
  from: string;
}

/** The attributes of a GET the reader sent: `/api/v1/...`, `/apis/GROUP/VERSION/...`, or a non-resource path. */
export function requestAttributes(url: string): RequestAttributes {
  const parsed = new URL(url, 'https://apiserver');
  const segments = parsed.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let rest: string[];
  let apiGroup: string;
  if (segments[0] === 'api' && segments.length >= 3) {
    apiGroup = '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    apiGroup = segments[1]!;
    rest = segments.slice(3);
  } else {
    return { kind: 'nonResource', verb: 'get', path: parsed.pathname };
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  const verb = name ? 'get' : parsed.searchParams.get('watch') === 'true' ? 'watch' : 'list';
  return {
    kind: 'resource',
    verb,
    apiGroup,
    resource: resource!,
    ...(subresource ? { subresource } : {}),
    ...(namespace ? { namespace } : {}),
  };
}

/** RBAC's own matching: exact names, `*` (never granted here, but understood), and `/prefix/*` for URLs. */
export function allows(granted: GrantedRule, request: RequestAttributes): boolean {
  const { rule, namespace } = granted;
  const has = (list: string[] | undefined, value: string) =>
    (list ?? []).some((item) => item === '*' || item === value);
  if (!has(rule.verbs, request.verb)) return false;
  if (request.kind === 'nonResource') {
    if (namespace !== undefined) return false; // non-resource URLs are granted only by ClusterRoles bound cluster-wide
    return (rule.nonResourceURLs ?? []).some((pattern) =>
      pattern.endsWith('*') ? request.path.startsWith(pattern.slice(0, -1)) : pattern === request.path,
    );
  }
  if (namespace !== undefined && request.namespace !== namespace) return false;
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  return has(rule.apiGroups, request.apiGroup) && has(rule.resources, resource) && !rule.resourceNames?.length;
}
