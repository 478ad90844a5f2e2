import { ErrorCode, QuorumError } from '../core/errors.js';

/** Why an approval action did nothing; stable for tests, logs and the audit stream. */
export const RefusalReason = {
  Missing: 'missing',
  NotApprover: 'not_approver',
  SelfApproval: 'self_approval',
  AlreadyApproved: 'already_approved_by_you',
  Expired: 'expired',
  NotPending: 'not_pending',
  NotApproved: 'not_approved',
  Consumed: 'consumed',
  NoApprovers: 'no_approvers',
} as const;
export type RefusalReason = (typeof RefusalReason)[keyof typeof RefusalReason];

/** An approval action that was refused: nothing changed. The message is shown to the person who clicked. */
export class ApprovalRefusedError extends QuorumError {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(ErrorCode.ApprovalRefused, message);
  }
}
