import { setTimeout as sleep } from 'node:timers/promises';
import type { ApprovalRecord, MemberSizes, StepLog } from '../approvals/approval-record.js';
import { describeError } from '../core/errors.js';
import type { Proposal } from '../findings/finding.js';
import { formatBytes, formatDuration, formatSeconds } from '../findings/format.js';
import { observeCluster, type ClusterObservation } from './cluster-observation.js';
import type { HeldLock } from './cluster-lock.js';
import type { EtcdMaintenanceClient } from './etcd-maintenance-client.js';
import { preflight } from './preflight.js';

/** A step's duration: "20 ms" for a quick defragmentation, not "0s"; minutes for a long one. */
function tookText(ms: number): string {
  return ms < 60_000 ? formatSeconds(ms / 1000) : formatDuration(ms);
}

export interface RunPlanDeps {
  client: EtcdMaintenanceClient;
  lock: HeldLock;
  /** Records a step on the approval (and its audit entry), then shows it live. */
  log(step: StepLog, text: string): Promise<void>;
  /** Shows a line live without recording a step ("starting …"). */
  say(text: string): Promise<void>;
  /** Records sizes on the approval. */
  sizes(sizes: { before?: MemberSizes[]; after?: MemberSizes[] }): Promise<void>;
  /** Pause between two members' defragmentations (ms). */
  pauseMs: number;
  requestMs: number;
  dryRun: boolean;
  signal: AbortSignal;
}

/** How a plan ended. `replan` carries the fresh observation to plan from. */
export type PlanOutcome =
  | { kind: 'done'; note: string }
  | { kind: 'failed'; note: string }
  | { kind: 'replan'; note: string; observation: ClusterObservation };

function sizesOf(observation: ClusterObservation): MemberSizes[] {
  return observation.members.flatMap((member) =>
    member.status
      ? [
          {
            name: member.name,
            id: member.id,
            role: member.isLearner ? 'learner' : member.status.isLeader ? 'leader' : 'follower',
            dbSizeBytes: member.status.dbSizeBytes,
            dbSizeInUseBytes: member.status.dbSizeInUseBytes ?? member.status.dbSizeBytes,
          },
        ]
      : [],
  );
}

/** Each member's state in one line, for a report of where a maintenance stopped. */
export function memberStates(observation: ClusterObservation | undefined): string {
  if (!observation) return 'member states unknown (the member list could not be read)';
  return observation.members
    .map((member) =>
      member.status
        ? `${member.name} ${member.status.isLeader ? 'leader' : member.isLearner ? 'learner' : 'follower'}, ${member.healthy ? 'healthy' : `unhealthy (${member.error})`}, ${formatBytes(member.status.dbSizeBytes)} (${formatBytes(member.status.dbSizeInUseBytes ?? member.status.dbSizeBytes)} in use)`
        : `${member.name} unreachable (${member.error ?? 'no answer'})`,
    )
    .join('; ');
}

const now = (): string => new Date().toISOString();

/**
 * Runs an approved plan, step by step, in order: compact at the planned revision (physical), defragment one member
 * at a time in the planned order (followers first, the leader last) with a health check and a status after each and
 * the configured pause between members, then disarm NOSPACE only if every member is below the planned threshold, and
 * verify a write. Before every step: the lock and its fencing token, then the pre-flight against the approved basis.
 * The first failure stops everything; nothing is retried.
 */
export async function runPlan(record: ApprovalRecord, deps: RunPlanDeps): Promise<PlanOutcome> {
  const { client, lock, log, signal } = deps;
  /** "Compacting" or, on a dry run, "Would compact". */
  const doing = (real: string, dry: string): string => (deps.dryRun ? `Dry run: would ${dry}` : real);
  let last: ClusterObservation | undefined;
  /**
   * True while the last pre-flight still describes the cluster: nothing was changed and no pause passed since. Two
   * steps in a row with nothing between them (the first check and the compaction) share one observation.
   */
  let fresh = false;
  const changing = (): void => {
    fresh = false;
  };

  /** Lock, then pre-flight; a verdict other than "go" ends the plan before `what`. */
  const before = async (what: string): Promise<PlanOutcome | undefined> => {
    if (signal.aborted)
      return { kind: 'failed', note: `stopped before ${what}: the executor is shutting down. ${memberStates(last)}` };
    if (!(await lock.stillHeld())) {
      return {
        kind: 'failed',
        note: `stopped before ${what}: this executor lost the cluster lock (fencing token ${lock.token} is no longer current)`,
      };
    }
    if (fresh) return undefined;
    try {
      last = await observeCluster(client, deps.requestMs);
    } catch (error) {
      return { kind: 'failed', note: `stopped before ${what}: cannot read the member list (${describeError(error)})` };
    }
    const verdict = preflight(last, record.basis, record.plan);
    if (verdict.kind === 'go') {
      fresh = true;
      return undefined;
    }
    const step: StepLog = {
      step: 'preflight',
      outcome: 'stopped',
      at: now(),
      detail: `before ${what}: ${verdict.reason}`,
    };
    if (verdict.kind === 'replan') {
      await log(
        step,
        `:arrows_counterclockwise: Stopped before ${what}: ${verdict.reason}. Nothing more will run on the old plan; a new plan follows for approval.`,
      );
      return { kind: 'replan', note: `re-planned before ${what}: ${verdict.reason}`, observation: last };
    }
    await log(step, `:octagonal_sign: Stopped before ${what}: ${verdict.reason}.\nMembers: ${memberStates(last)}`);
    return { kind: 'failed', note: `stopped before ${what}: ${verdict.reason}. Members: ${memberStates(last)}` };
  };

  const first = await before('the first step');
  if (first) return first;
  await deps.sizes({ before: sizesOf(last as ClusterObservation) });

  for (const step of record.plan) {
    const outcome = await runStep(step);
    if (outcome) return outcome;
  }
  try {
    last = await observeCluster(client, deps.requestMs);
    await deps.sizes({ after: sizesOf(last) });
  } catch {
    // Sizes after are a courtesy: the steps themselves were checked.
  }
  return { kind: 'done', note: deps.dryRun ? 'dry run: nothing was changed' : 'every step succeeded' };

  async function runStep(step: Proposal): Promise<PlanOutcome | undefined> {
    switch (step.action) {
      case 'etcd.compact': {
        const stop = await before(`compacting to revision ${step.revision}`);
        if (stop) return stop;
        await deps.say(`:gear: ${doing('Compacting', 'compact')} to revision ${step.revision} (physical)…`);
        const started = performance.now();
        try {
          changing();
          if (!deps.dryRun) await client.compact(step.revision);
        } catch (error) {
          const said = describeError(error);
          if (/required revision has been compacted/.test(said)) {
            await log(
              { step: 'compact', outcome: 'skipped', at: now(), detail: `already compacted past ${step.revision}` },
              `:fast_forward: History before ${step.revision} was already compacted (kube-apiserver compacts every 5 minutes): nothing to do.`,
            );
            return undefined;
          }
          await log(
            { step: 'compact', outcome: 'failed', at: now(), detail: said },
            `:x: Compaction to ${step.revision} failed: ${said}. Stopped; no member was defragmented.`,
          );
          return {
            kind: 'failed',
            note: `compaction to ${step.revision} failed (${said}); no member was defragmented`,
          };
        }
        const took = performance.now() - started;
        await log(
          { step: 'compact', outcome: 'ok', at: now(), tookMs: took, detail: `revision ${step.revision}` },
          `:white_check_mark: ${deps.dryRun ? 'Would have compacted' : 'Compacted'} to revision ${step.revision} in ${tookText(took)}.`,
        );
        return undefined;
      }
      case 'etcd.defrag': {
        for (const [index, member] of step.members.entries()) {
          if (index > 0 && deps.pauseMs > 0) {
            changing();
            try {
              await sleep(deps.pauseMs, undefined, { signal });
            } catch {
              // Shutting down: the next pre-flight says so.
            }
          }
          const what = `defragmenting ${member.name} (${member.role})`;
          const stop = await before(what);
          if (stop) return stop;
          const current = last?.members.find((candidate) => candidate.id === member.id);
          if (!current) return { kind: 'failed', note: `${member.name} is no longer a member` };
          const sizeBefore = current.status?.dbSizeBytes ?? 0;
          await deps.say(
            `:gear: ${doing('Defragmenting', 'defragment')} ${member.name} (${member.role}, ${index + 1} of ${step.members.length}): ${formatBytes(sizeBefore)} on disk. It blocks its reads and writes meanwhile.`,
          );
          const started = performance.now();
          try {
            changing();
            if (!deps.dryRun) await client.defragment(current.endpoint);
          } catch (error) {
            const said = describeError(error);
            const after = await observeCluster(client, deps.requestMs).catch(() => undefined);
            await log(
              { step: 'defrag', member: member.name, outcome: 'failed', at: now(), detail: said },
              `:x: Defragmenting ${member.name} failed: ${said}. Stopped; no other member was touched after it.\nMembers: ${memberStates(after)}`,
            );
            return {
              kind: 'failed',
              note: `defragmenting ${member.name} failed (${said}); stopped there. Members: ${memberStates(after)}`,
            };
          }
          const took = performance.now() - started;
          // Health and status of that member right after: it must be back before anyone else is touched.
          try {
            await client.health(current.endpoint);
            const status = await client.status(current.endpoint);
            await log(
              {
                step: 'defrag',
                member: member.name,
                outcome: 'ok',
                at: now(),
                tookMs: took,
                detail: `${formatBytes(sizeBefore)} → ${formatBytes(status.dbSizeBytes)}`,
              },
              `:white_check_mark: ${member.name} ${deps.dryRun ? 'would be defragmented' : `defragmented in ${tookText(took)}`}: ${formatBytes(sizeBefore)} → ${formatBytes(status.dbSizeBytes)} on disk (${formatBytes(status.dbSizeInUseBytes ?? status.dbSizeBytes)} in use), healthy.`,
            );
          } catch (error) {
            const said = describeError(error);
            await log(
              {
                step: 'defrag',
                member: member.name,
                outcome: 'failed',
                at: now(),
                detail: `not healthy afterwards: ${said}`,
              },
              `:x: ${member.name} did not come back healthy after defragmentation (${said}). Stopped.`,
            );
            return {
              kind: 'failed',
              note: `${member.name} was not healthy after its defragmentation (${said}); stopped there`,
            };
          }
        }
        return undefined;
      }
      case 'etcd.disarm': {
        const stop = await before('disarming NOSPACE');
        if (stop) return stop;
        const observed = last as ClusterObservation;
        const below = step.condition.belowBytes;
        const over = observed.members.filter((member) => (member.status?.dbSizeBytes ?? Infinity) >= below);
        if (over.length > 0) {
          const why = `${over.map((member) => `${member.name} is ${formatBytes(member.status?.dbSizeBytes ?? 0)}`).join(', ')}, not below ${formatBytes(below)} (${Math.round(step.condition.maxDbSizeRatio * 100)}% of the quota)`;
          await log(
            { step: 'disarm', outcome: 'stopped', at: now(), detail: why },
            `:warning: NOSPACE left armed: ${why}. Writes would fill it again at once: free more space, or raise the quota (--quota-backend-bytes, which needs a restart of each member).`,
          );
          return { kind: 'failed', note: `NOSPACE left armed: ${why}` };
        }
        const nospace = observed.alarms.filter((alarm) => alarm.alarm === 'NOSPACE');
        try {
          changing();
          if (!deps.dryRun) for (const alarm of nospace) await client.disarmNospace(alarm.memberId);
        } catch (error) {
          const said = describeError(error);
          await log(
            { step: 'disarm', outcome: 'failed', at: now(), detail: said },
            `:x: Disarming NOSPACE failed: ${said}.`,
          );
          return { kind: 'failed', note: `disarming NOSPACE failed (${said})` };
        }
        await log(
          {
            step: 'disarm',
            outcome: nospace.length > 0 ? 'ok' : 'skipped',
            at: now(),
            detail:
              nospace.length > 0
                ? `NOSPACE on ${nospace.map((alarm) => alarm.memberId).join(', ')}`
                : 'no NOSPACE alarm was active',
          },
          nospace.length > 0
            ? `:white_check_mark: ${deps.dryRun ? 'Would disarm' : 'Disarmed'} NOSPACE (${nospace.map((alarm) => alarm.memberId).join(', ')}): every member is below ${formatBytes(below)}.`
            : ':fast_forward: No NOSPACE alarm was active: nothing to disarm.',
        );
        if (deps.dryRun) return undefined;
        try {
          await client.verifyWrite(record.id);
        } catch (error) {
          const said = describeError(error);
          await log(
            { step: 'write-check', outcome: 'failed', at: now(), detail: said },
            `:x: A test write still fails: ${said}.`,
          );
          return { kind: 'failed', note: `the alarm is disarmed but a test write failed (${said})` };
        }
        await log(
          { step: 'write-check', outcome: 'ok', at: now() },
          ':white_check_mark: A test write succeeded: etcd accepts writes again.',
        );
        return undefined;
      }
    }
  }
}
