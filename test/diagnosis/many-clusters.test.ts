import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { DiagnosisService } from '../../src/diagnosis/diagnosis-service.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';

describe('one service, two clusters, concurrent runs', () => {
  let east: RunningSimulator;
  let west: RunningSimulator;
  let service: DiagnosisService;

  beforeAll(async () => {
    // Every request takes 100 ms, so concurrent runs pile up at the API server unless something caps them.
    [east, west] = await Promise.all([
      startSimulator({ scenario: 'control-plane-degraded', latencyMs: 100 }),
      startSimulator({ scenario: 'healthy', latencyMs: 100 }),
    ]);
    const config = ConfigSchema.parse({
      clusters: {
        'prod-east': { kube: { kubeconfig: east.kubeconfigPath, rateLimit: { maxConcurrent: 2 } } },
        'prod-west': { kube: { kubeconfig: west.kubeconfigPath } },
      },
      defaultCluster: 'prod-east',
    });
    service = await DiagnosisService.create(config);
  });
  afterAll(async () => {
    await service?.close();
    await Promise.allSettled([east?.stop(), west?.stop()]);
  });

  it('keeps each report to its own cluster and run id, and holds one cluster’s cap across all its runs', async () => {
    east.requests.clear();
    west.requests.clear();
    const reports = await Promise.all([
      service.run({ playbook: 'control-plane-health', runId: 'r-east-1', trigger: { kind: 'slack', by: 'U1' } }),
      service.run({ playbook: 'control-plane-health', cluster: 'prod-east', runId: 'r-east-2' }),
      service.run({ playbook: 'control-plane-health', cluster: 'prod-east', runId: 'r-east-3' }),
      service.run({ playbook: 'control-plane-health', cluster: 'prod-west', runId: 'r-west-1' }),
    ]);
    expect(reports.map((report) => [report.runId, report.cluster])).toEqual([
      ['r-east-1', 'prod-east'],
      ['r-east-2', 'prod-east'],
      ['r-east-3', 'prod-east'],
      ['r-west-1', 'prod-west'],
    ]);
    expect(reports[0]?.trigger).toEqual({ kind: 'slack', by: 'U1' });
    expect(reports[1]?.trigger).toEqual({ kind: 'api' });
    expect(reports.map((report) => report.apiServer)).toEqual([east.url, east.url, east.url, west.url]);
    // Each cluster's findings come from its own API server: the degraded one is critical, the healthy one is not.
    expect(reports[0]?.findings[0]?.severity).toBe('critical');
    expect(reports[3]?.findings.some((finding) => finding.severity === 'critical')).toBe(false);

    // Three runs against prod-east never had more than its cap of two requests in flight together...
    expect(east.requests.total).toBeGreaterThan(20);
    expect(east.requests.maxInFlight).toBe(2);
    // ... while prod-west, with its own limiter, was not held to prod-east's cap.
    expect(west.requests.maxInFlight).toBeGreaterThan(2);
    expect(service.limiterLoad('prod-east')).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses an unknown cluster before connecting anywhere, naming the configured ones', async () => {
    const before = east.requests.total + west.requests.total;
    await expect(service.run({ playbook: 'control-plane-health', cluster: 'prod-wset' })).rejects.toThrow(
      'Unknown cluster "prod-wset". Did you mean "prod-west"? Configured clusters: prod-east, prod-west.',
    );
    await expect(service.run({ playbook: 'etcd-growth' })).rejects.toThrow(
      /Unknown playbook "etcd-growth"\. Did you mean "etcd-db-growth"\?/,
    );
    await expect(service.run({ playbook: 'apiserver-latency', params: { windowSecond: 5 } })).rejects.toThrow(
      /no parameter "windowSecond"\. Did you mean windowSeconds\?/,
    );
    expect(east.requests.total + west.requests.total).toBe(before);
  });
});
