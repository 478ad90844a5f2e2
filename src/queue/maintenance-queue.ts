import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisClient } from '../core/redis-client.js';
import { z } from 'zod';
import { ApprovalIdSchema } from '../approvals/approval-record.js';
import type { RedisConfig } from '../config/config-schema.js';
import { asQuorumError } from '../core/errors.js';
import { closeWithin } from './close-within.js';
import { closeRedis, createRedis } from './redis-connection.js';
import { QueueUnavailableError } from './run-queues.js';

/**
 * A maintenance job names an approval and nothing else: the executor reads (and consumes) the approval record
 * itself, so a forged or replayed job carries no authority of its own.
 */
export const MaintenanceJobSchema = z.strictObject({
  approvalId: ApprovalIdSchema,
  cluster: z.string().min(1),
});
export type MaintenanceJob = z.infer<typeof MaintenanceJobSchema>;

/** The executor's queue for one cluster, apart from the diagnostics' run queues. */
export function maintenanceQueueName(cluster: string): string {
  return `maintenance.${cluster}`;
}

/**
 * The producer side (the bot, once an approval is complete). The job id is the approval id: a second enqueue of the
 * same approval (a replayed click, a Slack retry) adds nothing. One attempt only: a maintenance is never retried
 * automatically; a failure is reported and a person decides.
 */
export class MaintenanceQueue {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly options: { connection: RedisClient; prefix: string }) {}

  private queue(cluster: string): Queue {
    let queue = this.queues.get(cluster);
    if (!queue) {
      queue = new Queue(maintenanceQueueName(cluster), {
        connection: this.options.connection,
        prefix: this.options.prefix,
      });
      queue.on('error', () => undefined);
      this.queues.set(cluster, queue);
    }
    return queue;
  }

  /** @throws QueueUnavailableError when Redis cannot take it. */
  async enqueue(job: MaintenanceJob): Promise<'queued' | 'exists'> {
    const queue = this.queue(job.cluster);
    try {
      if (await queue.getJob(job.approvalId)) return 'exists';
      await queue.add('maintenance', job, {
        jobId: job.approvalId,
        attempts: 1,
        removeOnComplete: { age: 7 * 24 * 3_600, count: 1_000 },
        removeOnFail: { age: 30 * 24 * 3_600, count: 1_000 },
      });
      return 'queued';
    } catch (error) {
      throw new QueueUnavailableError(error);
    }
  }

  /** Jobs of a cluster's queue by state, for tests and metrics. */
  counts(cluster: string): Promise<Record<string, number>> {
    return this.queue(cluster).getJobCounts();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((queue) => closeWithin(queue)));
    this.queues.clear();
  }
}

/** Runs one maintenance job; it must honour `signal` (shutdown). */
export type MaintenanceHandler = (job: MaintenanceJob, signal: AbortSignal) => Promise<void>;

export interface MaintenanceWorkersOptions {
  redis: RedisConfig;
  clusters: readonly string[];
  handler: MaintenanceHandler;
  /** How often jobs of a dead executor are looked for (ms). @defaultValue 30000 */
  stalledIntervalMs?: number;
  /** A job's lock lasts this long without renewal (ms). @defaultValue 30000 */
  lockDurationMs?: number;
  name?: string;
}

/**
 * The consumer side, in the executor: one job at a time per cluster (worker concurrency 1, and the queue's global
 * concurrency 1 across every executor process). The per-cluster lock with its fencing token (cluster-lock.ts) is the
 * guarantee; this only keeps executors from queueing up on it. A job whose executor died comes back once (stalled),
 * so that the next executor can report the interrupted record rather than leave it "executing" forever.
 */
export class MaintenanceWorkers {
  private readonly workers: Worker[] = [];
  private connection: RedisClient | undefined;
  private readonly running = new Set<AbortController>();

  constructor(private readonly options: MaintenanceWorkersOptions) {}

  async start(): Promise<void> {
    const { redis } = this.options;
    this.connection = createRedis(redis, 'worker');
    for (const cluster of this.options.clusters) {
      const worker = new Worker(maintenanceQueueName(cluster), (job) => this.process(job), {
        connection: this.connection,
        prefix: redis.prefix,
        concurrency: 1,
        stalledInterval: this.options.stalledIntervalMs ?? 30_000,
        lockDuration: this.options.lockDurationMs ?? 30_000,
        maxStalledCount: 1,
        autorun: false,
        ...(this.options.name ? { name: this.options.name } : {}),
      });
      worker.on('error', () => undefined);
      this.workers.push(worker);
      const queue = new Queue(maintenanceQueueName(cluster), { connection: this.connection, prefix: redis.prefix });
      try {
        await queue.setGlobalConcurrency(1);
      } finally {
        await queue.close();
      }
    }
    for (const worker of this.workers) void worker.run();
  }

  private async process(job: Job): Promise<void> {
    const parsed = MaintenanceJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`job ${job.id} is not a maintenance job`);
    const controller = new AbortController();
    this.running.add(controller);
    try {
      await this.options.handler(parsed.data, controller.signal);
    } catch (error) {
      // Never retried: the record says where it stopped, and a person decides what next.
      throw new UnrecoverableError(asQuorumError(error).message);
    } finally {
      this.running.delete(controller);
    }
  }

  /** Stops taking jobs; a running maintenance is asked to stop at its next step after `graceMs`. */
  async close(graceMs = 30_000): Promise<void> {
    const closing = Promise.allSettled(this.workers.map((worker) => worker.close()));
    const timer = setTimeout(() => {
      for (const controller of this.running) controller.abort(new Error('the executor is shutting down'));
    }, graceMs);
    timer.unref();
    await closing;
    clearTimeout(timer);
    if (this.connection) await closeRedis(this.connection);
  }
}
