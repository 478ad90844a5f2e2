import type { ApprovalRecord } from '../approvals/approval-record.js';
import type { ApprovalStore } from '../approvals/approval-store.js';
import type { AuditLog } from '../approvals/audit-log.js';
import type { MaintenanceReporter } from '../approvals/maintenance-reporter.js';
import { newApproval, planLine } from '../approvals/new-approval.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { MaintenanceJob } from '../queue/maintenance-queue.js';
import type { ClusterLock } from './cluster-lock.js';
import type { EtcdMaintenanceClient } from './etcd-maintenance-client.js';
import { MaintenanceStoppedError } from './maintenance-errors.js';
import { replan } from './replan.js';
import { runPlan } from './run-plan.js';

export interface ExecuteApprovalDeps {
  store: ApprovalStore;
  audit: AuditLog;
  lock: ClusterLock;
  /** The write-capable client of a cluster (one per cluster, kept by the executor). */
  client(cluster: string): EtcdMaintenanceClient;
  reporter: MaintenanceReporter;
  /** This executor's name, in records and the audit trail. */
  executor: string;
  pauseMs: number;
  requestMs: number;
  lockWaitMs: number;
  /** Every job a dry run: show the plan, change nothing. */
  dryRun: boolean;
  log?: Logger;
}

/**
 * One maintenance job: take the cluster's lock, consume the approval (exactly once: a missing, unapproved, expired
 * or already consumed record is refused here), run the plan, record how it ended. A record left `executing` by an
 * executor that died is reported as aborted, never resumed: the cluster may be half-way, and a person decides.
 *
 * @throws MaintenanceStoppedError when the job was refused or the maintenance did not finish (the queue keeps it
 *   as failed; it is never retried).
 */
export async function executeApproval(
  deps: ExecuteApprovalDeps,
  job: MaintenanceJob,
  signal: AbortSignal,
): Promise<ApprovalRecord | undefined> {
  const { store, audit, reporter, executor } = deps;
  const refuse = async (outcome: string, message: string): Promise<never> => {
    await audit.append({
      at: new Date().toISOString(),
      action: 'maintenance.claim',
      actor: executor,
      cluster: job.cluster,
      approvalId: job.approvalId,
      outcome,
    });
    throw new MaintenanceStoppedError(message);
  };
  const found = await store.get(job.approvalId);
  if (!found) return refuse('refused: missing', `Approval ${job.approvalId} does not exist: nothing runs without one.`);
  if (found.cluster !== job.cluster) {
    return refuse(
      'refused: wrong cluster',
      `Approval ${job.approvalId} is for ${found.cluster}, not ${job.cluster}: refused.`,
    );
  }
  if (found.state !== 'approved' && found.state !== 'executing') {
    // Refused by the state machine with its own audit entry (not approved, expired, consumed).
    const outcome = await store.apply(job.approvalId, { kind: 'claim', executor, fencingToken: 1 });
    if (!outcome.ok) throw new MaintenanceStoppedError(outcome.error.message);
  }
  const lock = await deps.lock.acquire(found.cluster, executor, deps.lockWaitMs, signal);
  if (!lock) {
    return refuse(
      'refused: cluster busy',
      `Another maintenance held ${found.cluster} for longer than executor.lockWaitSeconds: approval ${job.approvalId} was not started. Request it again.`,
    );
  }
  try {
    const current = (await store.get(job.approvalId)) ?? found;
    if (current.state === 'executing' && current.execution && current.execution.fencingToken < lock.token) {
      const steps = current.execution.steps
        .filter((step) => step.outcome === 'ok')
        .map((step) => `${step.step}${step.member ? ` ${step.member}` : ''}`);
      const note = `executor ${current.execution.executor} stopped in the middle of this maintenance${steps.length > 0 ? ` after ${steps.join(', ')}` : ' before any step finished'}; it is not resumed blindly: check the cluster (quorum diagnose etcd-db-growth) and request again`;
      const aborted = await store.applyOrThrow(current.id, { kind: 'finish', outcome: 'aborted', by: executor, note });
      await reporter.updated(aborted).catch(() => undefined);
      await reporter.finished(aborted).catch(() => undefined);
      throw new MaintenanceStoppedError(`Approval ${current.id}: ${note}.`);
    }
    let record = await store.applyOrThrow(current.id, { kind: 'claim', executor, fencingToken: lock.token });
    await reporter.updated(record).catch(() => undefined);
    const dryRun = deps.dryRun || record.dryRun;
    const outcome = await runPlan(record, {
      client: deps.client(record.cluster),
      lock,
      // Each line is shown before the next step starts: the thread is the live record people follow.
      log: async (step, text) => {
        record = await store.applyOrThrow(record.id, { kind: 'step', step });
        await reporter.step(record, text).catch(() => undefined);
      },
      say: (text) => reporter.step(record, text).catch(() => undefined),
      sizes: async (sizes) => {
        record = await store.applyOrThrow(record.id, { kind: 'sizes', ...sizes });
      },
      pauseMs: deps.pauseMs,
      requestMs: deps.requestMs,
      dryRun,
      signal,
    }).catch((error: unknown) => ({ kind: 'failed' as const, note: `the executor failed: ${describeError(error)}` }));
    if (outcome.kind === 'replan') {
      const plan = replan(record.plan, record.basis, outcome.observation);
      const next = newApproval({
        cluster: record.cluster,
        runId: record.runId,
        findingTitle: record.findingTitle,
        proposals: plan,
        reason: `Re-plan of ${record.id} (${outcome.note}). Original reason: ${record.reason}`,
        requestedBy: record.requestedBy,
        approvers: record.policy,
        ...(record.slack ? { slack: { channel: record.slack.channel, threadTs: record.slack.threadTs } } : {}),
        dryRun: record.dryRun,
        replanOf: record.id,
      });
      if (plan.length > 0) await store.create(next, planLine(next.plan));
      record = await store.applyOrThrow(record.id, {
        kind: 'finish',
        outcome: 'aborted',
        by: executor,
        note: plan.length > 0 ? `${outcome.note}; new request ${next.id}` : `${outcome.note}; nothing left to plan`,
        ...(plan.length > 0 ? { replannedAs: next.id } : {}),
      });
      await reporter.updated(record).catch(() => undefined);
      if (plan.length > 0) await reporter.replanned(record, next).catch(() => undefined);
      return record;
    }
    record = await store.applyOrThrow(record.id, {
      kind: 'finish',
      outcome: outcome.kind,
      by: executor,
      note: outcome.note,
    });
    deps.log?.info(
      { approvalId: record.id, cluster: record.cluster, state: record.state, note: outcome.note },
      'maintenance ended',
    );
    // Ended on the record: the cluster is free for the next maintenance while Slack is told.
    await lock.release().catch(() => undefined);
    await reporter.updated(record).catch(() => undefined);
    await reporter.finished(record).catch(() => undefined);
    if (outcome.kind === 'failed') throw new MaintenanceStoppedError(`Approval ${record.id}: ${outcome.note}`);
    return record;
  } finally {
    await lock.release().catch(() => undefined);
  }
}
