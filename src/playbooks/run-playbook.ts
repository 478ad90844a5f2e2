import { setTimeout as delay } from 'node:timers/promises';
import { CheckTimeoutError, describeError } from '../core/errors.js';
import type { CheckContext, CheckDefinition } from '../checks/check.js';
import type { CheckRegistry } from '../checks/registry.js';
import { rankFindings, type DiagnosisReport, type Finding } from '../findings/finding.js';
import type { Playbook, PlaybookCheck } from './playbook-schema.js';
import { checkArgs, type ParamValues } from './check-args.js';
import { createRunMemo } from './run-memo.js';

export type { ParamValues };

/** What the runner reports while checks run (the CLI prints it on stderr). */
export type RunProgress =
  | { kind: 'started'; check: string; index: number; total: number }
  | { kind: 'finished'; check: string; findings: number; durationMs: number; failed: boolean };

export interface RunOptions {
  /** Operator-set values for the playbook's parameters; defaults fill the rest. */
  params?: ParamValues;
  /** Deadline per check unless the playbook sets `timeoutSeconds` (ms). @defaultValue 30000 */
  checkTimeoutMs?: number;
  onProgress?: (progress: RunProgress) => void;
  now?: () => Date;
}

/** The read-only clients a run may use; the runner adds the per-check signal. */
export type RunClients = Omit<CheckContext, 'signal' | 'now' | 'sleep' | 'once'> & Partial<Pick<CheckContext, 'sleep'>>;

/** A check that could not look at all becomes a finding of its own, so the playbook still reports the rest. */
function couldNotCheck(definition: CheckDefinition | undefined, id: string, reason: string): Finding {
  const what = definition?.description ?? id;
  return {
    check: id,
    severity: 'warning',
    title: `Could not check ${what}`,
    summary: reason,
    evidence: [],
    recommendation:
      'This part of the playbook did not run, so its problems (if any) are not shown above. Fix the cause and run the playbook again.',
  };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch((error: unknown) => {
    if (signal.aborted) throw signal.reason;
    throw error;
  });
}

interface CheckOutcome {
  findings: Finding[];
  /** True when the check could not look at all. */
  failed: boolean;
}

function failed(finding: Finding): CheckOutcome {
  return { findings: [finding], failed: true };
}

async function runOne(
  entry: PlaybookCheck,
  playbook: Playbook,
  registry: CheckRegistry,
  clients: RunClients,
  options: Required<Pick<RunOptions, 'checkTimeoutMs' | 'now'>> & RunOptions & { once: CheckContext['once'] },
): Promise<CheckOutcome> {
  const definition = registry.get(entry.check);
  if (!definition) return failed(couldNotCheck(undefined, entry.check, `no check "${entry.check}" is implemented`));
  if (definition.needs.includes('etcd') && !clients.etcd) {
    return {
      failed: false,
      findings: [
        {
          check: entry.check,
          severity: 'info',
          title: `Skipped: ${definition.description}`,
          summary: 'No etcd endpoints were given, so etcd was not examined.',
          evidence: [],
          recommendation:
            'Pass --etcd-endpoints with the client certificates (on kubeadm: /etc/kubernetes/pki/etcd/ca.crt and /etc/kubernetes/pki/apiserver-etcd-client.{crt,key}).',
        },
      ],
    };
  }
  const args = checkArgs(playbook, entry, definition, options.params);
  if ('reference' in args) return failed(couldNotCheck(definition, entry.check, args.reference));
  if ('issues' in args) {
    return failed(couldNotCheck(definition, entry.check, `bad arguments: ${args.issues[0]?.message}`));
  }

  // A check that watches a window (windowSeconds) gets that long on top of its deadline.
  const windowSeconds = (args.value as { windowSeconds?: unknown }).windowSeconds;
  const timeoutMs =
    (entry.timeoutSeconds !== undefined ? entry.timeoutSeconds * 1000 : options.checkTimeoutMs) +
    (typeof windowSeconds === 'number' ? windowSeconds * 1000 : 0);
  const controller = new AbortController();
  const timeout = new CheckTimeoutError(entry.check, timeoutMs);
  const timer = setTimeout(() => controller.abort(timeout), timeoutMs);
  timer.unref();
  const context: CheckContext = {
    ...clients,
    signal: controller.signal,
    now: options.now,
    sleep: clients.sleep ?? abortableSleep,
    once: options.once,
  };
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
  });
  try {
    const findings = await Promise.race([definition.run(context, args.value), aborted]);
    return {
      failed: false,
      findings: findings.map((finding) => ({ ...finding, check: finding.check || entry.check })),
    };
  } catch (error) {
    const reason = error === timeout ? `did not finish within ${Math.round(timeoutMs / 1000)} s` : describeError(error);
    return failed(couldNotCheck(definition, entry.check, reason));
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/**
 * Runs every check of a playbook concurrently, each under its own deadline, and returns the findings ranked most
 * severe first. It never throws for a check's sake: failures and timeouts become "could not check" findings.
 */
export async function runPlaybook(
  playbook: Playbook,
  registry: CheckRegistry,
  clients: RunClients,
  options: RunOptions = {},
): Promise<DiagnosisReport> {
  const now = options.now ?? (() => new Date());
  const settings = { ...options, now, checkTimeoutMs: options.checkTimeoutMs ?? 30_000, once: createRunMemo() };
  const startedAt = now();
  const total = playbook.checks.length;
  const perCheck = await Promise.all(
    playbook.checks.map(async (entry, index) => {
      options.onProgress?.({ kind: 'started', check: entry.check, index, total });
      const began = Date.now();
      const outcome = await runOne(entry, playbook, registry, clients, settings);
      options.onProgress?.({
        kind: 'finished',
        check: entry.check,
        findings: outcome.findings.length,
        durationMs: Date.now() - began,
        failed: outcome.failed,
      });
      return outcome.findings;
    }),
  );
  const allowed = new Set<string>(playbook.remediations);
  const findings = perCheck.flat().map(({ proposals, ...finding }): Finding => {
    const kept = proposals?.filter((proposal) => allowed.has(proposal.action)) ?? [];
    return kept.length > 0 ? { ...finding, proposals: kept } : finding;
  });
  return {
    playbook: playbook.id,
    playbookTitle: playbook.title,
    cluster: clients.kube.clusterName,
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    findings: rankFindings(findings),
  };
}
