import type { Finding, Proposal } from './finding.js';

/** A proposal and the finding it belongs to, numbered across the whole report. */
export interface NumberedProposal {
  /** Position among all the report's proposals, in report order: what a proposal button refers to. */
  index: number;
  /** Position of its finding in the report's findings. */
  findingIndex: number;
  proposal: Proposal;
}

/** Every proposal of a report's findings, in report order (findings as ranked, then each finding's own order). */
export function reportProposals(findings: readonly Finding[]): NumberedProposal[] {
  const numbered: NumberedProposal[] = [];
  findings.forEach((finding, findingIndex) => {
    for (const proposal of finding.proposals ?? []) {
      numbered.push({ index: numbered.length, findingIndex, proposal });
    }
  });
  return numbered;
}
