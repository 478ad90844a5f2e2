import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisClient } from '../core/redis-client.js';
import { setMaxListeners } from 'node:events';
import { abortReason } from '../core/abort.js';
import { asQuorumError, RunCancelledError, RunTimeoutError, WorkerShutdownError } from '../core/errors.js';
import { Semaphore } from '../core/semaphore.js';
import type { RedisConfig } from '../config/config-schema.js';
import { cancelChannel, parseCancel } from './run-cancels.js';
import { RunJobSchema, runQueueName, type RunJob } from './run-job.js';
import { createRedis, closeRedis } from './redis-connection.js';

/** What the processor knows about the attempt it runs. */
export interface RunAttempt {
  /** 1 for the first attempt. */
  number: number;
  /** True when a retryable failure of this attempt will not be retried. */
  last: boolean;
}

/**
 * Runs one queued run. It must honour `signal` (timeout, cancel, shutdown: its reason says which) and throw a
 * QuorumError whose `retryable` says whether another attempt may help.
 */
export type RunHandler = (job: RunJob, signal: AbortSignal, attempt: RunAttempt) => Promise<void>;

export interface RunWorkersOptions {
  redis: RedisConfig;
  /** Clusters whose queues this process works on. */
  clusters: readonly string[];
  /** Runs at once in this process. */
  concurrency: number;
  /** Runs at once per cluster, across every worker process (the queue's global concurrency). */
  perClusterConcurrency: number;
  /** A run is stopped after this long (ms). */
  runTimeoutMs: number;
  handler: RunHandler;
  /** How often stalled jobs (their worker died) are looked for (ms). @defaultValue 30000 */
  stalledIntervalMs?: number;
  /** How long a job's lock lasts without renewal (ms); a dead worker's job is free after it. @defaultValue 30000 */
  lockDurationMs?: number;
  /** A name for this process in job records. */
  name?: string;
}

/**
 * The consumer side of the run queues: one BullMQ worker per cluster queue, a process-wide cap on concurrent runs,
 * the per-cluster cap held in Redis (global concurrency, so several processes together respect it), a run timeout
 * and cancellation through one AbortSignal per run, and a shutdown that hands unfinished runs back to the queue.
 */
export class RunWorkers {
  private readonly workers: Worker[] = [];
  private readonly slots: Semaphore;
  private readonly running = new Map<string, AbortController>();
  private subscriber: RedisClient | undefined;
  private connection: RedisClient | undefined;
  private stopping = false;

  constructor(private readonly options: RunWorkersOptions) {
    this.slots = new Semaphore(options.concurrency);
  }

  /** Runs in progress in this process, by run id. */
  get active(): string[] {
    return [...this.running.keys()];
  }

  async start(): Promise<void> {
    const { redis, clusters, perClusterConcurrency } = this.options;
    this.connection = createRedis(redis, 'worker');
    for (const cluster of clusters) {
      const worker = new Worker(runQueueName(cluster), (job, token, signal) => this.process(job, token, signal), {
        connection: this.connection,
        prefix: redis.prefix,
        concurrency: Math.min(perClusterConcurrency, this.options.concurrency),
        stalledInterval: this.options.stalledIntervalMs ?? 30_000,
        lockDuration: this.options.lockDurationMs ?? 30_000,
        maxStalledCount: 2,
        autorun: false,
        ...(this.options.name ? { name: this.options.name } : {}),
      });
      worker.on('error', () => undefined);
      this.workers.push(worker);
    }
    // The cap is the queue's, in Redis: every process sets the same value, so the last start wins harmlessly.
    await Promise.all(
      this.workers.map(async (worker) => {
        const queue = new Queue(worker.name, { connection: this.connection as RedisClient, prefix: redis.prefix });
        try {
          await queue.setGlobalConcurrency(perClusterConcurrency);
        } finally {
          await queue.close();
        }
      }),
    );
    this.subscriber = createRedis(redis, 'subscriber');
    this.subscriber.on('message', (_channel: string, text: string) => {
      const message = parseCancel(text);
      if (message) this.running.get(message.runId)?.abort(new RunCancelledError(message.by));
    });
    await this.subscriber.subscribe(cancelChannel(redis.prefix));
    for (const worker of this.workers) void worker.run();
  }

  /**
   * Stops taking runs, lets the running ones finish for `graceMs`, then hands the rest back to the queue (another
   * worker picks them up) and closes every connection.
   */
  async close(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const closing = Promise.allSettled(this.workers.map((worker) => worker.close()));
    const timer = setTimeout(() => {
      for (const controller of this.running.values()) controller.abort(new WorkerShutdownError());
    }, graceMs);
    timer.unref();
    await closing;
    clearTimeout(timer);
    if (this.subscriber) await closeRedis(this.subscriber);
    if (this.connection) await closeRedis(this.connection);
  }

  private async process(job: Job, token: string | undefined, bullSignal: AbortSignal | undefined): Promise<void> {
    const parsed = RunJobSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`job ${job.id} is not a run: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    const run = parsed.data;
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    bullSignal?.addEventListener('abort', () => controller.abort(new RunCancelledError()), { once: true });
    const release = await this.slots.acquire(controller.signal);
    const timeoutSeconds = Math.round(this.options.runTimeoutMs / 1000);
    const timer = setTimeout(() => controller.abort(new RunTimeoutError(timeoutSeconds)), this.options.runTimeoutMs);
    timer.unref();
    this.running.set(run.request.runId, controller);
    const attempts = job.opts.attempts ?? 1;
    const attempt: RunAttempt = { number: job.attemptsMade + 1, last: job.attemptsMade + 1 >= attempts };
    try {
      if (this.stopping) throw new WorkerShutdownError();
      await this.options.handler(run, controller.signal, attempt);
    } catch (thrown) {
      const error = controller.signal.aborted ? abortReason(controller.signal) : asQuorumError(thrown);
      if (error instanceof WorkerShutdownError && token) {
        // Handed back without using up an attempt: the run did not fail, this worker left.
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      const quorumError = asQuorumError(error);
      if (!quorumError.retryable) throw new UnrecoverableError(quorumError.message);
      throw quorumError;
    } finally {
      clearTimeout(timer);
      this.running.delete(run.request.runId);
      release();
    }
  }
}
