import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { RedisClient } from '../../src/core/redis-client.js';
import { RedisConfigSchema, type RedisConfig } from '../../src/config/config-schema.js';
import { QuorumError, ErrorCode, RunCancelledError, RunTimeoutError } from '../../src/core/errors.js';
import { newRunId } from '../../src/diagnosis/run-request.js';
import { closeRedis, createRedis } from '../../src/queue/redis-connection.js';
import { publishCancel } from '../../src/queue/run-cancels.js';
import type { RunJob } from '../../src/queue/run-job.js';
import { RunQueues } from '../../src/queue/run-queues.js';
import { RunWorkers, type RunHandler } from '../../src/queue/run-workers.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { startRedis, type RedisService } from '../helpers/services.js';

function job(cluster: string, playbook = 'control-plane-health'): RunJob {
  return {
    request: {
      runId: newRunId(),
      cluster,
      playbook,
      params: {},
      trigger: { kind: 'api' },
      requestedAt: new Date().toISOString(),
    },
  };
}

/** A handler that records what it ran and holds each run until told to let go (or its signal fires). */
function heldHandler() {
  const started: string[] = [];
  const finished: string[] = [];
  const outcome = new Map<string, unknown>();
  const releases = new Map<string, () => void>();
  let concurrent = new Map<string, number>();
  const peak = new Map<string, number>();
  const handler: RunHandler = async (run, signal) => {
    const cluster = run.request.cluster;
    started.push(run.request.runId);
    concurrent.set(cluster, (concurrent.get(cluster) ?? 0) + 1);
    peak.set(cluster, Math.max(peak.get(cluster) ?? 0, concurrent.get(cluster) ?? 0));
    try {
      await new Promise<void>((resolve, reject) => {
        releases.set(run.request.runId, resolve);
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
      finished.push(run.request.runId);
    } catch (error) {
      outcome.set(run.request.runId, error);
      throw error;
    } finally {
      concurrent.set(cluster, (concurrent.get(cluster) ?? 1) - 1);
    }
  };
  return {
    handler,
    started,
    finished,
    outcome,
    peak,
    release: (runId: string) => releases.get(runId)?.(),
    releaseAll: () => {
      for (const release of releases.values()) release();
    },
    reset: () => {
      concurrent = new Map();
    },
  };
}

describe('run queues and workers on a real Redis', () => {
  let redis: RedisService;
  let config: RedisConfig;
  let connection: RedisClient;
  const open: Array<{ close: () => Promise<void> }> = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.allSettled(open.splice(0).map((item) => item.close()));
    if (connection) await closeRedis(connection);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  function setup(prefix = `{t${randomUUID().slice(0, 8)}}`) {
    config = RedisConfigSchema.parse({ url: redis.url, prefix });
    connection = createRedis(config, 'request');
    const queues = new RunQueues({ connection, prefix, backoffMs: 50 });
    open.push(queues);
    return queues;
  }

  function workers(
    handler: RunHandler,
    clusters: string[],
    extra: Partial<ConstructorParameters<typeof RunWorkers>[0]> = {},
  ) {
    const started = new RunWorkers({
      redis: config,
      clusters,
      concurrency: 8,
      perClusterConcurrency: 2,
      runTimeoutMs: 60_000,
      handler,
      stalledIntervalMs: 1_000,
      lockDurationMs: 2_000,
      ...extra,
    });
    open.push({ close: () => started.close(0) });
    return started;
  }

  it('never runs more than the per-cluster cap at once across two worker processes, and other clusters are not held up', async () => {
    const queues = setup();
    const held = heldHandler();
    const first = workers(held.handler, ['east', 'west']);
    const second = workers(held.handler, ['east', 'west']);
    await Promise.all([first.start(), second.start()]);
    const east = Array.from({ length: 6 }, () => job('east'));
    const west = job('west');
    for (const run of east) await queues.enqueue(run);
    await waitUntil(() => held.started.length >= 2, { what: 'two east runs to start', timeoutMs: 10_000 });
    await queues.enqueue(west);
    // west starts while east is at its cap: a busy cluster does not hold up another.
    await waitUntil(() => held.started.includes(west.request.runId), {
      what: 'the west run to start',
      timeoutMs: 10_000,
    });
    expect(held.peak.get('east')).toBe(2);
    // Let the east runs go one by one: each freed slot is taken by the next, never more than two at once.
    for (let done = 0; done < east.length; done += 1) {
      await waitUntil(() => held.started.filter((id) => id !== west.request.runId).length > done, {
        what: `east run ${done + 1} to start`,
        timeoutMs: 10_000,
      });
      held.release(held.started.filter((id) => id !== west.request.runId)[done] as string);
    }
    held.release(west.request.runId);
    await waitUntil(() => held.finished.length === 7, { what: 'every run to finish', timeoutMs: 15_000 });
    expect(held.peak.get('east')).toBe(2);
  });

  it('queues a run once however often it is asked for', async () => {
    const queues = setup();
    const run = job('east');
    expect(await queues.enqueue(run)).toEqual({ kind: 'queued', jobId: run.request.runId });
    expect(await queues.enqueue(run)).toEqual({ kind: 'exists', jobId: run.request.runId });
    expect((await queues.counts()).east?.waiting).toBe(1);
  });

  it('cancels a running run through its signal, from another process, without retrying it', async () => {
    const queues = setup();
    const held = heldHandler();
    const started = workers(held.handler, ['east']);
    await started.start();
    const run = job('east');
    await queues.enqueue(run);
    await waitUntil(() => held.started.includes(run.request.runId), { what: 'the run to start', timeoutMs: 10_000 });
    expect(await publishCancel(connection, config.prefix, { runId: run.request.runId, by: 'U0ONCALL1' })).toBe(1);
    await waitUntil(() => held.outcome.has(run.request.runId), { what: 'the run to be cancelled', timeoutMs: 5_000 });
    expect(held.outcome.get(run.request.runId)).toBeInstanceOf(RunCancelledError);
    const bullJob = await queues.queue('east').getJob(run.request.runId);
    await waitUntil(async () => (await bullJob?.getState()) === 'failed', {
      what: 'the job to fail',
      timeoutMs: 5_000,
    });
    expect(held.started.filter((id) => id === run.request.runId)).toHaveLength(1);
  });

  it('removes a run that has not started', async () => {
    const queues = setup();
    const run = job('east');
    await queues.enqueue(run);
    expect(await queues.removeWaiting('east', run.request.runId)).toBe(true);
    expect(await queues.removeWaiting('east', run.request.runId)).toBe(false);
  });

  it('stops a run at its timeout', async () => {
    const queues = setup();
    const held = heldHandler();
    const started = workers(held.handler, ['east'], { runTimeoutMs: 300 });
    await started.start();
    const run = job('east');
    await queues.enqueue(run);
    await waitUntil(() => held.outcome.has(run.request.runId), { what: 'the run to time out', timeoutMs: 10_000 });
    expect(held.outcome.get(run.request.runId)).toBeInstanceOf(RunTimeoutError);
  });

  it('retries transient failures with backoff, and fails permanent ones at once', async () => {
    const queues = setup();
    const attempts = new Map<string, number[]>();
    const transient = job('east');
    const permanent = job('east');
    const started = workers(
      async (run, _signal, attempt) => {
        attempts.set(run.request.runId, [...(attempts.get(run.request.runId) ?? []), attempt.number]);
        if (run.request.runId === transient.request.runId && !attempt.last) {
          throw new QuorumError(ErrorCode.KubeTimeout, 'slow', { retryable: true });
        }
        if (run.request.runId === permanent.request.runId)
          throw new QuorumError(ErrorCode.Kubeconfig, 'bad kubeconfig');
      },
      ['east'],
    );
    await started.start();
    await queues.enqueue(transient);
    await queues.enqueue(permanent);
    const state = async (id: string) => (await queues.queue('east').getJob(id))?.getState();
    await waitUntil(async () => (await state(transient.request.runId)) === 'completed', {
      what: 'the transient run to succeed',
      timeoutMs: 10_000,
    });
    await waitUntil(async () => (await state(permanent.request.runId)) === 'failed', {
      what: 'the permanent failure',
      timeoutMs: 10_000,
    });
    expect(attempts.get(transient.request.runId)).toEqual([1, 2, 3]);
    expect(attempts.get(permanent.request.runId)).toEqual([1]);
  });

  it('hands unfinished runs back on shutdown, and another worker finishes them', async () => {
    const queues = setup();
    const held = heldHandler();
    const leaving = new RunWorkers({
      redis: config,
      clusters: ['east'],
      concurrency: 2,
      perClusterConcurrency: 2,
      runTimeoutMs: 60_000,
      handler: held.handler,
      stalledIntervalMs: 1_000,
      lockDurationMs: 2_000,
    });
    await leaving.start();
    const run = job('east');
    await queues.enqueue(run);
    await waitUntil(() => held.started.includes(run.request.runId), { what: 'the run to start', timeoutMs: 10_000 });
    await leaving.close(0);
    const taker = heldHandler();
    const staying = workers(taker.handler, ['east']);
    await staying.start();
    await waitUntil(() => taker.started.includes(run.request.runId), {
      what: 'another worker to take the run',
      timeoutMs: 10_000,
    });
    taker.release(run.request.runId);
    await waitUntil(
      async () => (await (await queues.queue('east').getJob(run.request.runId))?.getState()) === 'completed',
      { what: 'the run to complete', timeoutMs: 10_000 },
    );
  });
});
