import type { DiagnosisReport } from '../diagnosis/diagnosis-report.js';
import type { RunProgressLine, StopOutcome } from '../render/run-status-blocks.js';
import type { RunJob } from './run-job.js';
import type { RunAttempt } from './run-workers.js';

/**
 * Where a run's progress and outcome are shown (Slack for the worker; tests use their own). Every method may be
 * called again for the same run by another worker that took it over: implementations update, never duplicate.
 */
export interface RunReporter {
  /** The run starts (or starts again): its message says so. */
  started(job: RunJob, attempt: RunAttempt): Promise<void>;
  /** Checks finished; implementations throttle. */
  progress(job: RunJob, progress: RunProgressLine): void;
  finished(job: RunJob, report: DiagnosisReport): Promise<void>;
  /** The run failed for a transient reason and will be tried again. */
  retrying(job: RunJob, attempt: RunAttempt, reason: string): Promise<void>;
  /** The run ended without a report; `by` is who stopped it (a Slack user id), when someone did. */
  stopped(job: RunJob, outcome: StopOutcome, reason: string, by?: string): Promise<void>;
}
