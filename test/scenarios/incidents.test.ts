/**
 * Incidents shaped after public reports (each scenario file cites its own), diagnosed end to end through
 * `diagnose()`: the simulator serves the Kubernetes side, a real 3-member etcd named as kubeadm names stacked
 * members (after their nodes) serves the etcd side.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { oneClusterConfig } from '../../src/config/one-cluster-config.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnosis-report.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { renderBlocks } from '../../src/render/render-blocks.js';
import { renderJson } from '../../src/render/render-json.js';
import { renderText } from '../../src/render/render-text.js';
import { startEtcdCluster, type EtcdCluster } from '../../src/sandbox/services/index.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { expectCauseFirst, problems, under } from './incident-helpers.js';

const SCENARIOS = [
  'etcd-member-down',
  'apiserver-oom',
  'scheduler-no-leader',
  'control-plane-node-not-ready',
  'healthy-noisy',
] as const;
type ScenarioName = (typeof SCENARIOS)[number];

describe('incidents shaped after public reports, diagnosed end to end', () => {
  let etcd: EtcdCluster;
  const simulators = new Map<ScenarioName, RunningSimulator>();

  beforeAll(async () => {
    const [cluster, ...started] = await Promise.all([
      startEtcdCluster({ names: ['cp-1', 'cp-2', 'cp-3'] }),
      ...SCENARIOS.map((scenario) => startSimulator({ scenario })),
    ]);
    etcd = cluster;
    SCENARIOS.forEach((scenario, index) => simulators.set(scenario, started[index] as RunningSimulator));
  });
  afterAll(async () => {
    await Promise.allSettled([etcd?.stop(), ...[...simulators.values()].map((simulator) => simulator.stop())]);
  });

  function run(scenario: ScenarioName, playbook = 'control-plane-health', withEtcd = true): Promise<DiagnosisReport> {
    const simulator = simulators.get(scenario) as RunningSimulator;
    return diagnose(
      oneClusterConfig({
        kube: { kubeconfig: simulator.kubeconfigPath },
        ...(withEtcd ? { etcd: { endpoints: [etcd.endpoints[0] as string] } } : {}),
      }),
      { playbook },
    );
  }

  describe('one etcd member down, its pod crash-looping on a damaged WAL (etcd-io/etcd#11488)', () => {
    let report: DiagnosisReport;
    beforeAll(async () => {
      await etcd.stopMember('cp-2');
      try {
        report = await run('etcd-member-down');
      } finally {
        await etcd.startMember('cp-2');
      }
    });

    it('ranks the member first, with its pod, the API server it breaks and the failing probes under it', () => {
      const member = expectCauseFirst(
        report,
        { check: 'etcd.member-health', title: /^etcd member cp-2 is down \(2 of 3 members healthy\)$/ },
        [
          { check: 'apiserver.health', title: /^API server \/livez failing: etcd$/ },
          { check: 'apiserver.health', title: /^API server \/readyz failing: etcd, etcd-readiness$/ },
          {
            check: 'control-plane.pods',
            title:
              /^etcd-cp-2 is crash-looping: restarted about \d+ times in the last 1h 0m \(14 in all\), last exit Error \(exit 1\)$/,
          },
          {
            check: 'control-plane.pods',
            title:
              /^kube-apiserver-cp-2 restarted about \d+ times in the last 1h 0m \(7 in all\), last exit Error \(exit 137, SIGKILL\)$/,
          },
        ],
      );
      expect(member.about).toEqual({ component: 'etcd', instance: 'cp-2' });
      const readyz = under(report, member).find((finding) => finding.title.startsWith('API server /readyz'));
      expect(readyz?.explainedBy?.[0]).toMatchObject({
        rule: 'etcd-fails-apiserver-etcd-check',
        because: 'because etcd member cp-2 is down',
      });
      const pod = under(report, member).find((finding) => finding.title.startsWith('etcd-cp-2'));
      expect(pod?.evidence.find((item) => item.label.startsWith('log ('))?.value).toContain('walpb: crc mismatch');
    });

    it('points at the member process, logs and disk, and not at flags and certificates', () => {
      const [member] = report.findings;
      expect(member?.summary).toMatch(/^member cp-2 is down: status failed: connection refused \(/);
      expect(member?.summary).not.toMatch(/Check .*endpoints|client certificates \(/);
      expect(member?.summary).not.toContain('?.');
      const advice = member?.recommendation ?? '';
      expect(advice).toMatch(/^Member cp-2 \(127\.0\.0\.1\) refuses connections while cp-1, cp-3 answer/);
      for (const words of ['crictl ps -a --name etcd', 'crictl logs', 'df -h /var/lib/etcd', 'wal: crc mismatch'])
        expect(advice).toContain(words);
      expect(advice).toContain('certificates and flags are not the problem');
    });

    it('keeps the noise below the cause: restarts lost to the reboot are information, the healthy members ok', () => {
      const restartedByReboot = report.findings.filter((finding) =>
        /last exit Unknown \(exit 255\)$/.test(finding.title),
      );
      expect(restartedByReboot.map((finding) => [finding.title.split(' ')[0], finding.severity])).toEqual([
        ['kube-controller-manager-cp-2', 'info'],
        ['kube-scheduler-cp-2', 'info'],
      ]);
      expect(
        report.findings.find(
          (finding) => finding.check === 'leases.leader' && finding.about?.component === 'kube-scheduler',
        )?.severity,
      ).toBe('ok');
    });

    it('shows the grouping in the terminal and in Slack, and carries rootCause and explainedBy in JSON', () => {
      const text = renderText(report, { width: 200 });
      const lines = text.split('\n');
      expect(lines[2]).toBe(report.rootCause.text);
      const memberLine = lines.findIndex((line) => line.startsWith('✖ CRIT  etcd member cp-2 is down (2 of 3'));
      const readyzLine = lines.findIndex((line) => line.startsWith('✖ CRIT  ↳ API server /readyz failing: etcd'));
      expect(memberLine).toBe(4);
      expect(readyzLine).toBeGreaterThan(memberLine);
      expect(lines[readyzLine + 1]?.trim()).toBe('because etcd member cp-2 is down');

      const [main] = renderBlocks(report);
      const sections = (main?.blocks ?? []).flatMap((block) =>
        block.type === 'section' && 'text' in block && block.text ? [block.text.text] : [],
      );
      expect(sections[0]).toBe(`*${report.rootCause.text}*`);
      const causeAt = sections.findIndex((section) => section.includes('*etcd member cp-2 is down (2 of 3'));
      const symptomAt = sections.findIndex(
        (section) => section.startsWith('↳ ') && section.includes('/readyz failing'),
      );
      expect(causeAt).toBeGreaterThan(0);
      expect(symptomAt).toBeGreaterThan(causeAt);
      expect(sections[symptomAt]).toContain('_because etcd member cp-2 is down_');

      const json = JSON.parse(renderJson(report)) as {
        rootCause: { kind: string; findingIds: string[] };
        findings: Array<{ id: string; explainedBy?: Array<{ id: string; rule: string }> }>;
      };
      expect(json.rootCause).toMatchObject({ kind: 'cause', findingIds: ['etcd.member-health'] });
      const linked = json.findings.filter((finding) => finding.explainedBy?.[0]?.id === 'etcd.member-health');
      expect(linked.length).toBe(4);
    });
  });

  describe('an API server OOMKilled hundreds of times (kubernetes/kubernetes#98423, #96082)', () => {
    it('is critical and first, says OOMKilled and why in the operator’s terms, with the leader change under it', async () => {
      const report = await run('apiserver-oom');
      const oom = expectCauseFirst(
        report,
        {
          check: 'control-plane.pods',
          title:
            /^kube-apiserver-cp-1 restarted about \d+ times in the last 1h 0m \(714 in all\), last exit OOMKilled \(exit 137\)$/,
        },
        [{ check: 'leases.leader', title: /^kube-controller-manager leader changed \dm \d+s ago \(now cp-3\)$/ }],
      );
      expect(oom.signals).toEqual(['component.crashlooping', 'component.oom-killed']);
      expect(oom.evidence).toContainEqual({ label: 'memory', value: 'limit 2Gi, request 1Gi' });
      expect(oom.recommendation).toMatch(/watch cache .*--watch-cache-sizes/);
      expect(oom.recommendation).toMatch(/unpaginated LISTs/);
      expect(oom.recommendation).toMatch(/--max-requests-inflight/);
      expect(oom.recommendation).not.toMatch(/reach the API server/);
      // The lifetime count alone is history: old restarts elsewhere stay below warning.
      const others = problems(report).filter((finding) => finding !== oom && !under(report, oom).includes(finding));
      expect(others.map((finding) => `${finding.severity} ${finding.check}`)).toEqual(['warning control-plane.events']);
    });
  });

  describe('a scheduler with no leader (CentaurusInfra/arktos#1123, rackerlabs/spot#268)', () => {
    it('names the RBAC refusal in the scheduler logs, with the stale lease and the Pending pods nobody tried under it', async () => {
      const report = await run('scheduler-no-leader', 'scheduler-pending', false);
      const refusal = expectCauseFirst(
        report,
        {
          check: 'control-plane.logs',
          title: /^kube-scheduler cannot get leases: RBAC forbidden \(\d+ times in 10m\)$/,
        },
        [
          {
            check: 'leases.leader',
            title: /^kube-scheduler has no active leader: lease last renewed 18m \d+s ago by cp-2$/,
          },
          {
            check: 'scheduler.pending-pods',
            title: /^3 pods never attempted: scheduler "default-scheduler" has no active leader$/,
            by: 'leases.leader',
          },
        ],
      );
      expect(refusal.about).toEqual({ component: 'kube-scheduler' });
      expect(refusal.evidence).toContainEqual({
        label: 'forbidden',
        value: 'get leases.coordination.k8s.io in kube-system',
      });
      expect(refusal.recommendation).toContain(
        '`kubectl auth can-i get leases.coordination.k8s.io -n kube-system --as system:kube-scheduler`',
      );
      const lease = under(report, refusal).find((finding) => finding.check === 'leases.leader');
      expect(lease?.about).toEqual({ component: 'kube-scheduler', node: 'cp-2' });
      expect(lease?.explainedBy?.[0]).toMatchObject({
        rule: 'rbac-forbidden-lease',
        because: 'because kube-scheduler is refused leases by RBAC',
      });
      expect(problems(report)).toHaveLength(3);
      // Every scheduler pod runs: one restarted when the leader lost its lease, which is information, not the cause.
      expect(report.findings.find((finding) => finding.title.startsWith('kube-scheduler-cp-2'))?.severity).toBe('info');
    });
  });

  describe('a control-plane node NotReady with PLEG trouble (kubernetes/kubernetes#45419)', () => {
    it('does not count the pods on it ready, and puts them under the node', async () => {
      const report = await run('control-plane-node-not-ready');
      const node = expectCauseFirst(
        report,
        { check: 'nodes.conditions', title: /^Control-plane node cp-3 NotReady: PLEG is not healthy$/ },
        ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((component) => ({
          check: 'control-plane.pods',
          title: new RegExp(`^${component}-cp-3 is not ready: its node cp-3 is NotReady$`),
        })),
      );
      expect(node.about).toEqual({ component: 'node', instance: 'cp-3' });
      expect(node.signals).toEqual(['node.not-ready']);
      expect(node.evidence).toContainEqual({
        label: 'node Lease',
        value: expect.stringMatching(/^renewed \d+s ago \(grace 40s\)$/),
      });
      expect(report.findings.find((finding) => /running and ready$/.test(finding.title))?.title).toBe(
        '8 control-plane pods running and ready',
      );
      expect(problems(report)).toHaveLength(5);
    });
  });

  describe('a healthy but noisy cluster', () => {
    it.each(['control-plane-health', 'scheduler-pending'])('reports nothing above info with %s', async (playbook) => {
      const report = await run('healthy-noisy', playbook, playbook === 'control-plane-health');
      expect(problems(report).map((finding) => `${finding.check}: ${finding.title}`)).toEqual([]);
      expect(report.rootCause).toEqual({ kind: 'none', text: 'No problem found', findingIds: [] });
      // Lifetime restarts are shown, as history.
      const history = report.findings.filter(
        (finding) => finding.severity === 'info' && /since it started/.test(finding.title),
      );
      expect(history.length).toBeGreaterThan(0);
      for (const finding of history) expect(finding.recommendation).toMatch(/^Nothing to do now/);
    });
  });
});
