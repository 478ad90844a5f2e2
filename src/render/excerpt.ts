import type { Evidence } from '../findings/finding.js';

/** A multi-line evidence value is an excerpt (a log tail, a health report), shown as a block rather than inline. */
export function isExcerpt(evidence: Evidence): boolean {
  return evidence.value.includes('\n');
}

/** The lines of an excerpt, without trailing blank lines. */
export function excerptLines(value: string): string[] {
  return value.replace(/\s+$/, '').split(/\r?\n/);
}

/**
 * At most `maxLines` lines of an excerpt: the first few (what it is about) and the last ones (a log tail's newest
 * lines, where the fatal error is), with a "… N more lines" line between them standing for what was left out.
 */
export function trimExcerpt(lines: readonly string[], maxLines: number): string[] {
  if (lines.length <= maxLines) return [...lines];
  const keep = Math.max(2, maxLines - 1);
  const head = Math.min(3, Math.floor(keep / 3));
  const tail = keep - head;
  const hidden = lines.length - head - tail;
  return [
    ...lines.slice(0, head),
    `… ${hidden} more line${hidden === 1 ? '' : 's'}`,
    ...lines.slice(lines.length - tail),
  ];
}

/**
 * An excerpt that fits `maxChars` (as measured by `measure`, e.g. escaped length) and `maxLines`: its newest lines
 * (the end of a log tail) and, if room remains, its first ones, with "… N more lines" standing for the rest.
 * When even the last line does not fit, it is returned with the marker only, for the caller to cut with its own.
 */
export function fitExcerpt(
  lines: readonly string[],
  maxLines: number,
  maxChars: number,
  measure: (text: string) => number = (text) => text.length,
): string[] {
  const size = (part: readonly string[]) => part.reduce((sum, line) => sum + measure(line) + 1, 0);
  if (lines.length <= maxLines && size(lines) <= maxChars) return [...lines];
  const markerRoom = measure(`… ${lines.length} more lines`) + 1;
  const tail: string[] = [];
  let used = markerRoom;
  for (let index = lines.length - 1; index >= 0 && tail.length < maxLines - 1; index -= 1) {
    const line = lines[index] as string;
    if (used + measure(line) + 1 > maxChars) break;
    tail.unshift(line);
    used += measure(line) + 1;
  }
  if (tail.length === 0) {
    const hidden = lines.length - 1;
    return hidden > 0 ? [`… ${hidden} more line${hidden === 1 ? '' : 's'}`, ...lines.slice(-1)] : lines.slice(-1);
  }
  const head: string[] = [];
  const headEnd = lines.length - tail.length;
  for (let index = 0; index < Math.min(3, headEnd) && head.length + tail.length < maxLines - 1; index += 1) {
    const line = lines[index] as string;
    if (used + measure(line) + 1 > maxChars) break;
    head.push(line);
    used += measure(line) + 1;
  }
  const hidden = lines.length - head.length - tail.length;
  if (hidden === 0) return [...head, ...tail];
  return [...head, `… ${hidden} more line${hidden === 1 ? '' : 's'}`, ...tail];
}
