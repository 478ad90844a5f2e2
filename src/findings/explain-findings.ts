import { CAUSE_RULES, matches, type CauseRule } from './cause-rules.js';
import { componentLayer } from './cause-vocabulary.js';
import { severityRank, type Finding } from './finding.js';

/** Gives every finding an id unique in the report: its check, numbered when the check gave several. */
export function assignIds(findings: readonly Finding[]): Finding[] {
  const perCheck = new Map<string, number>();
  for (const finding of findings) perCheck.set(finding.check, (perCheck.get(finding.check) ?? 0) + 1);
  const seen = new Map<string, number>();
  return findings.map((finding) => {
    const n = (seen.get(finding.check) ?? 0) + 1;
    seen.set(finding.check, n);
    return { ...finding, id: (perCheck.get(finding.check) ?? 0) > 1 ? `${finding.check}#${n}` : finding.check };
  });
}

/** Closer to the root first, then the more severe. */
function causeOrder(a: Finding, b: Finding): number {
  return (
    componentLayer(a.about?.component) - componentLayer(b.about?.component) ||
    severityRank(a.severity) - severityRank(b.severity)
  );
}

/**
 * Links each symptom to the findings that explain it, by the rules of {@link CAUSE_RULES}: `explainedBy` lists the
 * causes closest to the root first. Only problems take part (ok and info findings are neither causes nor symptoms),
 * a finding never explains itself, and a link that would close a loop is not made.
 */
export function explainFindings(findings: readonly Finding[], rules: readonly CauseRule[] = CAUSE_RULES): Finding[] {
  const withIds = findings.some((finding) => finding.id === undefined) ? assignIds(findings) : [...findings];
  const problems = withIds.filter((finding) => finding.severity === 'critical' || finding.severity === 'warning');
  const causesOf = new Map<string, Array<{ cause: Finding; rule: CauseRule }>>();
  const explains = (cause: Finding, symptom: Finding): boolean => {
    // Would symptom → cause close a loop (cause already explained, directly or not, by symptom)?
    const stack = [cause.id as string];
    const visited = new Set<string>();
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (id === symptom.id) return false;
      if (visited.has(id)) continue;
      visited.add(id);
      for (const link of causesOf.get(id) ?? []) stack.push(link.cause.id as string);
    }
    return true;
  };
  for (const rule of rules) {
    for (const symptom of problems.filter((finding) => matches(finding, rule.symptom))) {
      for (const cause of problems.filter((finding) => finding !== symptom && matches(finding, rule.cause))) {
        if (rule.relates && !rule.relates(cause, symptom)) continue;
        const links = causesOf.get(symptom.id as string) ?? [];
        if (links.some((link) => link.cause === cause) || !explains(cause, symptom)) continue;
        links.push({ cause, rule });
        causesOf.set(symptom.id as string, links);
      }
    }
  }
  return withIds.map((finding) => {
    const links = causesOf.get(finding.id as string);
    if (!links) return finding;
    const ordered = [...links].sort((a, b) => causeOrder(a.cause, b.cause));
    return {
      ...finding,
      explainedBy: ordered.map(({ cause, rule }) => ({
        id: cause.id as string,
        rule: rule.id,
        because: rule.because(cause),
      })),
    };
  });
}
