import { z } from 'zod';
import { EtcdBasisSchema, ProposalSchema } from '../findings/finding.js';

/**
 * An approval's life: requested (`pending`); decided (`approved`, `denied`) or left to `expired`; consumed once by
 * an executor (`executing`); ended `done`, `failed` or `aborted` (stopped before finishing: a re-plan, a dead
 * executor found by the next one). Only these moves exist (see `approval-transitions.ts`).
 */
export const APPROVAL_STATES = [
  'pending',
  'approved',
  'denied',
  'expired',
  'executing',
  'done',
  'failed',
  'aborted',
] as const;
export const ApprovalStateSchema = z.enum(APPROVAL_STATES);
export type ApprovalState = z.infer<typeof ApprovalStateSchema>;

/** States nothing leaves. */
export const FINAL_STATES: readonly ApprovalState[] = ['denied', 'expired', 'done', 'failed', 'aborted'];

/** `a-<base36 ms>-<8 hex>`: no `:` and not all digits, so it can be a BullMQ job id too. */
export const ApprovalIdSchema = z.string().regex(/^a-[a-z0-9]+-[0-9a-f]{8}$/, { error: 'not an approval id' });

/** Who may approve, copied from the config when the request was made (a config change does not move a request). */
export const ApprovalPolicySchema = z.object({
  users: z.array(z.string()),
  groups: z.array(z.string()),
  required: z.number().int().min(1),
  allowSelfApproval: z.boolean(),
  expiresMinutes: z.number().int().min(1),
});
export type ApprovalPolicy = z.infer<typeof ApprovalPolicySchema>;

/** One member's sizes before and after its step, as the executor saw them. */
export const MemberSizesSchema = z.object({
  name: z.string(),
  id: z.string(),
  role: z.string(),
  dbSizeBytes: z.number().int().nonnegative(),
  dbSizeInUseBytes: z.number().int().nonnegative(),
});
export type MemberSizes = z.infer<typeof MemberSizesSchema>;

/** One executed (or refused) step. */
export const StepLogSchema = z.object({
  step: z.string(),
  /** The member it touched, for defragmentation. */
  member: z.string().optional(),
  outcome: z.enum(['ok', 'skipped', 'failed', 'stopped']),
  at: z.string(),
  tookMs: z.number().nonnegative().optional(),
  detail: z.string().optional(),
});
export type StepLog = z.infer<typeof StepLogSchema>;

export const ApprovalRecordSchema = z.object({
  id: ApprovalIdSchema,
  /** Bumped on every change: transitions are compare-and-set on it. */
  version: z.number().int().nonnegative(),
  cluster: z.string(),
  /** The diagnosis run whose finding proposed the plan. */
  runId: z.string(),
  findingTitle: z.string(),
  reason: z.string(),
  /** The exact plan, in execution order: compact, defragment (followers first, leader last), disarm. */
  plan: z.array(ProposalSchema).min(1),
  /** The state the plan was made against; the executor re-plans when the cluster has moved from it. */
  basis: EtcdBasisSchema,
  dryRun: z.boolean().default(false),
  requestedBy: z.string(),
  requestedAt: z.string(),
  /** A pending request expires then; an approved one must start executing by then. */
  expiresAt: z.string(),
  policy: ApprovalPolicySchema,
  state: ApprovalStateSchema,
  approvals: z.array(z.object({ by: z.string(), at: z.string() })).default([]),
  decidedBy: z.string().optional(),
  decidedAt: z.string().optional(),
  execution: z
    .object({
      executor: z.string(),
      fencingToken: z.number().int().positive(),
      startedAt: z.string(),
      finishedAt: z.string().optional(),
      /** Where and why it stopped, in words for people. */
      outcome: z.string().optional(),
      steps: z.array(StepLogSchema).default([]),
      before: z.array(MemberSizesSchema).default([]),
      after: z.array(MemberSizesSchema).default([]),
    })
    .optional(),
  /** The request this one re-plans (the cluster moved), and the one that replaced this. */
  replanOf: z.string().optional(),
  replannedAs: z.string().optional(),
  slack: z
    .object({
      channel: z.string(),
      /** The run message whose thread holds the conversation. */
      threadTs: z.string(),
      /** The approval request message, updated as it is decided. */
      requestTs: z.string().optional(),
    })
    .optional(),
  history: z.array(
    z.object({ state: ApprovalStateSchema, by: z.string(), at: z.string(), note: z.string().optional() }),
  ),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecordSchema>;
export type ApprovalRecordInput = z.input<typeof ApprovalRecordSchema>;
