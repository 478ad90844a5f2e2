const DURATION = /^(?:\d+(?:ms|h|m|s))+$/;
const PART = /(\d+)(ms|h|m|s)/g;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** The length in ms of a duration such as `2s`, `250ms`, `1m30s`; `undefined` when it is not one. */
export function durationMs(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const part of text.matchAll(PART)) total += Number(part[1]) * (UNIT_MS[part[2] ?? 'ms'] ?? 0);
  return total;
}
