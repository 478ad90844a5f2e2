import { z } from 'zod';
import type { ProposalAction } from '../findings/finding.js';

/**
 * What a proposal button carries, so the Slack handler can find the proposal again in the stored report.
 *
 * Format of the button `value`: compact JSON, version 2, keys in this order:
 * `{"v":2,"runId":"r-lz2k9x1c-3f9a1b7e","proposal":1,"action":"etcd.defrag"}`
 * where `proposal` is the index of the proposal in the run's report across all findings, in report order (see
 * `reportProposals` in src/findings/report-proposals.ts). The button's `action_id` is `quorum.proposal.<action>`.
 * A finding's one "Request maintenance" button refers to its first proposal; the request covers every proposal of
 * that finding (compact, defragment, disarm: one recovery, run in order).
 * It is a reference, not an authorisation: the handler must look the proposal up in the run's stored report, whose
 * proposal carries the state it was planned against (`basis`).
 */
export const ProposalRefSchema = z.strictObject({
  v: z.literal(2),
  runId: z.string().min(1).max(64),
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
  const ordered: ProposalRef = { v: 2, runId: ref.runId, proposal: ref.proposal, action: ref.action };
  return JSON.stringify(ordered);
}

/** Parses a button value back; `undefined` for anything that is not a version-2 reference (a forged or stale click). */
export function parseProposalRef(value: string): ProposalRef | undefined {
  try {
    const parsed = ProposalRefSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
