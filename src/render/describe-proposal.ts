import type { Proposal, ProposalAction } from '../findings/finding.js';
import { formatBytes } from '../findings/format.js';

/** A maintenance proposal in words: what every renderer shows so an approver sees the exact plan. */
export interface ProposalDescription {
  /** Short verb phrase for buttons and lists: "defragment etcd". */
  label: string;
  /** The check's own one-line summary of the proposal. */
  summary: string;
  /** The exact plan, one line each, in execution order where order matters. */
  plan: string[];
}

/** Short verb phrase per action, used in lists and audit lines ("defragment etcd"). */
export const PROPOSAL_LABELS = {
  'etcd.compact': 'compact etcd',
  'etcd.defrag': 'defragment etcd',
  'etcd.disarm': 'disarm NOSPACE alarm',
} as const satisfies Record<ProposalAction, string>;

/** Lead-in for every proposal, in every output: nothing runs until someone else approves. */
export const PROPOSAL_LEAD = 'Proposed maintenance (needs approval):';

/** The plan of a proposal: compaction revision; defrag members in order with role and expected reclaim; disarm condition. */
export function describeProposal(proposal: Proposal): ProposalDescription {
  const label = PROPOSAL_LABELS[proposal.action];
  switch (proposal.action) {
    case 'etcd.compact':
      return {
        label,
        summary: proposal.summary,
        plan: [
          `compact all history before revision ${proposal.revision}`,
          ...(proposal.expectedReclaimBytes === undefined
            ? []
            : [
                `expected to free ~${formatBytes(proposal.expectedReclaimBytes)} inside the database (defragment to shrink the file)`,
              ]),
        ],
      };
    case 'etcd.defrag':
      return {
        label,
        summary: proposal.summary,
        plan: [
          `one member at a time, followers first, leader last, health check before each; ~${formatBytes(proposal.expectedReclaimBytes)} expected in total`,
          ...proposal.members.map(
            (member, index) =>
              `${index + 1}. ${member.name} (${member.role}, ${member.id}, ${member.endpoint}): ` +
              `${formatBytes(member.dbSizeBytes)} on disk, ${formatBytes(member.dbSizeInUseBytes)} in use → reclaim ~${formatBytes(member.expectedReclaimBytes)}`,
          ),
        ],
      };
    case 'etcd.disarm':
      return {
        label,
        summary: proposal.summary,
        plan: [
          `disarm ${proposal.alarms.map((alarm) => `${alarm.alarm} on ${alarm.memberId}`).join(', ')}`,
          `only when: ${proposal.condition.description}`,
        ],
      };
  }
}
