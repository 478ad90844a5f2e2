import { RefusalReason } from './approval-errors.js';
import type { ApprovalRecord, ApprovalState, MemberSizes, StepLog } from './approval-record.js';

/** What can happen to a request. Authorisation (who is an approver) is decided before: see `authorise-approver.ts`. */
export type ApprovalEvent =
  | { kind: 'approve'; by: string }
  | { kind: 'deny'; by: string; note?: string }
  | { kind: 'expire' }
  | { kind: 'claim'; executor: string; fencingToken: number }
  | { kind: 'step'; step: StepLog }
  | { kind: 'sizes'; before?: MemberSizes[]; after?: MemberSizes[] }
  | { kind: 'finish'; outcome: 'done' | 'failed' | 'aborted'; by: string; note: string; replannedAs?: string }
  | { kind: 'slack'; requestTs: string };

export type TransitionResult =
  | { ok: true; record: ApprovalRecord; audit: AuditFacts }
  | { ok: false; reason: RefusalReason; message: string; record: ApprovalRecord; audit?: AuditFacts };

/** What the audit stream says about a transition (the store adds time, cluster and ids). */
export interface AuditFacts {
  action: string;
  actor: string;
  outcome: string;
  detail?: string;
}

function moved(
  record: ApprovalRecord,
  state: ApprovalState,
  by: string,
  now: Date,
  note?: string,
  changes: Partial<ApprovalRecord> = {},
): ApprovalRecord {
  return {
    ...record,
    ...changes,
    state,
    version: record.version + 1,
    history: [...record.history, { state, by, at: now.toISOString(), ...(note ? { note } : {}) }],
  };
}

function refuse(record: ApprovalRecord, reason: RefusalReason, message: string, audit?: AuditFacts): TransitionResult {
  return { ok: false, reason, message, record, ...(audit ? { audit } : {}) };
}

function isExpired(record: ApprovalRecord, now: Date): boolean {
  return now.getTime() > Date.parse(record.expiresAt);
}

function expiredMessage(record: ApprovalRecord): string {
  return `This request expired at ${record.expiresAt}: nothing will run. Request the maintenance again from the findings.`;
}

/** A pending or approved request past its time becomes `expired` (recorded), and the action is refused. */
function expireInstead(record: ApprovalRecord, now: Date, action: string, actor: string): TransitionResult {
  const expired = moved(
    record,
    'expired',
    'quorum',
    now,
    `not ${record.state === 'pending' ? 'approved' : 'started'} in time`,
  );
  return {
    ok: false,
    reason: RefusalReason.Expired,
    message: expiredMessage(record),
    record: expired,
    audit: { action, actor, outcome: 'refused: expired' },
  };
}

const stillPending = (record: ApprovalRecord): string =>
  `This request is ${record.state}${record.decidedBy ? ` (by <@${record.decidedBy}>)` : ''}: nothing changed.`;

/**
 * The state machine of an approval: a pure function from a record and an event to the next record (with its
 * version bumped) or a refusal. A refusal may still carry a changed record (a late click expires the request), which
 * the store writes like any transition.
 */
export function applyApprovalEvent(record: ApprovalRecord, event: ApprovalEvent, now: Date): TransitionResult {
  const at = now.toISOString();
  switch (event.kind) {
    case 'approve': {
      const action = 'approval.approve';
      if (record.state === 'pending' && isExpired(record, now)) return expireInstead(record, now, action, event.by);
      if (record.state === 'expired') {
        return refuse(record, RefusalReason.Expired, expiredMessage(record), {
          action,
          actor: event.by,
          outcome: 'refused: expired',
        });
      }
      if (record.state !== 'pending') {
        return refuse(
          record,
          record.state === 'approved' || record.state === 'executing' || record.state === 'done'
            ? RefusalReason.Consumed
            : RefusalReason.NotPending,
          stillPending(record),
          {
            action,
            actor: event.by,
            outcome: `refused: ${record.state}`,
          },
        );
      }
      if (event.by === record.requestedBy && !record.policy.allowSelfApproval) {
        return refuse(
          record,
          RefusalReason.SelfApproval,
          'You requested this maintenance, so you cannot approve it: a second person must (approvers.allowSelfApproval is false).',
          { action, actor: event.by, outcome: 'refused: self-approval' },
        );
      }
      if (record.approvals.some((approval) => approval.by === event.by)) {
        return refuse(
          record,
          RefusalReason.AlreadyApproved,
          `You already approved this; it needs ${record.policy.required} distinct approvers (${record.approvals.length} so far).`,
          { action, actor: event.by, outcome: 'refused: already approved by this user' },
        );
      }
      const approvals = [...record.approvals, { by: event.by, at }];
      if (approvals.length < record.policy.required) {
        return {
          ok: true,
          record: { ...record, approvals, version: record.version + 1 },
          audit: { action, actor: event.by, outcome: `approval ${approvals.length} of ${record.policy.required}` },
        };
      }
      // Approved: the executor must start it within the same time again, or it expires unexecuted.
      const expiresAt = new Date(now.getTime() + record.policy.expiresMinutes * 60_000).toISOString();
      return {
        ok: true,
        record: moved(record, 'approved', event.by, now, undefined, {
          approvals,
          decidedBy: event.by,
          decidedAt: at,
          expiresAt,
        }),
        audit: { action, actor: event.by, outcome: 'approved' },
      };
    }
    case 'deny': {
      const action = 'approval.deny';
      if (record.state === 'pending' && isExpired(record, now)) return expireInstead(record, now, action, event.by);
      if (record.state !== 'pending') {
        return refuse(record, RefusalReason.NotPending, stillPending(record), {
          action,
          actor: event.by,
          outcome: `refused: ${record.state}`,
        });
      }
      return {
        ok: true,
        record: moved(record, 'denied', event.by, now, event.note, { decidedBy: event.by, decidedAt: at }),
        audit: { action, actor: event.by, outcome: 'denied' },
      };
    }
    case 'expire': {
      if ((record.state !== 'pending' && record.state !== 'approved') || !isExpired(record, now)) {
        return refuse(record, RefusalReason.NotPending, stillPending(record));
      }
      return {
        ok: true,
        record: expireInstead(record, now, 'approval.expire', 'quorum').record,
        audit: { action: 'approval.expire', actor: 'quorum', outcome: 'expired' },
      };
    }
    case 'claim': {
      const action = 'maintenance.claim';
      const actor = event.executor;
      if (record.state === 'approved' && isExpired(record, now)) return expireInstead(record, now, action, actor);
      if (
        record.state === 'executing' ||
        record.state === 'done' ||
        record.state === 'failed' ||
        record.state === 'aborted'
      ) {
        return refuse(
          record,
          RefusalReason.Consumed,
          `Approval ${record.id} was already consumed (${record.state}): it runs at most once.`,
          {
            action,
            actor,
            outcome: `refused: already ${record.state}`,
          },
        );
      }
      if (record.state !== 'approved') {
        return refuse(
          record,
          RefusalReason.NotApproved,
          `Approval ${record.id} is ${record.state}, not approved: nothing runs without an approval.`,
          {
            action,
            actor,
            outcome: `refused: ${record.state}`,
          },
        );
      }
      return {
        ok: true,
        record: moved(record, 'executing', actor, now, `fencing token ${event.fencingToken}`, {
          execution: {
            executor: actor,
            fencingToken: event.fencingToken,
            startedAt: at,
            steps: [],
            before: [],
            after: [],
          },
        }),
        audit: { action, actor, outcome: 'executing', detail: `fencing token ${event.fencingToken}` },
      };
    }
    case 'step':
    case 'sizes': {
      if (record.state !== 'executing' || !record.execution) {
        return refuse(record, RefusalReason.NotApproved, `Approval ${record.id} is ${record.state}, not executing.`);
      }
      const execution =
        event.kind === 'step'
          ? { ...record.execution, steps: [...record.execution.steps, event.step] }
          : {
              ...record.execution,
              ...(event.before ? { before: event.before } : {}),
              ...(event.after ? { after: event.after } : {}),
            };
      return {
        ok: true,
        record: { ...record, execution, version: record.version + 1 },
        audit:
          event.kind === 'step'
            ? {
                action: `maintenance.step.${event.step.step}`,
                actor: record.execution.executor,
                outcome: event.step.outcome,
                detail: [event.step.member, event.step.detail].filter(Boolean).join(': ') || undefined,
              }
            : {
                action: 'maintenance.sizes',
                actor: record.execution.executor,
                outcome: event.after ? 'after' : 'before',
              },
      } as TransitionResult;
    }
    case 'finish': {
      const action = `maintenance.${event.outcome}`;
      // A request that never started can be aborted too (superseded by a re-plan before it ran).
      if (record.state !== 'executing' && !(event.outcome === 'aborted' && record.state === 'approved')) {
        return refuse(
          record,
          RefusalReason.NotApproved,
          `Approval ${record.id} is ${record.state}: it cannot end as ${event.outcome}.`,
        );
      }
      const execution = record.execution ? { ...record.execution, finishedAt: at, outcome: event.note } : undefined;
      return {
        ok: true,
        record: moved(record, event.outcome, event.by, now, event.note, {
          ...(execution ? { execution } : {}),
          ...(event.replannedAs ? { replannedAs: event.replannedAs } : {}),
        }),
        audit: { action, actor: event.by, outcome: event.outcome, detail: event.note },
      };
    }
    case 'slack':
      return {
        ok: true,
        record: record.slack
          ? { ...record, slack: { ...record.slack, requestTs: event.requestTs }, version: record.version + 1 }
          : record,
        audit: { action: 'approval.posted', actor: 'quorum', outcome: 'posted' },
      };
  }
}
