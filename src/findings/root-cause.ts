import { z } from 'zod';
import { severityRank, type Finding } from './finding.js';

/** The report's one-line diagnosis: what an on-call engineer reads first. */
export const RootCauseSchema = z.object({
  /** `cause`: one most likely cause; `several`: independent problems of the same weight; `none`: nothing wrong. */
  kind: z.enum(['cause', 'several', 'none']),
  /** "Most likely cause: …", "Several independent problems: …" or "No problem found". */
  text: z.string(),
  /** The findings the line names, most important first. */
  findingIds: z.array(z.string()),
});
export type RootCause = z.infer<typeof RootCauseSchema>;

/** Problems named in a "several" line before "and N more". */
const NAMED = 3;

function isQuorumItself(finding: Finding): boolean {
  return finding.about?.component === 'quorum';
}

/** The findings under this one, directly or not. */
function explainedBelow(cause: Finding, findings: readonly Finding[]): Finding[] {
  const below = new Map<string, Finding>();
  const stack = [cause.id];
  while (stack.length > 0) {
    const id = stack.pop();
    for (const finding of findings) {
      if (finding.id === undefined || below.has(finding.id)) continue;
      if (finding.explainedBy?.some((link) => link.id === id)) {
        below.set(finding.id, finding);
        stack.push(finding.id);
      }
    }
  }
  return [...below.values()];
}

/** A cause weighs as much as the worst of what it explains: a warning that makes things critical is critical. */
function groupRank(cause: Finding, findings: readonly Finding[]): number {
  return Math.min(
    severityRank(cause.severity),
    ...explainedBelow(cause, findings).map((f) => severityRank(f.severity)),
  );
}

/**
 * The one-line diagnosis of ranked, explained findings: the problems nothing else explains, at the worst severity
 * among them. One such problem is the most likely cause; several are independent problems; none means nothing
 * found (saying so when some checks could not run).
 */
export function rootCause(findings: readonly Finding[]): RootCause {
  const candidates = findings.filter(
    (finding) =>
      (finding.severity === 'critical' || finding.severity === 'warning') &&
      !finding.explainedBy?.length &&
      !isQuorumItself(finding),
  );
  if (candidates.length === 0) {
    const unchecked = findings.filter(isQuorumItself).length;
    return {
      kind: 'none',
      text:
        unchecked > 0
          ? `No problem found in what could be checked (${unchecked} ${unchecked === 1 ? 'check' : 'checks'} could not run)`
          : 'No problem found',
      findingIds: [],
    };
  }
  const worst = Math.min(...candidates.map((finding) => groupRank(finding, findings)));
  const top = candidates.filter((finding) => groupRank(finding, findings) === worst);
  const ids = top.map((finding) => finding.id ?? finding.check);
  if (top.length === 1) {
    const cause = top[0] as Finding;
    const explained = explainedBelow(cause, findings).length;
    return {
      kind: 'cause',
      text: `Most likely cause: ${cause.title}${explained > 0 ? ` (explains ${explained} other ${explained === 1 ? 'finding' : 'findings'})` : ''}`,
      findingIds: ids,
    };
  }
  const named = top.slice(0, NAMED).map((finding) => finding.title);
  const more = top.length - named.length;
  return {
    kind: 'several',
    text: `Several independent problems: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
    findingIds: ids,
  };
}
