import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { oneClusterConfig } from '../../src/config/one-cluster-config.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { Proposal } from '../../src/findings/finding.js';
import { fillToNospace, seedRegistry } from '../../src/sandbox/etcd-seed.js';
import { startEtcdCluster, type EtcdCluster } from '../../src/sandbox/services/index.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { runCli } from '../cli/run-cli.js';

const QUOTA = 16 * 1024 * 1024;

describe('etcd-db-growth against a real 3-member etcd in NOSPACE', () => {
  let etcd: EtcdCluster;
  let simulator: RunningSimulator;

  beforeAll(async () => {
    [etcd, simulator] = await Promise.all([
      startEtcdCluster({ members: 3, quotaBytes: QUOTA }),
      startSimulator({ scenario: 'etcd-db-growth' }),
    ]);
    await seedRegistry(etcd.endpoints);
    await fillToNospace(etcd.endpoints);
  });
  afterAll(async () => {
    await Promise.allSettled([etcd?.stop(), simulator?.stop()]);
  });

  it('puts the NOSPACE alarm and the member over quota first, with the recovery plan as proposals', async () => {
    const config = oneClusterConfig({
      kube: { kubeconfig: simulator.kubeconfigPath },
      etcd: { endpoints: [etcd.endpoints[1] as string], quotaBytes: QUOTA },
    });
    const began = Date.now();
    const report = await diagnose(config, { playbook: 'etcd-db-growth', params: { windowSeconds: 1 } });
    const tookSeconds = (Date.now() - began) / 1000;
    const [top, second] = report.findings;
    expect(top?.check).toBe('etcd.space');
    expect(top?.severity).toBe('critical');
    expect(top?.title).toMatch(/^etcd out of space: etcd-\d at \d+% of its 16\.0 MiB quota, NOSPACE alarm raised$/);
    expect(second).toMatchObject({ check: 'etcd.alarms', severity: 'critical' });
    expect(second?.title).toMatch(/^etcd NOSPACE alarm: writes refused/);

    const proposals = top?.proposals ?? [];
    expect(proposals.map((proposal) => proposal.action)).toEqual(['etcd.compact', 'etcd.defrag', 'etcd.disarm']);
    const defrag = proposals[1] as Extract<Proposal, { action: 'etcd.defrag' }>;
    expect(defrag.members).toHaveLength(3);
    expect(defrag.members.map((member) => member.role)).toEqual(['follower', 'follower', 'leader']);
    expect(defrag.expectedReclaimBytes).toBeGreaterThan(QUOTA);
    const members = top?.data?.members as Array<{ fragmentation: number }>;
    for (const member of members) expect(member.fragmentation).toBeGreaterThan(0.5);

    const keyspace = report.findings.find((finding) => finding.check === 'etcd.keyspace');
    expect(keyspace?.evidence[0]?.label).toBe('/registry/events/');
    // A 1-second wait between two readings, each dated at the middle of its request: at least the wait, at most the run.
    const growth = report.findings.find((finding) => finding.check === 'etcd.revision-growth')?.summary ?? '';
    const measured = Number(/Measured over (\d+\.\d) s/.exec(growth)?.[1]);
    expect(measured).toBeGreaterThanOrEqual(1);
    expect(measured).toBeLessThanOrEqual(tookSeconds + 0.05);
  });

  it('prints the documented JSON and exits 2 from the command line', async () => {
    const result = await runCli([
      'diagnose',
      'etcd-db-growth',
      '--cluster',
      'lab-1',
      '--kubeconfig',
      simulator.kubeconfigPath,
      '--etcd-endpoints',
      etcd.endpoints.join(','),
      '--etcd-quota-bytes',
      String(QUOTA),
      '--param',
      'windowSeconds=1',
      '--format',
      'json',
    ]);
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as Record<string, unknown> & { findings: Array<Record<string, unknown>> };
    expect(Object.keys(report).slice(0, 5)).toEqual(['playbook', 'cluster', 'startedAt', 'finishedAt', 'findings']);
    expect(report.playbook).toBe('etcd-db-growth');
    expect(report.cluster).toBe('lab-1');
    expect(report.runId).toMatch(/^r-[a-z0-9]+-[0-9a-f]{8}$/);
    expect(report.trigger).toMatchObject({ kind: 'cli' });
    expect(report.params).toEqual({ windowSeconds: 1 });
    expect(report.apiServer).toBe(simulator.url);
    for (const finding of report.findings) {
      expect(Object.keys(finding)).toEqual(
        expect.arrayContaining(['check', 'severity', 'title', 'summary', 'evidence', 'recommendation']),
      );
    }
    expect(result.stderr).toMatch(/✓ etcd\.space \(\d+ ms\)/);
  });
});
