import type { Evidence, Finding, Proposal } from '../findings/finding.js';
import type { DiagnosisReport } from '../diagnosis/diagnosis-report.js';
import { shownFindings, shownRootCause, summarizeReport } from './report-summary.js';

/** One finding in the JSON output: keys in this order; `data` and `proposals` only when the finding has them. */
export interface JsonFinding {
  id?: string;
  check: string;
  severity: Finding['severity'];
  title: string;
  summary: string;
  evidence: Evidence[];
  /** `null` when the finding recommends nothing (passing findings). */
  recommendation: string | null;
  data?: Record<string, unknown>;
  proposals?: Proposal[];
  about?: Finding['about'];
  signals?: Finding['signals'];
  /** The findings that explain this one (it is their symptom), closest to the root first. */
  explainedBy?: Finding['explainedBy'];
}

/** The JSON output: the required keys first, in this order, then the run envelope, `playbookTitle`, `worstSeverity`. */
export interface JsonReport {
  playbook: string;
  /** The cluster's configured name. */
  cluster: string;
  startedAt: string;
  finishedAt: string;
  findings: JsonFinding[];
  runId: string;
  /** The one-line diagnosis: `kind` cause, several or none; `text`; the findings it names. */
  rootCause: DiagnosisReport['rootCause'];
  params: DiagnosisReport['params'];
  trigger: DiagnosisReport['trigger'];
  requestedAt: string;
  /** Absent when the report does not say which API server it read. */
  apiServer?: string;
  playbookTitle: string;
  worstSeverity: Finding['severity'];
}

function jsonFinding(finding: Finding): JsonFinding {
  const out: JsonFinding = {
    ...(finding.id === undefined ? {} : { id: finding.id }),
    check: finding.check,
    severity: finding.severity,
    title: finding.title,
    summary: finding.summary,
    evidence: finding.evidence.map(({ label, value }) => ({ label, value })),
    recommendation: finding.recommendation ?? null,
  };
  if (finding.data !== undefined) out.data = finding.data;
  if (finding.proposals !== undefined) out.proposals = finding.proposals;
  if (finding.about !== undefined) out.about = finding.about;
  if (finding.signals !== undefined) out.signals = finding.signals;
  if (finding.explainedBy !== undefined) out.explainedBy = finding.explainedBy;
  return out;
}

/** The report as a plain object with a fixed key order (what {@link renderJson} prints), findings redacted. */
export function toJsonReport(report: DiagnosisReport): JsonReport {
  return {
    playbook: report.playbook,
    cluster: report.cluster,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    findings: shownFindings(report).map(jsonFinding),
    runId: report.runId,
    rootCause: { ...report.rootCause, text: shownRootCause(report) },
    params: report.params,
    trigger: report.trigger,
    requestedAt: report.requestedAt,
    ...(report.apiServer === undefined ? {} : { apiServer: report.apiServer }),
    playbookTitle: report.playbookTitle,
    worstSeverity: summarizeReport(report).worst,
  };
}

/**
 * The report as pretty-printed JSON (2 spaces, no trailing newline): `playbook`, `cluster`, `startedAt`,
 * `finishedAt`, `findings` (each `check`, `severity`, `title`, `summary`, `evidence`, `recommendation`, then `data`
 * and `proposals` when present), then the run envelope (`runId`, `params`, `trigger`, `requestedAt`, `apiServer`),
 * `playbookTitle` and `worstSeverity`. The same report gives the same bytes.
 */
export function renderJson(report: DiagnosisReport): string {
  return JSON.stringify(toJsonReport(report), null, 2);
}
