import { z } from 'zod';
import type { ProposalAction } from '../findings/finding.js';

/**
 * What a proposal button carries, so the Slack handler (a later milestone) can find the proposal again.
 *
 * Format of the button `value`: compact JSON, version 1, keys in this order:
 * `{"v":1,"playbook":"etcd-db-growth","check":"etcd.db-quota","finding":0,"proposal":1,"action":"etcd.defrag"}`
 * where `finding` is the index of the finding in the report's (ranked) findings and `proposal` the index of the
 * proposal in that finding. The button's `action_id` is `quorum.proposal.<action>` (e.g. `quorum.proposal.etcd.defrag`).
 * It is a reference, not an authorisation: the handler must look the proposal up in the stored report.
 */
export const ProposalRefSchema = z.object({
  v: z.literal(1),
  playbook: z.string().min(1),
  check: z.string().min(1),
  finding: z.number().int().nonnegative(),
  proposal: z.number().int().nonnegative(),
  action: z.enum(['etcd.compact', 'etcd.defrag', 'etcd.disarm']),
});
export type ProposalRef = z.infer<typeof ProposalRefSchema>;

/** Prefix of every proposal button's `action_id`. */
export const PROPOSAL_ACTION_ID_PREFIX = 'quorum.proposal.';

/** `quorum.proposal.etcd.defrag` */
export function proposalActionId(action: ProposalAction): string {
  return `${PROPOSAL_ACTION_ID_PREFIX}${action}`;
}

/** The button value for a proposal: compact JSON in the documented key order. */
export function encodeProposalRef(ref: Omit<ProposalRef, 'v'>): string {
  const ordered: ProposalRef = {
    v: 1,
    playbook: ref.playbook,
    check: ref.check,
    finding: ref.finding,
    proposal: ref.proposal,
    action: ref.action,
  };
  return JSON.stringify(ordered);
}

/** Parses a button value back; `undefined` for anything that is not a version-1 reference (a forged or stale click). */
export function parseProposalRef(value: string): ProposalRef | undefined {
  try {
    const parsed = ProposalRefSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
