import type { ApproversConfig } from '../config/config-schema.js';
import type { Proposal } from '../findings/finding.js';
import type { ApprovalRecord } from './approval-record.js';
import { newApprovalId } from './approval-store.js';

export interface NewApprovalInput {
  cluster: string;
  runId: string;
  findingTitle: string;
  /** The finding's proposals: they become the plan, in the order compact → defragment → disarm. */
  proposals: readonly Proposal[];
  reason: string;
  requestedBy: string;
  approvers: ApproversConfig;
  slack?: { channel: string; threadTs: string };
  dryRun?: boolean;
  replanOf?: string;
  now?: Date;
}

const ORDER: Record<Proposal['action'], number> = { 'etcd.compact': 0, 'etcd.defrag': 1, 'etcd.disarm': 2 };

/** A pending approval record for a finding's plan: the policy is copied from the config as it is now. */
export function newApproval(input: NewApprovalInput): ApprovalRecord {
  const now = input.now ?? new Date();
  const plan = [...input.proposals].sort((a, b) => ORDER[a.action] - ORDER[b.action]);
  const basis = plan[0]?.basis;
  if (!basis) throw new Error('a maintenance request needs at least one proposal');
  return {
    id: newApprovalId(now),
    version: 0,
    cluster: input.cluster,
    runId: input.runId,
    findingTitle: input.findingTitle,
    reason: input.reason,
    plan,
    basis,
    dryRun: input.dryRun ?? false,
    requestedBy: input.requestedBy,
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + input.approvers.expiresMinutes * 60_000).toISOString(),
    policy: { ...input.approvers },
    state: 'pending',
    approvals: [],
    ...(input.slack ? { slack: input.slack } : {}),
    ...(input.replanOf ? { replanOf: input.replanOf } : {}),
    history: [{ state: 'pending', by: input.requestedBy, at: now.toISOString() }],
  };
}

/** The plan in one line, for the audit trail: "compact to 4821; defrag etcd-2 → etcd-3 → etcd-1 (leader); disarm NOSPACE". */
export function planLine(plan: readonly Proposal[]): string {
  return plan
    .map((step) => {
      switch (step.action) {
        case 'etcd.compact':
          return `compact to ${step.revision}`;
        case 'etcd.defrag':
          return `defrag ${step.members.map((member) => `${member.name}${member.role === 'leader' ? ' (leader)' : ''}`).join(' → ')}`;
        case 'etcd.disarm':
          return `disarm NOSPACE if every member < ${step.condition.belowBytes} bytes`;
      }
    })
    .join('; ');
}
