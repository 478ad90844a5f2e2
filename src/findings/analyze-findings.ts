import { explainFindings } from './explain-findings.js';
import { rankFindings, type Finding } from './finding.js';
import { rootCause, type RootCause } from './root-cause.js';

/**
 * A run's findings as a report shows them: each given an id, symptoms linked to their causes by the cause rules,
 * ranked causes first with each symptom under its cause, and the one-line diagnosis.
 */
export function analyzeFindings(findings: readonly Finding[]): { findings: Finding[]; rootCause: RootCause } {
  const ranked = rankFindings(explainFindings(findings));
  return { findings: ranked, rootCause: rootCause(ranked) };
}
