/**
 * Resource usage end to end through `diagnose()`: the simulator serves the Kubernetes side (metrics.k8s.io or not),
 * a real etcd named after its node serves the etcd side and its own /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { oneClusterConfig } from '../../src/config/one-cluster-config.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnosis-report.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { Finding } from '../../src/findings/finding.js';
import { renderText } from '../../src/render/render-text.js';
import { startEtcd, type EtcdService } from '../../src/sandbox/services/index.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { problems, under } from './incident-helpers.js';

const SCENARIOS = ['etcd-memory-limit', 'no-metrics-server', 'healthy'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

describe('resource usage, diagnosed end to end', () => {
  let etcd: EtcdService;
  const simulators = new Map<ScenarioName, RunningSimulator>();
  const reports = new Map<ScenarioName, DiagnosisReport>();

  beforeAll(async () => {
    const [member, ...started] = await Promise.all([
      startEtcd({ name: 'cp-1' }),
      ...SCENARIOS.map((scenario) => startSimulator({ scenario })),
    ]);
    etcd = member;
    SCENARIOS.forEach((scenario, index) => simulators.set(scenario, started[index] as RunningSimulator));
    // One at a time: each run scrapes /metrics three times over its usage window.
    for (const scenario of SCENARIOS) {
      const simulator = simulators.get(scenario) as RunningSimulator;
      reports.set(
        scenario,
        await diagnose(
          oneClusterConfig({
            kube: { kubeconfig: simulator.kubeconfigPath },
            etcd: { endpoints: [etcd.clientUrl] },
          }),
          { playbook: 'control-plane-health' },
        ),
      );
    }
  });
  afterAll(async () => {
    await Promise.allSettled([etcd?.stop(), ...[...simulators.values()].map((simulator) => simulator.stop())]);
  });

  const report = (scenario: ScenarioName) => reports.get(scenario) as DiagnosisReport;
  const ofCheck = (scenario: ScenarioName, check: string): Finding[] =>
    report(scenario).findings.filter((finding) => finding.check === check);

  describe('etcd at 95 % of its 2Gi memory limit, OOMKilled once (etcd-io/etcd#16598)', () => {
    it('names the container near its limit as the cause, with the figure, and its OOM kill under it', () => {
      const top = report('etcd-memory-limit').findings[0] as Finding;
      expect(top).toMatchObject({
        check: 'control-plane.resource-usage',
        severity: 'warning',
        about: { component: 'etcd', instance: 'etcd-cp-1', node: 'cp-1' },
        title: 'etcd-cp-1/etcd memory at 1.9Gi of 2Gi limit (95 %): OOM kill risk',
      });
      expect(top.explainedBy).toBeUndefined();
      const [restart, ...rest] = under(report('etcd-memory-limit'), top);
      expect(rest).toEqual([]);
      expect(restart).toMatchObject({ check: 'control-plane.pods', about: { instance: 'etcd-cp-1' } });
      expect(restart?.title).toMatch(/^etcd-cp-1 .*OOMKilled \(exit 137\)/);
      expect(restart?.explainedBy?.[0]).toMatchObject({
        id: top.id,
        rule: 'memory-near-limit-oom-kills',
        because: 'because etcd-cp-1/etcd runs at 1.9Gi of its 2Gi limit, and crossing it gets it OOMKilled',
      });
      expect(report('etcd-memory-limit').rootCause).toEqual({
        kind: 'cause',
        text: 'Most likely cause: etcd-cp-1/etcd memory at 1.9Gi of 2Gi limit (95 %): OOM kill risk (explains 1 other finding)',
        findingIds: [top.id],
      });
      // Nothing else is wrong with this cluster.
      expect(problems(report('etcd-memory-limit'))).toEqual([top, restart]);
      const text = renderText(report('etcd-memory-limit'));
      expect(text).toContain('↳ etcd-cp-1 restarted');
    });

    it("reads the real etcd member's process figures and the API server's over the window", () => {
      const processes = ofCheck('etcd-memory-limit', 'control-plane.process-usage');
      // Ranked by the dependency order: etcd first.
      expect(processes.map((finding) => [finding.severity, finding.about])).toEqual([
        ['info', { component: 'etcd', instance: 'cp-1' }],
        ['info', { component: 'kube-apiserver' }],
      ]);
      const [member, apiserver] = processes;
      // The simulator's counter grows 0.168 s a second (168m over 2 s); each scrape is dated mid-request, give or take
      // the in-process simulator's lag on a busy event loop.
      expect(apiserver?.title).toMatch(
        /^kube-apiserver process: 907Mi resident \(stable\), heap 498Mi \(stable\), (1[3-9]\d|2[0-2]\d)m CPU, 2,873 goroutines$/,
      );
      // A real etcd: figures vary, their form does not.
      expect(member?.title).toMatch(
        /^etcd member cp-1 process: \d+(\.\d)?(Mi|Gi) resident \((stable|growing \d+ %\/min|shrinking \d+ %\/min)\), heap \d+(Mi|Ki) \(.+\), \d+m CPU, [\d,]+ goroutines/,
      );
      expect(member?.evidence).toContainEqual({
        label: 'measured from',
        // 2 s, plus half the difference between the first and the last scrape's time on a busy host.
        value: expect.stringMatching(/^3 scrapes of http:\/\/127\.0\.0\.1:\d+\/metrics over [23] s$/),
      });
    });
  });

  describe('a cluster without metrics-server', () => {
    it('finds nothing above info', () => {
      expect(problems(report('no-metrics-server'))).toEqual([]);
      expect(report('no-metrics-server').rootCause.kind).toBe('none');
    });

    it('says once, as information, that usage is unavailable and why', () => {
      const usage = ofCheck('no-metrics-server', 'control-plane.resource-usage');
      expect(usage).toHaveLength(1);
      expect(usage[0]).toMatchObject({
        severity: 'info',
        title: 'Resource usage unavailable: the cluster does not serve metrics.k8s.io (no metrics-server)',
      });
      expect(usage[0]?.evidence[0]?.value).toMatch(/answered 404\): metrics-server is not installed/);
      // The processes' own figures do not need metrics-server.
      expect(ofCheck('no-metrics-server', 'control-plane.process-usage').map((finding) => finding.severity)).toEqual([
        'info',
        'info',
      ]);
    });
  });

  it('a healthy cluster with metrics-server gets one ok line for usage', () => {
    const usage = ofCheck('healthy', 'control-plane.resource-usage');
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({
      severity: 'ok',
      title: 'Nodes below 90 % of allocatable, control-plane containers below 90 % of their memory limits',
    });
    expect(usage[0]?.evidence).toContainEqual({
      label: 'kube-apiserver-cp-1/kube-apiserver',
      value: '168m CPU, 907Mi (no memory limit)',
    });
    expect(problems(report('healthy'))).toEqual([]);
  });
});
