import { UsageError } from '../core/errors.js';
import type { AuditEntry } from './audit-entry.js';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `24h`, `90m`, `7d`, `1w`, `30s` as milliseconds.
 *
 * @throws UsageError for anything else, saying what is accepted.
 */
export function parseSince(text: string): number {
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!match) throw new UsageError(`"${text}" is not a duration: use a number and a unit, e.g. 30m, 24h, 7d or 1w.`);
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

/** One entry as a line: `2026-12-02 03:14:05Z  lab-1  U0APPROVER1  approval.approve  approved  a-…  detail`. */
export function auditLine(entry: AuditEntry): string {
  return [
    `${entry.at.slice(0, 19).replace('T', ' ')}Z`,
    entry.cluster ?? '-',
    entry.actor,
    entry.action,
    entry.outcome,
    entry.approvalId ?? entry.runId ?? '-',
    entry.detail ?? entry.plan ?? '',
  ]
    .join('  ')
    .trimEnd();
}
