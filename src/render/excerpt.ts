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
