/**
 * Timestamps in scenarios may be relative to the simulator's clock (`-45s`, `-3m`, `-1h30m`, `now`), so that a lease
 * renewed "3 seconds ago" is fresh whenever it is read and a stale one stays stale. They stay relative in the store
 * and are resolved when an object is serialised, against the clock of that moment.
 */
const RELATIVE = /^(?:now)?(?:([+-])((?:\d+(?:d|h|m|s))+))?$/;
const PART = /(\d+)(d|h|m|s)/g;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/** Fields holding `metav1.Time` (second precision) in the objects the simulator serves. */
export const TIME_FIELDS: ReadonlySet<string> = new Set([
  'creationTimestamp',
  'deletionTimestamp',
  'lastTransitionTime',
  'lastHeartbeatTime',
  'lastProbeTime',
  'startedAt',
  'finishedAt',
  'startTime',
  'firstTimestamp',
  'lastTimestamp',
  'timeAdded',
]);

/** Fields holding `metav1.MicroTime` (microsecond precision): events' `eventTime`, leases' renew and acquire times. */
export const MICRO_TIME_FIELDS: ReadonlySet<string> = new Set([
  'eventTime',
  'lastObservedTime',
  'renewTime',
  'acquireTime',
]);

/** The offset in ms of a relative expression (`-3m` → -180000, `now` → 0), or `undefined` if it is not one. */
export function relativeOffsetMs(text: string): number | undefined {
  if (text === '' || text === '+' || text === '-') return undefined;
  const match = RELATIVE.exec(text);
  if (!match) return undefined;
  if (!match[1]) return text === 'now' ? 0 : undefined;
  let total = 0;
  for (const part of (match[2] ?? '').matchAll(PART)) total += Number(part[1]) * (UNIT_MS[part[2] ?? 's'] ?? 0);
  return match[1] === '-' ? -total : total;
}

/** True for an RFC 3339 timestamp or a relative expression. */
export function isTimestampExpression(text: string): boolean {
  if (relativeOffsetMs(text) !== undefined) return true;
  return RFC3339.test(text) && !Number.isNaN(Date.parse(text));
}

/** `2024-03-12T10:14:02Z`, the way the API server writes `metav1.Time`. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** `2024-03-12T10:14:02.123000Z`, the way the API server writes `metav1.MicroTime`. */
export function formatMicroTime(ms: number): string {
  return new Date(Math.floor(ms)).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The absolute time in ms of a timestamp expression at `nowMs`; `undefined` if it is neither form. */
export function timestampMs(text: string, nowMs: number): number | undefined {
  const offset = relativeOffsetMs(text);
  if (offset !== undefined) return nowMs + offset;
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Resolves a relative expression to the wire format of its field; absolute timestamps are returned unchanged. */
export function resolveTimestamp(text: string, nowMs: number, micro = false): string {
  const offset = relativeOffsetMs(text);
  if (offset === undefined) return text;
  return micro ? formatMicroTime(nowMs + offset) : formatTime(nowMs + offset);
}

/**
 * A `JSON.stringify` replacer that resolves relative timestamps in the known time fields, so objects are serialised
 * without being copied first.
 */
export function timestampReplacer(nowMs: number): (key: string, value: unknown) => unknown {
  return (key, value) => {
    if (typeof value !== 'string') return value;
    if (TIME_FIELDS.has(key)) return resolveTimestamp(value, nowMs, false);
    if (MICRO_TIME_FIELDS.has(key)) return resolveTimestamp(value, nowMs, true);
    return value;
  };
}

/** `"renewTime":"-3s"`: a time field's property in JSON text, with a value that has no escapes (times have none). */
const TIME_PROPERTY = new RegExp(`"(${[...TIME_FIELDS, ...MICRO_TIME_FIELDS].join('|')})":"([^"\\\\]*)"`, 'g');

/**
 * Resolves relative timestamps in JSON text, in the known time fields: what {@link timestampReplacer} does, on the
 * serialised text. Several times faster than a replacer, which JSON.stringify calls for every value, so a page of
 * 500 generated pods is serialised natively and scanned once. A property of that form can only be a property: in a
 * string value its quotes would be escaped.
 */
export function resolveTimestampsInJson(json: string, nowMs: number): string {
  // Objects repeat their times (a pod's creation, start and conditions): format each distinct one once.
  const resolved = new Map<string, string>();
  return json.replace(TIME_PROPERTY, (whole, key: string, value: string) => {
    const micro = MICRO_TIME_FIELDS.has(key);
    const cacheKey = micro ? `µ${value}` : value;
    let text = resolved.get(cacheKey);
    if (text === undefined) {
      text = resolveTimestamp(value, nowMs, micro);
      resolved.set(cacheKey, text);
    }
    return text === value ? whole : `"${key}":"${text}"`;
  });
}
