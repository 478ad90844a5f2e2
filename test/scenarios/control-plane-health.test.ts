import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { oneClusterConfig } from '../../src/config/one-cluster-config.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { worstSeverity, type Finding } from '../../src/findings/finding.js';
import { startEtcdCluster, type EtcdCluster } from '../../src/sandbox/services/index.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { problems } from './incident-helpers.js';

function critical(findings: readonly Finding[]): string[] {
  return findings.filter((finding) => finding.severity === 'critical').map((finding) => finding.title);
}

describe('control-plane-health against the simulator and a real 3-member etcd', () => {
  let etcd: EtcdCluster;
  let degraded: RunningSimulator;
  let healthy: RunningSimulator;

  beforeAll(async () => {
    [etcd, degraded, healthy] = await Promise.all([
      startEtcdCluster({ members: 3 }),
      startSimulator({ scenario: 'control-plane-degraded' }),
      startSimulator({ scenario: 'healthy' }),
    ]);
  });
  afterAll(async () => {
    await Promise.allSettled([etcd?.stop(), degraded?.stop(), healthy?.stop()]);
  });

  function config(simulator: RunningSimulator, endpoints: readonly string[] = [etcd.endpoints[0] as string]) {
    return oneClusterConfig({ kube: { kubeconfig: simulator.kubeconfigPath }, etcd: { endpoints: [...endpoints] } });
  }

  it('names the failing readyz check, the stale lease and the crash-looping controller manager first', async () => {
    const report = await diagnose(config(degraded), { playbook: 'control-plane-health' });
    const top = report.findings[0];
    expect(top?.severity).toBe('critical');
    const titles = critical(report.findings);
    expect(titles).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^API server \/readyz failing: .*etcd/),
        expect.stringMatching(/^kube-scheduler has no active leader: lease last renewed \dm \d+s ago by cp-\d$/),
        expect.stringMatching(
          /^kube-controller-manager-cp-\d is crash-looping: restarted about \d+ times in the last 1h 0m \(\d+ in all\), last exit Error \(exit 1\)$/,
        ),
      ]),
    );
    // Nothing healthy is called critical: etcd is fine in this scenario.
    expect(titles.some((title) => title.startsWith('etcd'))).toBe(false);
    expect(report.findings.find((finding) => finding.check === 'etcd.member-health')?.severity).toBe('ok');
    const crash = report.findings.find((finding) => /crash-looping/.test(finding.title));
    expect(crash?.evidence.some((item) => item.label.startsWith('log ('))).toBe(true);
    expect(JSON.stringify(report)).not.toMatch(/Bearer\s+(?!\[REDACTED\])[A-Za-z0-9._-]{8,}/);
    expect(report.findings.find((finding) => finding.check === 'nodes.conditions')?.title).toMatch(/NotReady/);
  });

  it('finds nothing worse than info on a healthy cluster', async () => {
    const report = await diagnose(config(healthy), { playbook: 'control-plane-health' });
    expect(problems(report).map((finding) => `${finding.check}: ${finding.title}`)).toEqual([]);
    expect(worstSeverity(report.findings)).not.toBe('critical');
  });

  it('reports a stopped member as down and the others healthy, without hanging', async () => {
    await etcd.stopMember('etcd-2');
    try {
      const began = Date.now();
      const report = await diagnose(config(healthy, etcd.endpoints), { playbook: 'control-plane-health' });
      expect(Date.now() - began).toBeLessThan(30_000);
      const members = report.findings.find((finding) => finding.check === 'etcd.member-health');
      expect(members?.severity).toBe('critical');
      expect(members?.title).toBe('etcd member etcd-2 is down (2 of 3 members healthy)');
      expect(report.findings[0]).toBe(members);
      const state = (members?.data?.members as Array<{ name: string; up: boolean; healthy: boolean }>).map((member) => [
        member.name,
        member.up,
        member.healthy,
      ]);
      expect(state).toEqual([
        ['etcd-1', true, true],
        ['etcd-2', false, false],
        ['etcd-3', true, true],
      ]);
    } finally {
      await etcd.startMember('etcd-2');
    }
  });
});
