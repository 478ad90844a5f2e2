/**
 * Secret redaction for anything Quorum shows: log excerpts, event messages, error texts, findings.
 *
 * Each rule replaces only the secret part with {@link REDACTED} and keeps what names it (the key, the flag, the
 * `Bearer` scheme, the URL's user), so the reader still sees *that* a credential was there and where. Rules are
 * deliberately narrow: a plural ("tokens"), a key that merely starts with a keyword (`token-auth-file`,
 * `password_file`), UIDs, resource versions and digests stay as they are.
 */
import type { Finding } from './finding.js';

/** What every redacted secret becomes. */
export const REDACTED = '[REDACTED]';

/** Key names (the last word of a key) whose value is a secret: `token`, `access_token`, `db-password`, … */
const SECRET_KEY_WORDS = [
  'token',
  'password',
  'passwd',
  'secret',
  'credentials',
  'client-key-data',
  'api[_-]?key',
  'secret[_-]?access[_-]?key',
  'private[_-]?key',
].join('|');

/** Values next to a secret key that are not secrets, left alone so the reader is not misled. */
const NOT_SECRET_VALUES = new Set(['true', 'false', 'null', 'nil', '<nil>', '<none>', '""', "''"]);

/** `-----BEGIN RSA PRIVATE KEY----- … -----END RSA PRIVATE KEY-----`; a block cut off without END is redacted to the end. */
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?(?:-----END \1-----|$)/g;

/** `Authorization: Bearer x`, `"authorization":"Basic x"`, Go's `map[Authorization:[Bearer x]]`. */
const AUTHORIZATION_HEADER =
  /\b((?:proxy-)?authorization|set-cookie|cookie)(["']?[ \t]*[:=][ \t]*["']?\[?)(?:(bearer|basic|token|digest|negotiate)[ \t]+)?([^\s"'\],]+)/gi;

/** `https://user:pass@host`: the user stays, the password goes. */
const URL_BASIC_AUTH = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]+):([^\s/@]+)@/gi;

/** `token: x`, `token=x`, `"access_token":"x"`, `DB_PASSWORD=x`, `client-key-data: x`, `--bootstrap-token=x`. */
const SECRET_KEY_VALUE = new RegExp(
  `\\b([\\w.-]*?(?:${SECRET_KEY_WORDS}))\\b(["']?[ \\t]*[:=][ \\t]*)("(?:[^"\\\\\\n]|\\\\.)*"|'[^'\\n]*'|[^\\s,;&"'}\\]){[][^\\s,;&"'}\\])]*)`,
  'gi',
);

/** `password: correct horse battery staple` as a YAML line: an unquoted value runs to the end of the line. */
const SECRET_YAML_LINE = new RegExp(`^([ \\t-]*[\\w.-]*?(?:${SECRET_KEY_WORDS}):[ \\t]+)([^\\s"'{[|>][^\\n]*)$`, 'gim');

/** `--token abc123…`: a flag given with a space; only redacted when the value looks like a credential. */
const SECRET_FLAG_SPACED = new RegExp(`(--[\\w-]*?(?:${SECRET_KEY_WORDS}))([ \\t]+)([^\\s-][^\\s,;"']*)`, 'gi');

/** `bearer abc123…` outside a header, as in "invalid bearer token" messages or curl command lines. */
const BEARER = /\b(bearer)([ \t]+)([A-Za-z0-9\-._~+/]+=*)/gi;

/** Standalone credentials recognisable by their shape; the prefix (the kind of key) is kept. */
const SHAPED_SECRETS: ReadonlyArray<[RegExp, string]> = [
  // JWTs (service-account tokens, OIDC id tokens): base64url header and payload both start with `{"` → `eyJ`.
  [/\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // Slack bot, user, app-level, refresh and legacy tokens.
  [/\b(xox[abeoprs]-|xapp-)[A-Za-z0-9-]{8,}/g, `$1${REDACTED}`],
  // A PEM block base64-encoded again, as Secrets (tls.key) and kubeconfigs carry it: "-----BEGIN" → "LS0tLS1CRUdJTi".
  [/\bLS0tLS1CRUdJTi[A-Za-z0-9+/=]{16,}/g, REDACTED],
  // AWS access key IDs (long-term and temporary).
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, `$1${REDACTED}`],
];

/** True for a value an earlier rule (or an earlier pass) already redacted; `]` ends some value patterns. */
function isRedacted(value: string): boolean {
  return value.startsWith(REDACTED.slice(0, -1));
}

/** A word in prose ("bearer authentication", "--token flag") versus a credential: long, or with digits or symbols. */
function looksLikeCredential(value: string): boolean {
  if (isRedacted(value)) return false;
  return value.length >= 20 || (value.length >= 8 && /[\d\-._~+/=]/.test(value));
}

function redactValue(value: string): string {
  if (isRedacted(value) || NOT_SECRET_VALUES.has(value.toLowerCase())) return value;
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.length >= 2) {
    const inner = value.slice(1, -1);
    return inner.length === 0 || isRedacted(inner) ? value : `${quote}${REDACTED}${quote}`;
  }
  return REDACTED;
}

/**
 * Removes secrets from free text: bearer and basic credentials, `--token=`/`token:`/`password=` values,
 * kubeconfig `client-key-data`, PEM private-key blocks, AWS access key IDs, Slack tokens, passwords in URLs
 * and JWTs. Pure and idempotent: `redact(redact(x)) === redact(x)`.
 */
export function redact(text: string): string {
  let out = text.replace(
    PEM_PRIVATE_KEY,
    (_match, kind: string) => `-----BEGIN ${kind}-----\n${REDACTED}\n-----END ${kind}-----`,
  );
  out = out.replace(
    AUTHORIZATION_HEADER,
    (match, key: string, separator: string, scheme: string | undefined, value: string) => {
      if (isRedacted(value) || (!scheme && value.length < 16)) return match;
      return `${key}${separator}${scheme ? `${scheme} ` : ''}${REDACTED}`;
    },
  );
  out = out.replace(URL_BASIC_AUTH, (match, scheme: string, user: string, password: string) =>
    isRedacted(password) ? match : `${scheme}${user}:${REDACTED}@`,
  );
  out = out.replace(SECRET_YAML_LINE, (match, key: string, value: string) =>
    isRedacted(value) || NOT_SECRET_VALUES.has(value.trim().toLowerCase()) ? match : `${key}${REDACTED}`,
  );
  out = out.replace(
    SECRET_KEY_VALUE,
    (_match, key: string, separator: string, value: string) => `${key}${separator}${redactValue(value)}`,
  );
  out = out.replace(SECRET_FLAG_SPACED, (match, flag: string, space: string, value: string) =>
    looksLikeCredential(value) ? `${flag}${space}${REDACTED}` : match,
  );
  out = out.replace(BEARER, (match, word: string, space: string, value: string) =>
    looksLikeCredential(value) ? `${word}${space}${REDACTED}` : match,
  );
  for (const [pattern, replacement] of SHAPED_SECRETS) out = out.replace(pattern, replacement);
  return out;
}

/** Applies {@link redact} to every string in a JSON-like value (arrays and plain objects), keeping its shape. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item)])) as T;
  }
  return value;
}

/**
 * A copy of the finding with every shown string redacted: title, summary, evidence labels and values, recommendation,
 * the string leaves of `data` and of the proposals. Renderers call it on every finding (defence in depth: checks
 * redact their excerpts too). Severity, check id and the shape of `data` are unchanged.
 */
export function redactFinding(finding: Finding): Finding {
  const redacted: Finding = {
    ...finding,
    title: redact(finding.title),
    summary: redact(finding.summary),
    evidence: finding.evidence.map((item) => ({ label: redact(item.label), value: redact(item.value) })),
  };
  if (finding.recommendation !== undefined) redacted.recommendation = redact(finding.recommendation);
  if (finding.data !== undefined) redacted.data = redactDeep(finding.data);
  if (finding.proposals !== undefined) redacted.proposals = redactDeep(finding.proposals);
  return redacted;
}
