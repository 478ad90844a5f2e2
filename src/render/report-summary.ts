import { SEVERITIES, worstSeverity, type Finding, type Severity } from '../findings/finding.js';
import type { DiagnosisReport } from '../diagnosis/diagnosis-report.js';
import { formatDuration } from '../findings/format.js';
import { redact, redactFinding } from '../findings/redact.js';

/** What every renderer's header says about a report. */
export interface ReportSummary {
  worst: Severity;
  counts: Record<Severity, number>;
  /** "2 critical, 1 warning, 3 ok" (severities with no finding are left out); "no findings" when empty. */
  countsText: string;
  /** "12s", "3m 20s"; "?" when a timestamp does not parse. */
  duration: string;
}

/** Counts, worst severity and duration of a report. */
export function summarizeReport(report: DiagnosisReport): ReportSummary {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const finding of report.findings) counts[finding.severity] += 1;
  const parts = SEVERITIES.filter((severity) => counts[severity] > 0).map(
    (severity) => `${counts[severity]} ${severity}`,
  );
  const durationMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  return {
    worst: worstSeverity(report.findings),
    counts,
    countsText: parts.length > 0 ? parts.join(', ') : 'no findings',
    duration: Number.isFinite(durationMs) ? formatDuration(durationMs) : '?',
  };
}

/**
 * The findings as renderers must show them: redacted (defence in depth, whatever the checks did) and in the
 * runner's order, which is most severe first.
 */
export function shownFindings(report: DiagnosisReport): Finding[] {
  return report.findings.map(redactFinding);
}

/** The one-line diagnosis as renderers must show it: redacted, since it quotes finding titles. */
export function shownRootCause(report: DiagnosisReport): string {
  return redact(report.rootCause.text);
}

/** "because etcd member etcd-2 is down": why a symptom sits under its cause, redacted; undefined for a cause. */
export function becauseLine(finding: Finding): string | undefined {
  const first = finding.explainedBy?.[0];
  return first ? redact(first.because) : undefined;
}

/** A passing finding that can be listed in one line: ok, and proposing nothing (a proposal always needs showing). */
export function isCollapsible(finding: Finding): boolean {
  return finding.severity === 'ok' && !finding.proposals?.length;
}

/** The problems (anything shown in full) and the passes (listed compactly), each in report order. */
export function splitPassed(findings: readonly Finding[]): { problems: Finding[]; passed: Finding[] } {
  return {
    problems: findings.filter((finding) => !isCollapsible(finding)),
    passed: findings.filter(isCollapsible),
  };
}
