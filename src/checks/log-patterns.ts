/**
 * The pattern of a log message: what stays the same when a component repeats an error. Times, addresses, UUIDs,
 * hex IDs, numbers and generated names are replaced by placeholders, so "Failed to list *v1.Pod: Get
 * https://10.0.0.12:6443/api/v1/pods?limit=500&resourceVersion=0: dial tcp 10.0.0.12:6443: connect: connection
 * refused" from three pods, a minute apart, is one pattern counted three times.
 */

const REPLACEMENTS: ReadonlyArray<[RegExp, string]> = [
  // RFC 3339 and Go's time.Time String() (`2023-06-09T12:38:57Z`, `2024-04-22 17:18:00.213095 +0800 CST`).
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}(?: [A-Z]{2,5})?)?/g, '<time>'],
  [/\b\d{2}:\d{2}:\d{2}(?:\.\d+)?\b/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  // URLs keep their scheme and path shape up to the query: `https://<addr>/api/v1/pods?<query>`.
  [/\?[^\s"'\\]+/g, '?<query>'],
  [/\[[0-9a-f:]*:[0-9a-f:]*\](?::\d+)?/gi, '<addr>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<addr>'],
  [/\b(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+\.(?:internal|local|com|net|io|org))(?::\d+)?\b/gi, '<host>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  [/\b[0-9a-f]{12,}\b/gi, '<hex>'],
  // Generated object names: `web-6f8c9d7b5e-4kq7z`, `cp-2`, `kube-apiserver-cp-1` (a word with a digit, joined by `-`).
  [/\b[a-z][a-z0-9]*(?:-[a-z0-9]+)*-[a-z0-9]*\d[a-z0-9]*\b/gi, '<name>'],
  // Numbers with a unit or alone: `627.833521ms`, `3s`, `41872`, `:133`.
  [/\b\d+(?:\.\d+)?(?:ns|µs|us|ms|s|m|h|[KMGT]i?B?)?\b/g, '<n>'],
];

/** The message with what varies between repetitions replaced: `<time>`, `<addr>`, `<uuid>`, `<hex>`, `<name>`, `<n>`. */
export function messagePattern(message: string): string {
  let pattern = message;
  for (const [expression, placeholder] of REPLACEMENTS) pattern = pattern.replace(expression, placeholder);
  return pattern.replace(/\s+/g, ' ').trim();
}
