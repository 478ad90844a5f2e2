import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { defineCheck, type CheckDefinition } from '../../src/checks/check.js';
import { CheckRegistry } from '../../src/checks/registry.js';
import { createKubeReader, type LimitedKubeReader } from '../../src/cluster/create-kube-reader.js';
import { oneClusterConfig } from '../../src/config/one-cluster-config.js';
import { DiagnosisService } from '../../src/diagnosis/diagnosis-service.js';
import { PlaybookSchema } from '../../src/playbooks/playbook-schema.js';
import { runPlaybook } from '../../src/playbooks/run-playbook.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';

/**
 * Starts twelve reads at once (more than the limiter lets through, so some wait in its queue) and awaits them without
 * ever looking at its signal: only the runner's deadline and the readers bound to it can stop this check.
 */
const stubborn = defineCheck({
  id: 'test.stubborn',
  description: 'a check that ignores its signal',
  needs: ['kube'],
  args: z.object({}),
  async run({ kube }) {
    const reads = Array.from({ length: 12 }, async (_, index) => {
      if (index % 3 === 0) return kube.raw('/livez');
      for await (const pod of kube.pods({ namespace: `ns-${index}` })) void pod;
      return undefined;
    });
    await Promise.all(reads);
    return [];
  },
});

const playbook = PlaybookSchema.parse({
  id: 'stubborn',
  title: 'Stubborn',
  description: 'd',
  checks: [{ check: 'test.stubborn', timeoutSeconds: 0.5 }],
});

describe('cancellation against a hanging API server', () => {
  let simulator: RunningSimulator;
  let kube: LimitedKubeReader;

  beforeAll(async () => {
    simulator = await startSimulator({ scenario: 'healthy' });
  });
  afterEach(() => {
    simulator.clearFaults();
    kube?.close();
  });
  afterAll(async () => {
    await simulator?.stop();
  });

  it('ends a check that ignores its signal at its deadline, aborts its requests and frees the limiter', async () => {
    simulator.inject({ path: '/api/v1/namespaces/', hang: true });
    simulator.inject({ path: '/livez', hang: true });
    kube = createKubeReader({
      kubeconfigPath: simulator.kubeconfigPath,
      requestTimeoutMs: 60_000,
      rateLimit: { maxConcurrent: 4 },
    });
    const before = simulator.requests.total;
    const began = performance.now();
    const result = await runPlaybook(
      playbook,
      new CheckRegistry([stubborn] as CheckDefinition[]),
      { kube },
      {
        run: { runId: 'r-cancel-1', cluster: 'sim' },
      },
    );
    const tookMs = performance.now() - began;

    expect(result.findings[0]).toMatchObject({
      severity: 'warning',
      title: 'Could not check a check that ignores its signal',
    });
    expect(result.findings[0]?.summary).toMatch(/did not finish within/);
    // The run ended at the check's deadline (0.5 s), not at the 60 s request timeout.
    expect(tookMs).toBeLessThan(10_000);
    // Only the four requests the limiter let through reached the server; the eight queued behind them never left.
    const sent = simulator.requests.entries.slice(-(simulator.requests.total - before));
    expect(sent).toHaveLength(4);
    // ... and each of those was aborted by Quorum, not left hanging until the server gave up.
    await waitUntil(() => simulator.requests.inFlight === 0, {
      what: 'the server to see every request end',
      timeoutMs: 5_000,
      intervalMs: 10,
    }).catch(() => undefined);
    expect(sent.map((record) => record.abortedByClient)).toEqual([true, true, true, true]);
    expect(simulator.requests.inFlight).toBe(0);
    expect(kube.limiterLoad()).toEqual({ active: 0, waiting: 0 });
  });

  it('stops a whole run when its signal fires, and rejects with the reason', async () => {
    simulator.inject({ path: '/metrics', hang: true });
    const config = oneClusterConfig({ kube: { kubeconfig: simulator.kubeconfigPath } }, {}, 'sim');
    const service = await DiagnosisService.create(config);
    try {
      const controller = new AbortController();
      const running = service.run(
        { playbook: 'apiserver-latency', params: { windowSeconds: 30 } },
        { signal: controller.signal },
      );
      await simulator.requests.waitFor((record) => record.path.startsWith('/metrics'));
      const began = performance.now();
      controller.abort(new Error('cancelled by U0ONCALL1'));
      await expect(running).rejects.toThrow('cancelled by U0ONCALL1');
      expect(performance.now() - began).toBeLessThan(2_000);
      await waitUntil(() => simulator.requests.inFlight === 0, {
        what: 'the server to see every request end',
        timeoutMs: 5_000,
        intervalMs: 10,
      }).catch(() => undefined);
      expect(simulator.requests.inFlight).toBe(0);
      expect(
        simulator.requests.entries
          .filter((record) => record.path.startsWith('/metrics'))
          .every((record) => record.abortedByClient),
      ).toBe(true);
      expect(service.limiterLoad('sim')).toEqual({ active: 0, waiting: 0 });
    } finally {
      await service.close();
    }
  });
});
