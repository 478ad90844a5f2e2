import { expect } from '@jest/globals';
import type { DiagnosisReport } from '../../src/diagnosis/diagnosis-report.js';
import type { Finding } from '../../src/findings/finding.js';

/** The findings a cause explains, directly or through another symptom, in report order. */
export function under(report: DiagnosisReport, cause: Finding): Finding[] {
  const below = new Set<string>([cause.id as string]);
  const found: Finding[] = [];
  for (const finding of report.findings) {
    if (finding.explainedBy?.some((link) => below.has(link.id))) {
      below.add(finding.id as string);
      found.push(finding);
    }
  }
  return found;
}

/**
 * The warnings and criticals the scenario stages. etcd.round-trip times the real etcd members from this machine: on a
 * loaded CI host a member busy with fsync or compaction answered slowly for seconds (216 ms against 18 ms), a true
 * warning about that moment that no scenario stages (the check has scenario tests of its own, with a latency proxy).
 * Such a warning is left out here; it must be a warning, ranked below the first staged problem (the cause).
 */
export function problems(report: DiagnosisReport): Finding[] {
  const found = report.findings.filter((finding) => finding.severity === 'critical' || finding.severity === 'warning');
  const timed = found.filter((finding) => finding.check === 'etcd.round-trip');
  const staged = found.filter((finding) => !timed.includes(finding));
  const rankOf = (finding: Finding | undefined) => (finding ? report.findings.indexOf(finding) : -1);
  for (const finding of timed) {
    expect({
      title: finding.title,
      severity: finding.severity,
      belowCause: rankOf(finding) > rankOf(staged[0]),
    }).toEqual({ title: finding.title, severity: 'warning', belowCause: true });
  }
  return staged;
}

/** A finding by check and title; `by` names the check of the finding that explains it when that is not the cause. */
export interface Expected {
  check: string;
  title: RegExp;
  by?: string;
}

/**
 * The shape every incident report must have: the cause first and critical, nothing explaining it, every symptom
 * linked to it (`explainedBy[0]` is the cause, or the finding named by `by`, itself under the cause) and placed
 * right under it, and the one-line diagnosis naming it.
 */
export function expectCauseFirst(report: DiagnosisReport, cause: Expected, symptoms: readonly Expected[]): Finding {
  const [first] = report.findings;
  expect(first).toBeDefined();
  const top = first as Finding;
  expect({ check: top.check, severity: top.severity }).toEqual({ check: cause.check, severity: 'critical' });
  expect(top.title).toMatch(cause.title);
  expect(top.explainedBy).toBeUndefined();
  const group = under(report, top);
  // The symptoms sit right below the cause, before anything it does not explain.
  expect(report.findings.slice(1, 1 + group.length)).toEqual(group);
  for (const symptom of symptoms) {
    const found = group.find((finding) => finding.check === symptom.check && symptom.title.test(finding.title));
    expect({ symptom: symptom.title.source, found: found?.title }).toEqual({
      symptom: symptom.title.source,
      found: expect.any(String),
    });
    const by = symptom.by === undefined ? top : group.find((finding) => finding.check === symptom.by);
    expect(by).toBeDefined();
    expect(found?.explainedBy?.[0]?.id).toBe(by?.id);
  }
  expect(report.rootCause).toEqual({
    kind: 'cause',
    text: `Most likely cause: ${top.title}${group.length > 0 ? ` (explains ${group.length} other finding${group.length === 1 ? '' : 's'})` : ''}`,
    findingIds: [top.id],
  });
  return top;
}
