import type { LogLevel } from './log-line-parser.js';

/**
 * The log messages of control-plane components that name a cause an SRE can act on, and what each says. The table
 * is small and explicit: every entry is a message Kubernetes or etcd prints (see the parser tests for real lines).
 */
export type LogCause =
  /** `pods is forbidden: User "system:kube-scheduler" cannot list resource "pods" in API group "" at the cluster scope`. */
  | { kind: 'rbac-forbidden'; user: string; verb: string; resource: string; group: string; namespace?: string }
  /**
   * `x509: certificate has expired or is not yet valid: current time … is after …`. `peer`: the component could not
   * verify the certificate of the server at `address`; `client`: a client presented one to this component.
   */
  | {
      kind: 'certificate-expired';
      side: 'peer' | 'client';
      address?: string;
      /** The certificate's notAfter when the message gives it (RFC 3339). */
      notAfter?: string;
      /** "is before": the certificate is not valid yet, which is a clock problem. */
      notYetValid: boolean;
    }
  /** `dial tcp 10.0.0.12:6443: connect: connection refused`, `context deadline exceeded` on a request to a server. */
  | {
      kind: 'unreachable';
      reason: 'refused' | 'timeout';
      target: 'kube-apiserver' | 'etcd' | 'other';
      address?: string;
    }
  /** `"Leaderelection lost"`, `leaderelection lost`, `failed to renew lease kube-system/kube-scheduler: …`. */
  | { kind: 'leader-election-lost'; lease?: string }
  /** etcd's `apply request took too long` (3.4+) or `apply entries took too long` (≤ 3.3). */
  | { kind: 'etcd-slow-apply'; tookMs?: number; expectedMs?: number }
  /** `failed to list *v1beta1.PodDisruptionBudget: the server could not find the requested resource`. */
  | { kind: 'resource-not-found'; type?: string };

export type LogCauseKind = LogCause['kind'];

/** The lowest level at which a cause's lines count: some are warnings (grpc, reflector), `failed to renew lease` is info. */
export const CAUSE_MIN_LEVEL: Readonly<Record<LogCauseKind, LogLevel>> = {
  'rbac-forbidden': 'warning',
  'certificate-expired': 'warning',
  unreachable: 'warning',
  'leader-election-lost': 'info',
  'etcd-slow-apply': 'warning',
  'resource-not-found': 'warning',
};

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warning: 2, error: 3, fatal: 4 };

export function levelAtLeast(level: LogLevel | undefined, minimum: LogLevel): boolean {
  return level !== undefined && LEVEL_RANK[level] >= LEVEL_RANK[minimum];
}

const FORBIDDEN =
  /User "([^"]+)" cannot ([\w-]+) (?:resource "([^"]+)"(?: in API group "([^"]*)")?|([\w./-]+))(?: (?:at the cluster scope|in the namespace "([^"]*)"))?/;
const RFC3339 = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})`;
const X509_EXPIRED = new RegExp(
  String.raw`x509: certificate has expired or is not yet valid(?:: current time (${RFC3339}) is (after|before) (${RFC3339}))?`,
);
const CLIENT_SIDE =
  /Unable to authenticate the request|failed to verify client'?s? certificate|rejected connection|client certificate/i;
const REFUSED = /(?:connect|getsockopt): connection refused/;
const TIMEOUT =
  /context deadline exceeded|Client\.Timeout exceeded|i\/o timeout|TLS handshake timeout|etcdserver: request timed out/;
const LEADER_LOST = /leader ?election lost|lost master|failed to renew lease ?([\w.-]+\/[\w.-]+)?/i;
const SLOW_APPLY = /apply (?:request|entries) took too long/;
const NOT_FOUND = /failed to list (\*?[\w.]+): the server could not find the requested resource/i;

/** `https://10.0.0.12:6443/...`, `dial tcp 10.0.0.12:6443`, grpc's `{https://127.0.0.1:2379 …}` / `{127.0.0.1:2379 …}`. */
const ADDRESSES: readonly RegExp[] = [
  /\bhttps?:\/\/(\[[0-9a-fA-F:.]+\](?::\d+)?|[\w.-]+(?::\d+)?)/,
  /\bdial tcp (\[[0-9a-fA-F:.]+\]:\d+|[\w.-]+:\d+)/,
  /\{(?:https?:\/\/)?((?:\d{1,3}\.){3}\d{1,3}:\d+)/,
];

function addressIn(message: string): string | undefined {
  for (const expression of ADDRESSES) {
    const match = expression.exec(message);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

function targetOf(address: string | undefined, message: string): 'kube-apiserver' | 'etcd' | 'other' {
  const port = address ? /:(\d+)$/.exec(address)?.[1] : undefined;
  if (port === '2379' || /\betcd(?:server)?\b/i.test(message.replace(/https?:\/\/\S+/g, ''))) return 'etcd';
  if (port === '6443' || port === '443' || port === '8443' || /https?:\/\/\S+\/apis?\//.test(message))
    return 'kube-apiserver';
  return 'other';
}

/** `627.833521ms`, `1.46s`, `0.101501094` (seconds, etcd 3.4's numeric form) → ms. */
function durationMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ns|µs|us|ms|s|m)?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor = { ns: 1e-6, µs: 1e-3, us: 1e-3, ms: 1, s: 1000, m: 60_000 }[unit] ?? 1000;
  return value * factor;
}

/** The raw line's field (`"took":"627.833521ms"` or `"took":0.1015`), for JSON lines whose fields are not in the message. */
function field(raw: string, name: string): string | undefined {
  const match = new RegExp(`"${name}":(?:"([^"]*)"|([\\d.]+))`).exec(raw);
  return match?.[1] ?? match?.[2];
}

/**
 * The cause a message names, or `undefined`. One cause per line, the most specific first: a lease that cannot be
 * read because of RBAC is an RBAC problem, not a leader-election one.
 */
export function classifyLogMessage(message: string, raw = message): LogCause | undefined {
  const forbidden = /\bUser "[^"]+" cannot [\w-]+ /.test(message) ? FORBIDDEN.exec(message) : null;
  if (forbidden) {
    const resource = forbidden[3] ?? forbidden[5] ?? '';
    return {
      kind: 'rbac-forbidden',
      user: forbidden[1] ?? '',
      verb: forbidden[2] ?? '',
      resource,
      group: forbidden[4] ?? '',
      ...(forbidden[6] ? { namespace: forbidden[6] } : {}),
    };
  }
  const x509 = X509_EXPIRED.exec(message);
  if (x509) {
    const client = CLIENT_SIDE.test(message);
    const address = client ? undefined : addressIn(message);
    return {
      kind: 'certificate-expired',
      side: client ? 'client' : 'peer',
      notYetValid: x509[2] === 'before',
      ...(address ? { address } : {}),
      ...(x509[2] === 'after' && x509[3] ? { notAfter: x509[3] } : {}),
    };
  }
  const refused = REFUSED.test(message);
  if (refused || TIMEOUT.test(message)) {
    const address = addressIn(message);
    const target = targetOf(address, message);
    // A timeout with neither an address nor etcd named says too little to act on.
    if (refused || address || target === 'etcd') {
      return { kind: 'unreachable', reason: refused ? 'refused' : 'timeout', target, ...(address ? { address } : {}) };
    }
  }
  const lost = LEADER_LOST.exec(message);
  if (lost) return { kind: 'leader-election-lost', ...(lost[1] ? { lease: lost[1] } : {}) };
  if (SLOW_APPLY.test(message)) {
    const took = durationMs(field(raw, 'took') ?? /\[(\S+) for \d+ entries\]/.exec(raw)?.[1]);
    const expected = durationMs(field(raw, 'expected-duration'));
    return {
      kind: 'etcd-slow-apply',
      ...(took === undefined ? {} : { tookMs: took }),
      ...(expected === undefined ? {} : { expectedMs: expected }),
    };
  }
  const notFound = NOT_FOUND.exec(message);
  if (notFound) return { kind: 'resource-not-found', ...(notFound[1] ? { type: notFound[1] } : {}) };
  return undefined;
}

/**
 * What makes two lines the same problem across pods: the user for RBAC, the server (and side) for a certificate or
 * an unreachable server, the kind alone for the rest (findings split those by component).
 */
export function causeKey(cause: LogCause): string {
  switch (cause.kind) {
    case 'rbac-forbidden':
      return `rbac-forbidden:${cause.user}`;
    case 'certificate-expired':
      return `certificate-expired:${cause.side}:${cause.notYetValid ? 'not-yet-valid' : 'expired'}:${cause.address ?? ''}`;
    case 'unreachable':
      return `unreachable:${cause.target}:${cause.reason}:${cause.address ?? ''}`;
    default:
      return cause.kind;
  }
}
