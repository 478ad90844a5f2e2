import { abortReason } from '../core/abort.js';
import {
  asQuorumError,
  RunCancelledError,
  RunTimeoutError,
  WorkerShutdownError,
  type QuorumError,
} from '../core/errors.js';
import type { DiagnosisReport } from '../diagnosis/diagnosis-report.js';
import type { RunOptions } from '../diagnosis/diagnosis-service.js';
import type { RunRequest } from '../diagnosis/run-request.js';
import { summarizeReport } from '../render/report-summary.js';
import type { StopOutcome } from '../render/run-status-blocks.js';
import type { ActiveRuns } from '../queue/active-runs.js';
import type { RunJob } from '../queue/run-job.js';
import type { RunRecord } from '../queue/run-record.js';
import type { RunOutcome } from '../queue/run-outcomes.js';
import type { RunRecords } from '../queue/run-records.js';
import type { RunReporter } from '../queue/run-reporter.js';
import type { RunAttempt, RunHandler } from '../queue/run-workers.js';

/** What the handler needs of the diagnostic core (a DiagnosisService, or a stand-in in tests). */
export interface Diagnoser {
  run(request: RunRequest, options: RunOptions): Promise<DiagnosisReport>;
}

export interface RunJobHandlerOptions {
  diagnoser: Diagnoser;
  records: RunRecords;
  reporter: RunReporter;
  activeRuns: ActiveRuns;
  /** Told of every run that ends for good (for the bot's metrics). */
  announce?: (outcome: RunOutcome) => Promise<void>;
  now?: () => Date;
}

function outcomeOf(error: QuorumError): StopOutcome {
  if (error instanceof RunCancelledError) return 'cancelled';
  if (error instanceof RunTimeoutError) return 'timed-out';
  return 'failed';
}

/**
 * One queued run from start to end on a worker: its record says running, its message shows progress, the
 * diagnosis runs under the job's signal, and the outcome (report, retry, failure, cancellation, timeout) reaches the
 * record, the message and the (cluster, playbook) claim. Safe to run again for the same run after a takeover.
 */
export function createRunJobHandler(options: RunJobHandlerOptions): RunHandler {
  const now = options.now ?? (() => new Date());
  const { records, reporter, activeRuns } = options;
  const announce = (outcome: RunOutcome): Promise<void> =>
    (options.announce?.(outcome) ?? Promise.resolve()).catch(() => undefined);
  const identity = (request: RunRequest) => ({
    runId: request.runId,
    playbook: request.playbook,
    cluster: request.cluster,
  });

  const resolvedMeanwhile = async (request: RunRequest): Promise<boolean> =>
    request.trigger.kind === 'alert' && (await records.resolution(request.runId).catch(() => undefined)) !== undefined;

  async function ensureRecord(job: RunJob): Promise<void> {
    if (await records.get(job.request.runId)) return;
    const { request } = job;
    const record: RunRecord = {
      runId: request.runId,
      cluster: request.cluster,
      playbook: request.playbook,
      trigger: request.trigger,
      requestedAt: request.requestedAt,
      state: 'queued',
      attempts: 0,
      ...(job.slack
        ? {
            slack: {
              channel: job.slack.channel,
              ...(job.slack.messageTs ? { messageTs: job.slack.messageTs } : {}),
              threadParts: 0,
            },
          }
        : {}),
    };
    await records.save(record);
  }

  return async (job: RunJob, signal: AbortSignal, attempt: RunAttempt): Promise<void> => {
    const { request } = job;
    const startedAt = now();
    await ensureRecord(job);
    await records.update(request.runId, {
      state: 'running',
      startedAt: startedAt.toISOString(),
      attempts: attempt.number,
    });
    await reporter.started(job, attempt);
    let done = 0;
    let total = 0;
    let problems = 0;
    try {
      const report = await options.diagnoser.run(request, {
        signal,
        onProgress: (progress) => {
          if (progress.kind === 'started') {
            total = progress.total;
            return;
          }
          done += 1;
          problems += progress.problems;
          reporter.progress(job, { done, total, problems });
        },
      });
      await records.saveReport(report);
      await reporter.finished(job, report);
      const summary = summarizeReport(report);
      const durationMs = now().getTime() - startedAt.getTime();
      await records.update(request.runId, {
        state: 'succeeded',
        finishedAt: report.finishedAt,
        durationMs,
        summary: { worst: summary.worst, counts: summary.counts, rootCause: report.rootCause.text },
      });
      // The bot shows a resolution on the message of an ended run only; one recorded while this run was going is
      // shown now (the message above may have been rendered just before it was recorded).
      if (await resolvedMeanwhile(request)) await reporter.finished(job, report).catch(() => undefined);
      await activeRuns.release(request.cluster, request.playbook, request.runId);
      await announce({ ...identity(request), result: 'succeeded', durationMs });
    } catch (thrown) {
      const error = asQuorumError(signal.aborted ? abortReason(signal) : thrown);
      if (error instanceof WorkerShutdownError) throw error;
      if (error.retryable && !attempt.last) {
        await records.update(request.runId, { state: 'retrying', error: error.message });
        await reporter.retrying(job, attempt, error.message).catch(() => undefined);
        throw error;
      }
      const outcome = outcomeOf(error);
      const durationMs = now().getTime() - startedAt.getTime();
      const state = outcome === 'cancelled' ? 'cancelled' : 'failed';
      await records.update(request.runId, { state, finishedAt: now().toISOString(), durationMs, error: error.message });
      const by = error instanceof RunCancelledError ? error.by : undefined;
      await reporter.stopped(job, outcome, error.message, by).catch(() => undefined);
      if (await resolvedMeanwhile(request))
        await reporter.stopped(job, outcome, error.message, by).catch(() => undefined);
      await activeRuns.release(request.cluster, request.playbook, request.runId);
      await announce({ ...identity(request), result: state, durationMs });
      throw error;
    }
  };
}
