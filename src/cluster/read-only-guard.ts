import { ReadOnlyViolationError } from '../core/errors.js';

/** The only HTTP methods the diagnostics may send. Exact spellings: `get`, ` GET` or `GET\n` are refused too. */
export const READ_METHODS = ['GET', 'HEAD'] as const;
export type ReadMethod = (typeof READ_METHODS)[number];

/**
 * Subresources that accept GET but are not reads. `exec`, `attach` and `portforward` upgrade a GET to a
 * SPDY/WebSocket stream that runs commands in, or tunnels into, a container; `proxy` forwards the request to a
 * pod, service or node (the kubelet's own API includes `/run` and `/exec`). RBAC grants them through `get` on the
 * subresource, so "only GET" alone would not keep the diagnostics read-only.
 */
export const STREAMING_SUBRESOURCES: ReadonlySet<string> = new Set(['exec', 'attach', 'portforward', 'proxy']);

/** Subresources of a namespace object itself (`/api/v1/namespaces/NAME/status`), as opposed to a namespaced resource. */
const NAMESPACE_SUBRESOURCES: ReadonlySet<string> = new Set(['status', 'finalize']);

/**
 * Throws {@link ReadOnlyViolationError} unless `method` is exactly GET or HEAD and `pathAndQuery` is a plain
 * server-relative path that names no streaming subresource. Called before anything else in the transport, so a
 * refused request never reaches the rate limiter, the credentials or a socket.
 *
 * @returns the method to send, as a constant of ours rather than the caller's string.
 */
export function assertReadOnly(method: string, pathAndQuery: string): ReadMethod {
  const allowed = READ_METHODS.find((candidate) => candidate === method);
  if (allowed === undefined) throw new ReadOnlyViolationError(printable(method), printable(pathAndQuery));
  const refusal = refusePath(pathAndQuery);
  if (refusal) throw new ReadOnlyViolationError(allowed, `${printable(pathAndQuery)} (${refusal})`);
  return allowed;
}

/** Why a path is refused, or undefined when it is a plain read. */
function refusePath(pathAndQuery: string): string | undefined {
  // No absolute URLs, protocol-relative `//host` or control characters: the path must stay on the configured server.
  if (!pathAndQuery.startsWith('/') || pathAndQuery.startsWith('//')) return 'the path must start with a single /';
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\u0000-\u0020\u007f\\#]/.test(pathAndQuery)) return 'the path holds whitespace, control characters, \\ or #';
  const path = pathAndQuery.split('?', 1)[0] ?? '';
  const segments: string[] = [];
  for (const raw of path.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return 'the path is not valid percent-encoding';
    }
    // Go's router sees the decoded path: `%2F` or `..` could otherwise smuggle a different route past this check.
    if (segment === '.' || segment === '..' || segment.includes('/'))
      return 'the path holds . or .. segments or an encoded /';
    segments.push(segment.toLowerCase());
  }
  const subresource = subresourceOf(segments);
  if (subresource !== undefined && STREAMING_SUBRESOURCES.has(subresource)) {
    return `the ${subresource} subresource opens a stream into the cluster`;
  }
  // The legacy `/api/v1/proxy/...` form (removed in 1.10) and anything unexpected under `proxy` are refused as well.
  if (segments[0] === 'api' && segments[2] === 'proxy') return 'the proxy path forwards requests into the cluster';
  return undefined;
}

/**
 * The subresource named by a resource path, if any: `/api/v1/namespaces/NS/pods/NAME/exec` → `exec`,
 * `/apis/GROUP/VERSION/nodes/NAME/proxy/metrics` → `proxy`. Object names in other positions (a pod called `exec`)
 * are not mistaken for subresources.
 */
function subresourceOf(segments: readonly string[]): string | undefined {
  let rest: readonly string[];
  if (segments[0] === 'api') rest = segments.slice(2);
  else if (segments[0] === 'apis') rest = segments.slice(3);
  else return undefined;
  if (rest[0] === 'watch') rest = rest.slice(1);
  if (rest[0] === 'namespaces' && rest.length >= 3 && !NAMESPACE_SUBRESOURCES.has(rest[2] ?? '')) rest = rest.slice(2);
  // rest is now RESOURCE / NAME / SUBRESOURCE / ...
  return rest[2];
}

/** Error messages show what was asked without letting odd bytes garble a log line. */
function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1).slice(0, 200);
}
