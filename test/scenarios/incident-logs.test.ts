/**
 * Incidents that only the components' own logs explain, diagnosed end to end through `diagnose()` (each scenario
 * file cites the public reports its log lines come from), and clusters whose logs hold nothing to act on.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { oneClusterConfig } from '../../src/config/one-cluster-config.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnosis-report.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { Finding } from '../../src/findings/finding.js';
import { renderText } from '../../src/render/render-text.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { expectCauseFirst, problems, under } from './incident-helpers.js';

const SCENARIOS = ['scheduler-rbac-forbidden', 'controller-manager-cert-expired', 'healthy', 'healthy-noisy'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const quoted = (finding: Finding | undefined) =>
  (finding?.evidence ?? []).filter((item) => /^\d+× /.test(item.label)).map((item) => item.value);

describe('incidents the component logs explain, diagnosed end to end', () => {
  const simulators = new Map<ScenarioName, RunningSimulator>();

  beforeAll(async () => {
    const started = await Promise.all(SCENARIOS.map((scenario) => startSimulator({ scenario })));
    SCENARIOS.forEach((scenario, index) => simulators.set(scenario, started[index] as RunningSimulator));
  });
  afterAll(async () => {
    await Promise.allSettled([...simulators.values()].map((simulator) => simulator.stop()));
  });

  function run(scenario: ScenarioName, playbook: string): Promise<DiagnosisReport> {
    const simulator = simulators.get(scenario) as RunningSimulator;
    return diagnose(oneClusterConfig({ kube: { kubeconfig: simulator.kubeconfigPath } }), { playbook });
  }

  describe('a scheduler that runs but is refused every list by RBAC (kubernetes-sigs/kubespray#11134)', () => {
    let report: DiagnosisReport;
    beforeAll(async () => {
      report = await run('scheduler-rbac-forbidden', 'scheduler-pending');
    });

    it('names the refusal in its logs as the cause, with the pods nobody tried under it', () => {
      const refusal = expectCauseFirst(
        report,
        {
          check: 'control-plane.logs',
          title: /^kube-scheduler cannot list pods, statefulsets and 1 more: RBAC forbidden \(1\d\d times in 10m\)$/,
        },
        [
          {
            check: 'scheduler.pending-pods',
            title:
              /^2 pods Pending for up to 9m \d+s with no scheduling attempt, though "default-scheduler" is served$/,
          },
        ],
      );
      expect(refusal.about).toEqual({ component: 'kube-scheduler' });
      expect(refusal.signals).toEqual(['logs.rbac-forbidden']);
      expect(under(report, refusal)[0]?.explainedBy?.[0]).toMatchObject({
        rule: 'rbac-forbidden-scheduler-unattempted',
        because: 'because kube-scheduler is refused pods by RBAC',
      });
      expect(problems(report)).toHaveLength(2);
    });

    it('quotes the pattern with its count, first and last seen, and says what to run', () => {
      const [refusal] = report.findings;
      expect(refusal?.evidence[0]).toEqual({
        label: 'logged by',
        value: 'kube-scheduler-cp-1 (cp-1), kube-scheduler-cp-2 (cp-2), kube-scheduler-cp-3 (cp-3)',
      });
      expect(refusal?.evidence).toContainEqual({
        label: 'forbidden',
        value:
          'list pods (cluster scope), list statefulsets.apps (cluster scope), list poddisruptionbudgets.policy (cluster scope)',
      });
      const pods = quoted(refusal).find((value) => value.includes('*v1.Pod'));
      expect(pods).toMatch(
        /^"vendor\/k8s\.io\/client-go\/informers\/factory\.go:150: Failed to watch \*v1\.Pod: failed to list \*v1\.Pod: pods is forbidden: User "system:kube-scheduler" cannot list resource "pods" in API group "" at the cluster scope" \(first 1\dm \d+s ago, last \d+s ago\)$/,
      );
      expect(refusal?.evidence.find((item) => item.value === pods)?.label).toMatch(/^\d+× error$/);
      expect(refusal?.recommendation).toMatch(
        /^`kubectl auth can-i list pods --as system:kube-scheduler` must answer yes\./,
      );
      expect(refusal?.recommendation).toContain('ClusterRoleBinding and ClusterRole `system:kube-scheduler`');
      expect(refusal?.recommendation).toContain('rbac.authorization.kubernetes.io/autoupdate');
    });

    it('reads the scheduler’s logs only because pods wait without any event, and says so', () => {
      const [refusal] = report.findings;
      expect(refusal?.evidence.at(-1)).toEqual({
        label: 'read because',
        value: '2 Pending pods have no FailedScheduling event: shop/web-7b9d6c5f8a-2hq9x, shop/web-7b9d6c5f8a-v5k2m',
      });
      const lines = renderText(report, { width: 200 }).split('\n');
      expect(lines[2]).toBe(report.rootCause.text);
      expect(lines[2]).toMatch(
        /^Most likely cause: kube-scheduler cannot list pods, statefulsets and 1 more: RBAC forbidden/,
      );
    });
  });

  describe('a controller manager whose API server’s certificate expired (rancher/rancher#41776, rancher/rancher#8457)', () => {
    let report: DiagnosisReport;
    beforeAll(async () => {
      report = await run('controller-manager-cert-expired', 'control-plane-health');
    });

    it('names the expired certificate in its logs as the cause, with the lost lease and the leader change under it', () => {
      const expired = expectCauseFirst(
        report,
        {
          check: 'control-plane.logs',
          title:
            /^kube-controller-manager and kube-scheduler on cp-2 cannot verify the API server's certificate at 10\.0\.0\.12:6443: expired 9m \d+s ago \(1\d\d times in 10m\)$/,
        },
        [
          { check: 'leases.leader', title: /^kube-controller-manager leader changed 8m \d+s ago \(now cp-1\)$/ },
          {
            check: 'control-plane.logs',
            title: /^kube-controller-manager on cp-2 lost its leader lease \(once in 10m\)$/,
          },
        ],
      );
      expect(expired.about).toEqual({ component: 'kube-apiserver', instance: 'kube-apiserver-cp-2', node: 'cp-2' });
      expect(expired.signals).toEqual(['logs.certificate-expired']);
      expect(under(report, expired).map((finding) => finding.explainedBy?.[0]?.because)).toEqual([
        "because kube-apiserver-cp-2's certificate expired and TLS to it fails",
        "because kube-apiserver-cp-2's certificate expired and TLS to it fails",
      ]);
      expect(problems(report)).toHaveLength(3);
    });

    it('quotes the x509 error, names the server and its pod, and says how kubeadm renews it', () => {
      const [expired] = report.findings;
      expect(expired?.evidence).toContainEqual({
        label: 'server',
        value: 'the API server at 10.0.0.12:6443: kube-apiserver-cp-2 on cp-2',
      });
      expect(expired?.evidence.find((item) => item.label === 'certificate')?.value).toMatch(
        /^expired 9m \d+s ago \(notAfter \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$/,
      );
      expect(quoted(expired)).toEqual([
        expect.stringMatching(
          /^"k8s\.io\/client-go\/informers\/factory\.go:134: Failed to watch \*v1\.Service: failed to list \*v1\.Service: Get "https:\/\/10\.0\.0\.12:6443\/api\/v1\/services\?resourceVersion=958884887": x509: certificate has expired or is not yet valid: current time \S+ is after \S+" \(first 9m \d+s ago, last \d+s ago\)$/,
        ),
        expect.stringMatching(
          /Failed to list \*v1\.ReplicationController: .*x509: certificate has expired or is not yet valid"/,
        ),
      ]);
      expect(expired?.recommendation).toMatch(
        /^On cp-2: `kubeadm certs check-expiration`, then `kubeadm certs renew apiserver`/,
      );
      // The controller manager's restart is information: the certificate is what to fix.
      expect(
        report.findings.find((finding) => finding.title.startsWith('kube-controller-manager-cp-2'))?.severity,
      ).toBe('info');
    });
  });

  describe.each(['healthy', 'healthy-noisy'] as const)('the %s cluster', (scenario) => {
    it.each(['control-plane-health', 'scheduler-pending'])(
      'has nothing above info in its logs with %s',
      async (playbook) => {
        const report = await run(scenario, playbook);
        expect(problems(report)).toEqual([]);
        const logs = report.findings.filter((finding) => finding.check === 'control-plane.logs');
        expect(logs.length).toBeGreaterThan(0);
        expect(logs.every((finding) => finding.severity === 'ok' || finding.severity === 'info')).toBe(true);
      },
    );

    it('says in one ok line that the clean logs are clean', async () => {
      const report = await run(scenario, 'control-plane-health');
      const ok = report.findings.filter(
        (finding) => finding.check === 'control-plane.logs' && finding.severity === 'ok',
      );
      expect(ok.map((finding) => finding.title)).toEqual([
        `No errors in the logs of ${scenario === 'healthy' ? 12 : 10} control-plane pods in the last 10m`,
      ]);
      const info = report.findings.filter(
        (finding) => finding.check === 'control-plane.logs' && finding.severity === 'info',
      );
      expect(info.map((finding) => finding.title)).toEqual(
        scenario === 'healthy'
          ? []
          : [
              'etcd on cp-3: requests took too long to apply (3 times in 10m, up to 103 ms, expected under 100 ms)',
              'kube-apiserver on cp-1 logged 10 error lines in 10m (1 pattern)',
            ],
      );
    });
  });
});
