import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from '../core/redis-client.js';
import { QuorumError, ErrorCode, describeError } from '../core/errors.js';
import { closeWithin } from './close-within.js';
import { runQueueName, type RunJob } from './run-job.js';

export interface RunQueuesOptions {
  /** A `request`-role connection: fails fast while Redis is away. Not closed by {@link RunQueues.close}. */
  connection: RedisClient;
  /** Key prefix (`redis.prefix`). */
  prefix: string;
  /** Attempts of a run that fails for a transient reason (the first included). @defaultValue 3 */
  attempts?: number;
  /** First retry delay, doubled each time (ms). @defaultValue 2000 */
  backoffMs?: number;
}

/** Raised when the queue cannot take a run (Redis away): the caller tells the user to try again. */
export class QueueUnavailableError extends QuorumError {
  constructor(cause: unknown) {
    super(
      ErrorCode.QueueUnavailable,
      `The run queue is unavailable (${describeError(cause)}): nothing was started. Try again in a minute; if it persists, check Redis.`,
      { cause, retryable: true },
    );
  }
}

/** What `enqueue` did. */
export type EnqueueOutcome = { kind: 'queued'; jobId: string } | { kind: 'exists'; jobId: string };

/**
 * The producer side of the run queues: one BullMQ queue per cluster, runs added with their run id as job id (so a
 * retried request cannot queue a run twice), transient failures retried with backoff.
 */
export class RunQueues {
  private readonly queues = new Map<string, Queue>();
  private readonly jobOptions: JobsOptions;

  constructor(private readonly options: RunQueuesOptions) {
    this.jobOptions = {
      attempts: options.attempts ?? 3,
      backoff: { type: 'exponential', delay: options.backoffMs ?? 2_000 },
      // Records of finished runs live in the run records; BullMQ keeps only a little for inspection.
      removeOnComplete: { age: 3_600, count: 1_000 },
      removeOnFail: { age: 24 * 3_600, count: 1_000 },
    };
  }

  /** The queue of a cluster's runs. */
  queue(cluster: string): Queue {
    let queue = this.queues.get(cluster);
    if (!queue) {
      queue = new Queue(runQueueName(cluster), { connection: this.options.connection, prefix: this.options.prefix });
      queue.on('error', () => undefined);
      this.queues.set(cluster, queue);
    }
    return queue;
  }

  /**
   * Queues a run. The job id is the run id: asking twice for the same run (a Slack retry) queues it once.
   *
   * @throws QueueUnavailableError when Redis cannot take it.
   */
  async enqueue(job: RunJob): Promise<EnqueueOutcome> {
    const queue = this.queue(job.request.cluster);
    const jobId = job.request.runId;
    try {
      const existing = await queue.getJob(jobId);
      if (existing) return { kind: 'exists', jobId };
      await queue.add('run', job, { ...this.jobOptions, jobId });
      return { kind: 'queued', jobId };
    } catch (error) {
      throw new QueueUnavailableError(error);
    }
  }

  /** Removes a run that has not started; false when it is running, finished or unknown. */
  async removeWaiting(cluster: string, runId: string): Promise<boolean> {
    const job = await this.queue(cluster).getJob(runId);
    if (!job) return false;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
    await job.remove();
    return true;
  }

  /** Job counts of every cluster queue opened so far, for /metrics. */
  async counts(): Promise<Record<string, Record<string, number>>> {
    const entries = await Promise.all(
      [...this.queues].map(async ([cluster, queue]) => [cluster, await queue.getJobCounts()] as const),
    );
    return Object.fromEntries(entries);
  }

  /**
   * When each finished run of a cluster held a slot, as BullMQ recorded it: from a worker taking the job
   * (`processedOn`) to its completion or failure (`finishedOn`), ms since the epoch. Only runs BullMQ still keeps
   * (`removeOnComplete`/`removeOnFail`): for benchmarks and inspection, not for records.
   */
  async runTimes(cluster: string): Promise<Array<{ runId: string; processedOn: number; finishedOn: number }>> {
    const jobs = await this.queue(cluster).getJobs(['completed', 'failed'], 0, -1);
    return jobs.flatMap((job) =>
      job.id && job.processedOn !== undefined && job.finishedOn !== undefined
        ? [{ runId: job.id, processedOn: job.processedOn, finishedOn: job.finishedOn }]
        : [],
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((queue) => closeWithin(queue)));
    this.queues.clear();
  }
}
