import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { abortReason } from '../core/abort.js';
import { CheckTimeoutError, describeError } from '../core/errors.js';
import { clusterSetting } from '../core/setting-name.js';
import type { CheckContext, CheckDefinition, CheckReaders, RunIdentity, RunScope } from '../checks/check.js';
import type { CheckRegistry } from '../checks/registry.js';
import { analyzeFindings } from '../findings/analyze-findings.js';
import type { Finding } from '../findings/finding.js';
import type { RootCause } from '../findings/root-cause.js';
import type { Playbook, PlaybookCheck } from './playbook-schema.js';
import { bindReaders } from './bind-signal.js';
import { checkArgs, type ParamValues } from './check-args.js';
import { createRunMemo } from './run-memo.js';

export type { ParamValues };

/** What the runner reports while checks run (the CLI prints it on stderr). */
export type RunProgress =
  | { kind: 'started'; check: string; index: number; total: number }
  | {
      kind: 'finished';
      check: string;
      findings: number;
      /** Findings worse than info. */
      problems: number;
      durationMs: number;
      failed: boolean;
    };

export interface RunOptions {
  /** The run's id and the cluster's configured name. */
  run: RunIdentity;
  /** Operator-set values for the playbook's parameters; defaults fill the rest. */
  params?: ParamValues;
  /** Deadline per check unless the playbook sets `timeoutSeconds` (ms). @defaultValue 30000 */
  checkTimeoutMs?: number;
  /** Cancels the run: every check's requests are aborted and the run ends at once. */
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  now?: () => Date;
  /** Injectable so tests of windowed checks control time. @defaultValue a real, abortable timer */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The readers a run may use; the runner binds them to the run's and each check's signal. */
export type RunClients = CheckReaders;

/** What a playbook run produced, before the diagnosis wraps it into a report. */
export interface PlaybookResult {
  startedAt: string;
  finishedAt: string;
  /** Every parameter as the run used it: the operator's values over the playbook's defaults. */
  params: ParamValues;
  /** Explained (`explainedBy`) and ranked: causes first, each symptom under its cause. */
  findings: Finding[];
  /** The one-line diagnosis. */
  rootCause: RootCause;
}

/** A check that could not look at all becomes a finding of its own, so the playbook still reports the rest. */
function couldNotCheck(definition: CheckDefinition | undefined, id: string, reason: string): Finding {
  const what = definition?.description ?? id;
  return {
    check: id,
    severity: 'warning',
    about: { component: 'quorum' },
    title: `Could not check ${what}`,
    summary: reason,
    evidence: [],
    recommendation:
      'This part of the playbook did not run, so its problems (if any) are not shown above. Fix the cause and run the playbook again.',
  };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch((error: unknown) => {
    if (signal.aborted) throw abortReason(signal);
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

interface RunSettings {
  run: RunIdentity;
  params: ParamValues;
  checkTimeoutMs: number;
  now: () => Date;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The run's signal: fires when the run is cancelled, and when it ends (to stop shared work nobody awaits). */
  runSignal: AbortSignal;
  once: CheckContext['once'];
}

function skippedForEtcd(definition: CheckDefinition, entry: PlaybookCheck, settings: RunSettings): CheckOutcome {
  const setting = (path: string): string => clusterSetting(settings.run.cluster, path);
  return {
    failed: false,
    findings: [
      {
        check: entry.check,
        severity: 'info',
        title: `Skipped: ${definition.description}`,
        summary: `No etcd endpoints are configured for cluster ${settings.run.cluster}, so etcd was not examined.`,
        evidence: [],
        recommendation: `Set ${setting('etcd.endpoints')} with the client certificates (${setting('etcd.caFile')}, ${setting('etcd.certFile')}, ${setting('etcd.keyFile')}; on kubeadm: /etc/kubernetes/pki/etcd/ca.crt and /etc/kubernetes/pki/apiserver-etcd-client.{crt,key}).`,
      },
    ],
  };
}

/** What a check declares for all its findings (component, problem signals), filled in where a finding is silent. */
function withDefaults(finding: Finding, definition: CheckDefinition, check: string): Finding {
  const problem = finding.severity === 'critical' || finding.severity === 'warning';
  return {
    ...finding,
    check: finding.check || check,
    ...(finding.about === undefined && definition.about ? { about: { component: definition.about } } : {}),
    ...(finding.signals === undefined && problem && definition.problemSignals?.length
      ? { signals: [...definition.problemSignals] }
      : {}),
  };
}

async function runOne(
  entry: PlaybookCheck,
  playbook: Playbook,
  registry: CheckRegistry,
  clients: RunClients,
  settings: RunSettings,
): Promise<CheckOutcome> {
  const definition = registry.get(entry.check);
  if (!definition) return failed(couldNotCheck(undefined, entry.check, `no check "${entry.check}" is implemented`));
  if (definition.needs.includes('etcd') && !clients.etcd) return skippedForEtcd(definition, entry, settings);
  const args = checkArgs(playbook, entry, definition, settings.params);
  if ('reference' in args) return failed(couldNotCheck(definition, entry.check, args.reference));
  if ('issues' in args) {
    return failed(couldNotCheck(definition, entry.check, `bad arguments: ${args.issues[0]?.message}`));
  }

  // A check that watches a window (windowSeconds) gets that long on top of its deadline.
  const windowSeconds = (args.value as { windowSeconds?: unknown }).windowSeconds;
  const timeoutMs =
    (entry.timeoutSeconds !== undefined ? entry.timeoutSeconds * 1000 : settings.checkTimeoutMs) +
    (typeof windowSeconds === 'number' ? windowSeconds * 1000 : 0);
  const controller = new AbortController();
  // Every request a check has in flight or queued listens on its signal: dozens at once are normal, not a leak.
  setMaxListeners(0, controller.signal);
  const timeout = new CheckTimeoutError(entry.check, timeoutMs);
  const timer = setTimeout(() => controller.abort(timeout), timeoutMs);
  timer.unref();
  const onRunAbort = (): void => controller.abort(abortReason(settings.runSignal));
  if (settings.runSignal.aborted) onRunAbort();
  settings.runSignal.addEventListener('abort', onRunAbort, { once: true });
  const context: CheckContext = {
    ...bindReaders(clients, controller.signal),
    run: settings.run,
    signal: controller.signal,
    now: settings.now,
    sleep: settings.sleep,
    once: settings.once,
  };
  // A check that ignores its signal still ends at its deadline: its readers are aborted and the runner stops waiting.
  const aborted = new Promise<never>((_, reject) => {
    if (controller.signal.aborted) reject(abortReason(controller.signal));
    controller.signal.addEventListener('abort', () => reject(abortReason(controller.signal)), { once: true });
  });
  try {
    const findings = await Promise.race([definition.run(context, args.value), aborted]);
    return { failed: false, findings: findings.map((finding) => withDefaults(finding, definition, entry.check)) };
  } catch (error) {
    const reason = error === timeout ? `did not finish within ${Math.round(timeoutMs / 1000)} s` : describeError(error);
    return failed(couldNotCheck(definition, entry.check, reason));
  } finally {
    clearTimeout(timer);
    settings.runSignal.removeEventListener('abort', onRunAbort);
    controller.abort();
  }
}

/**
 * Runs every check of a playbook concurrently, each under its own deadline and the run's signal, and returns the
 * findings ranked most severe first. It never throws for a check's sake: failures and timeouts become "could not
 * check" findings. When the run's signal fires, it rejects with its reason once every check has let go; shared
 * work (a metrics window) is stopped when the run ends.
 */
export async function runPlaybook(
  playbook: Playbook,
  registry: CheckRegistry,
  clients: RunClients,
  options: RunOptions,
): Promise<PlaybookResult> {
  const now = options.now ?? (() => new Date());
  const runController = new AbortController();
  // Each check, and each request of the run's shared work, listens on the run's signal.
  setMaxListeners(0, runController.signal);
  const onAbort = (): void => runController.abort(abortReason(options.signal as AbortSignal));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const sleep = options.sleep ?? abortableSleep;
  const params: ParamValues = {
    ...Object.fromEntries(
      playbook.parameters.flatMap((parameter) =>
        parameter.default === undefined ? [] : [[parameter.name, parameter.default] as const],
      ),
    ),
    ...options.params,
  };
  const scope: RunScope = { ...bindReaders(clients, runController.signal), signal: runController.signal, now, sleep };
  const settings: RunSettings = {
    run: options.run,
    params: options.params ?? {},
    checkTimeoutMs: options.checkTimeoutMs ?? 30_000,
    now,
    sleep,
    runSignal: runController.signal,
    once: createRunMemo(scope),
  };
  const startedAt = now();
  const total = playbook.checks.length;
  try {
    const perCheck = await Promise.all(
      playbook.checks.map(async (entry, index) => {
        options.onProgress?.({ kind: 'started', check: entry.check, index, total });
        const began = Date.now();
        const outcome = await runOne(entry, playbook, registry, clients, settings);
        options.onProgress?.({
          kind: 'finished',
          check: entry.check,
          findings: outcome.findings.length,
          problems: outcome.findings.filter(
            (finding) => finding.severity === 'critical' || finding.severity === 'warning',
          ).length,
          durationMs: Date.now() - began,
          failed: outcome.failed,
        });
        return outcome.findings;
      }),
    );
    if (options.signal?.aborted) throw abortReason(options.signal);
    const allowed = new Set<string>(playbook.remediations);
    const findings = perCheck.flat().map(({ proposals, ...finding }): Finding => {
      const kept = proposals?.filter((proposal) => allowed.has(proposal.action)) ?? [];
      return kept.length > 0 ? { ...finding, proposals: kept } : finding;
    });
    return {
      startedAt: startedAt.toISOString(),
      finishedAt: now().toISOString(),
      params,
      ...analyzeFindings(findings),
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    runController.abort();
  }
}
