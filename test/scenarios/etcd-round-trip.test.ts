import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCheckRegistry } from '../../src/checks/all-checks.js';
import { createKubeReader, type ClosableKubeReader } from '../../src/cluster/create-kube-reader.js';
import { oneClusterConfig } from '../../src/config/one-cluster-config.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { createEtcdReader } from '../../src/etcd/etcd3-reader.js';
import type { Finding } from '../../src/findings/finding.js';
import { findPlaybook, loadPlaybooks } from '../../src/playbooks/load-playbooks.js';
import { runPlaybook } from '../../src/playbooks/run-playbook.js';
import type { EtcdReader } from '../../src/ports/etcd-reader.js';
import { startEtcdCluster, type EtcdCluster, type LatencyProxy } from '../../src/sandbox/services/index.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';

interface MemberRow {
  name: string;
  medianMs: number | null;
  slow: boolean;
}

/** A member slowed for real: its advertised client URL is a proxy that holds every chunk this long each way. */
const DELAY_MS = 90;

describe('etcd.round-trip against a real 3-member etcd with one member behind a latency proxy', () => {
  let etcd: EtcdCluster;
  let healthy: RunningSimulator;
  let latency: LatencyProxy;

  beforeAll(async () => {
    [etcd, healthy] = await Promise.all([
      startEtcdCluster({ members: 3, latencyProxies: ['etcd-2'] }),
      startSimulator({ scenario: 'healthy' }),
    ]);
    latency = etcd.member('etcd-2').latency as LatencyProxy;
  });
  afterAll(async () => {
    await Promise.allSettled([etcd?.stop(), healthy?.stop()]);
  });

  // One endpoint, as an operator gives it: the others, the slow one's proxy included, come from the member list.
  const config = () =>
    oneClusterConfig({
      kube: { kubeconfig: healthy.kubeconfigPath },
      etcd: { endpoints: [etcd.member('etcd-1').clientUrl] },
    });
  const roundTrip = (findings: readonly Finding[]) => findings.find((finding) => finding.check === 'etcd.round-trip');

  it('is ok on the checklist when every member is fast, with each member and the API server in the details', async () => {
    latency.setDelay(0);
    const report = await diagnose(config(), { playbook: 'control-plane-health' });
    const finding = roundTrip(report.findings);
    expect(finding?.severity).toBe('ok');
    expect(finding?.title).toMatch(
      /^etcd round trip [\d.–]+ ms median per member, none much slower than the others \(API server [\d.]+ ms\)$/,
    );
    expect(finding?.evidence.map((item) => item.label)).toEqual([
      'etcd-1',
      'etcd-2',
      'etcd-3',
      'API server (GET /version)',
      'method',
    ]);
    const rows = finding?.data?.members as MemberRow[];
    expect(rows.map((row) => [row.name, row.slow])).toEqual([
      ['etcd-1', false],
      ['etcd-2', false],
      ['etcd-3', false],
    ]);
    const problems = report.findings.filter((item) => item.severity === 'warning' || item.severity === 'critical');
    expect(problems.map((item) => `${item.check}: ${item.title}`)).toEqual([]);
  });

  it('names the slow member on the checklist and quotes its figures against the others', async () => {
    latency.setDelay(DELAY_MS);
    try {
      const report = await diagnose(config(), { playbook: 'control-plane-health' });
      const finding = roundTrip(report.findings);
      expect(finding).toMatchObject({
        severity: 'warning',
        about: { component: 'etcd', instance: 'etcd-2' },
        signals: ['etcd.member-slow'],
      });
      expect(finding?.title).toMatch(
        /^etcd member etcd-2 answers much slower than the others: etcd-2: median \d+ ms, max \d+ ms; others [\d.–]+ ms$/,
      );
      const rows = finding?.data?.members as MemberRow[];
      const slow = rows.find((row) => row.name === 'etcd-2');
      // Request and answer are each held DELAY_MS.
      expect(slow?.medianMs).toBeGreaterThanOrEqual(2 * DELAY_MS - 5);
      expect(rows.filter((row) => row.slow).map((row) => row.name)).toEqual(['etcd-2']);
      // Slow is not down: the member-health check still finds every member healthy.
      expect(report.findings.find((item) => item.check === 'etcd.member-health')?.severity).toBe('ok');
    } finally {
      latency.setDelay(0);
    }
  });

  describe('on the apiserver-latency playbook', () => {
    let clock = Date.parse('2026-11-24T03:00:00Z');
    let simulator: RunningSimulator;
    let kube: ClosableKubeReader;
    let reader: EtcdReader;

    beforeAll(async () => {
      simulator = await startSimulator({ scenario: 'apiserver-latency', now: () => clock });
      kube = createKubeReader({ kubeconfigPath: simulator.kubeconfigPath });
      reader = createEtcdReader({ endpoints: [etcd.member('etcd-1').clientUrl] });
    });
    afterAll(async () => {
      kube?.close();
      await reader?.close();
      await simulator?.stop();
    });

    it('puts the slow member first, as what explains the slow API server', async () => {
      latency.setDelay(DELAY_MS);
      try {
        const registry = createCheckRegistry();
        const playbook = findPlaybook(
          await loadPlaybooks(join(process.cwd(), 'playbooks'), registry),
          'apiserver-latency',
        );
        const report = await runPlaybook(
          playbook,
          registry,
          { kube, etcd: reader },
          {
            run: { runId: 'r-slow-member', cluster: 'sim' },
            params: { windowSeconds: 60 },
            now: () => new Date(clock),
            // The metrics window passes on the simulator's clock (and the round trips' spacing with it).
            sleep: async (ms) => {
              clock += ms;
            },
          },
        );
        const cause = roundTrip(report.findings);
        expect(cause?.title).toMatch(/^etcd member etcd-2 answers much slower than the others: etcd-2: median \d+ ms/);
        const slowApiserver = report.findings.filter(
          (finding) =>
            finding.about?.component === 'kube-apiserver' &&
            (finding.signals?.includes('apiserver.slow') || finding.signals?.includes('apiserver.etcd-slow')),
        );
        expect(slowApiserver.map((finding) => finding.check)).toEqual(
          expect.arrayContaining(['apiserver.flow-control', 'apiserver.etcd-latency']),
        );
        for (const symptom of slowApiserver) {
          expect(symptom.explainedBy?.[0]).toEqual({
            id: cause?.id,
            rule: 'slow-etcd-member-slows-apiserver',
            because: 'because etcd member etcd-2 answers much slower than the others',
          });
        }
        // The slow webhook is a problem of its own; the slow member comes first and takes the API server's with it.
        expect(report.rootCause.text).toMatch(/^Several independent problems: etcd member etcd-2 answers much slower/);
        expect(report.findings[0]).toBe(cause);
      } finally {
        latency.setDelay(0);
      }
    });
  });
});
