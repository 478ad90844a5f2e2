import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigSchema, type ClusterConfigInput } from '../../src/config/config-schema.js';
import { oneClusterConfig } from '../../src/config/one-cluster-config.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnosis-report.js';
import type { Finding } from '../../src/findings/finding.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { runCli } from '../cli/run-cli.js';
import {
  apiserverTarget,
  etcdTarget,
  startEtcd,
  startPrometheus,
  type EtcdService,
  type PrometheusService,
} from '../helpers/services.js';

/**
 * Every playbook diagnosed with a real Prometheus (Debian's 2.42) set, from config to report. One Prometheus scrapes
 * three simulated clusters every second, told apart by a `cluster` label as a shared Prometheus (or Thanos, Mimir)
 * does: "a" in the middle of an API server slowdown, "b" healthy, "d" with a kubelet whose client certificate expires
 * in 3 days. The simulators' metrics advance with the real clock, so
 * Prometheus sees real increases; the latency window needs `rangeSeconds` of scrapes, which the first tests use to
 * run the playbooks that only need Prometheus to answer.
 */
const RANGE_SECONDS = 30;

const couldNotCheck = (report: DiagnosisReport): string[] =>
  report.findings
    .filter((finding) => finding.title.startsWith('Could not check'))
    .map((finding) => `${finding.check}: ${finding.summary}`);

const worse = (findings: readonly Finding[]): string[] =>
  findings
    .filter((finding) => finding.severity === 'critical' || finding.severity === 'warning')
    .map((finding) => `${finding.check}: ${finding.title}`);

describe('playbooks with a real Prometheus holding several clusters', () => {
  let slow: RunningSimulator;
  let healthy: RunningSimulator;
  let expiring: RunningSimulator;
  let etcd: EtcdService;
  let prometheus: PrometheusService;

  beforeAll(async () => {
    [slow, healthy, expiring, etcd] = await Promise.all([
      startSimulator({ scenario: 'apiserver-latency' }),
      startSimulator({ scenario: 'healthy' }),
      startSimulator({ scenario: 'client-certificates-expiring' }),
      startEtcd(),
    ]);
    prometheus = await startPrometheus({
      targets: [
        apiserverTarget(slow, { cluster: 'a' }),
        apiserverTarget(healthy, { cluster: 'b' }),
        apiserverTarget(expiring, { cluster: 'd' }),
        etcdTarget(etcd.metricsUrl, { cluster: 'a' }),
      ],
    });
    await prometheus.waitForScrapes('', 1, { timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await Promise.allSettled([prometheus?.stop(), slow?.stop(), healthy?.stop(), expiring?.stop(), etcd?.stop()]);
  });

  function cluster(simulator: RunningSimulator, selector?: string): ClusterConfigInput {
    return {
      kube: { kubeconfig: simulator.kubeconfigPath },
      etcd: { endpoints: [...etcd.endpoints] },
      prometheus: { url: prometheus.url, rangeSeconds: RANGE_SECONDS, ...(selector ? { selector } : {}) },
    };
  }
  function config(simulator: RunningSimulator, prometheusConfig: { selector?: string } = {}) {
    return oneClusterConfig(cluster(simulator, prometheusConfig.selector));
  }

  describe('playbooks that only need Prometheus to answer', () => {
    it('control-plane-health finds nothing worse than info on the healthy cluster', async () => {
      const report = await diagnose(config(healthy, { selector: 'cluster="b"' }), { playbook: 'control-plane-health' });
      expect(couldNotCheck(report)).toEqual([]);
      expect(worse(report.findings)).toEqual([]);
      expect(report.findings.find((finding) => finding.check === 'etcd.member-health')?.severity).toBe('ok');
    });

    it('etcd-db-growth reads the member, its quota and its keys', async () => {
      const report = await diagnose(config(healthy, { selector: 'cluster="b"' }), {
        playbook: 'etcd-db-growth',
        params: { windowSeconds: 1 },
      });
      expect(couldNotCheck(report)).toEqual([]);
      expect(report.findings.find((finding) => finding.check === 'etcd.space')?.severity).toBe('ok');
      expect(report.findings.find((finding) => finding.check === 'etcd.alarms')?.severity).toBe('ok');
    });

    it('scheduler-pending finds the pods no scheduler serves', async () => {
      const pending = await startSimulator({ scenario: 'scheduler-pending' });
      try {
        const report = await diagnose(config(pending, { selector: 'cluster="c"' }), { playbook: 'scheduler-pending' });
        expect(couldNotCheck(report)).toEqual([]);
        expect(report.findings[0]?.title).toBe('1 pod waits for scheduler "my-custom-scheduler", which nothing runs');
      } finally {
        await pending.stop();
      }
    });
  });

  describe('apiserver-latency, once Prometheus holds a whole window', () => {
    let a: DiagnosisReport;
    let b: DiagnosisReport;
    let mixed: DiagnosisReport;

    beforeAll(async () => {
      // A sample at each end of the range: `increase(…[30s])` then covers the whole range.
      await prometheus.waitForScrapes('job="apiserver"', RANGE_SECONDS + 2, { timeoutMs: 90_000 });
      // One config, as a shared Prometheus is configured: each cluster's selector picks its API servers' series.
      const shared = ConfigSchema.parse({
        clusters: {
          a: cluster(slow, 'cluster="a",job="apiserver"'),
          b: cluster(healthy, 'cluster="b"'),
          'b-unselected': cluster(healthy),
        },
        defaultCluster: 'a',
      });
      [a, b, mixed] = await Promise.all(
        ['a', 'b', 'b-unselected'].map((name) => diagnose(shared, { playbook: 'apiserver-latency', cluster: name })),
      );
    }, 120_000);

    const find = (report: DiagnosisReport, check: string) => report.findings.find((finding) => finding.check === check);

    it('reads every latency check from PromQL, with nothing left unchecked', () => {
      for (const report of [a, b, mixed]) expect(couldNotCheck(report)).toEqual([]);
      expect([a, b, mixed].map((report) => report.cluster)).toEqual(['a', 'b', 'b-unselected']);
    });

    it('runs from the command line: the Prometheus probe accepts the scalar a real Prometheus answers to `1`', async () => {
      const args = [
        'diagnose',
        'apiserver-latency',
        '--kubeconfig',
        healthy.kubeconfigPath,
        '--prometheus-url',
        prometheus.url,
        '--format',
        'json',
      ];
      const selected = await runCli([...args, '--prometheus-selector', 'cluster="b"']);
      expect(selected.stderr).not.toMatch(/Prometheus/);
      expect(selected.code).toBe(0);
      const unselected = await runCli(args);
      // Without the selector, cluster a's rejections are summed into b's numbers: critical, exit 2.
      expect(unselected.code).toBe(2);
    });

    it('names cluster a\u2019s causes, as the scrape window does', () => {
      const critical = a.findings.filter((finding) => finding.severity === 'critical').map((finding) => finding.title);
      expect(critical).toEqual(
        expect.arrayContaining([expect.stringContaining('rejecting requests at priority level workload-low')]),
      );
      expect(find(a, 'apiserver.admission-webhooks')?.title).toMatch(
        /^Slow admission webhook validation\.gatekeeper\.sh: p99 /,
      );
      expect(find(a, 'apiserver.etcd-latency')?.title).toMatch(/^Slow etcd list .*events/);
      expect(['warning', 'critical']).toContain(find(a, 'apiserver.etcd-latency')?.severity);
      expect(find(a, 'apiserver.inflight')?.title).toBe(
        'Priority level workload-low at 100% of its seats (245 of 245)',
      );
      expect(find(a, 'apiserver.object-counts')?.title).toMatch(/^events/);
    });

    it('measures latency over the range, without WATCH or CONNECT, and says which series it read', () => {
      const latency = find(a, 'apiserver.request-latency');
      const rows = latency?.data?.rows as Array<{ verb: string; requests: number }>;
      expect(latency?.data?.windowSeconds).toBe(RANGE_SECONDS);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => row.verb !== 'WATCH' && row.verb !== 'CONNECT')).toBe(true);
      expect(latency?.evidence.find((item) => item.label === 'measured from')?.value).toBe(
        `Prometheus ${prometheus.url}/ (range ${RANGE_SECONDS}s, selector {cluster="a",job="apiserver"})`,
      );
    });

    it('reads the client-certificate histogram from PromQL with each cluster’s selector', async () => {
      const [d, b] = await Promise.all([
        diagnose(config(expiring, { selector: 'cluster="d"' }), { playbook: 'certificates' }),
        diagnose(config(healthy, { selector: 'cluster="b"' }), { playbook: 'certificates' }),
      ]);
      const histogram = (report: DiagnosisReport) => find(report, 'apiserver.client-certificates');
      expect(histogram(d)).toMatchObject({
        severity: 'critical',
        title: expect.stringMatching(
          new RegExp(
            `^API clients present certificates that expire within 7 days: \\d+ requests in the last ${RANGE_SECONDS}s$`,
          ),
        ),
      });
      expect(histogram(d)?.evidence.find((item) => item.label === 'measured from')?.value).toBe(
        `Prometheus ${prometheus.url}/ (increase over ${RANGE_SECONDS}s, selector {cluster="d"})`,
      );
      expect(histogram(b)?.severity).toBe('ok');
      expect(histogram(b)?.title).toMatch(
        /^No client certificate expiring within 30 days \(\d+ requests in the last 30s\)$/,
      );
    });

    it('finds no latency problem on the healthy cluster b through its selector', () => {
      expect(worse(b.findings)).toEqual([]);
      expect(find(b, 'apiserver.flow-control')?.severity).toBe('ok');
      expect(find(b, 'apiserver.inflight')?.title).toBe('In-flight requests well below the limits');
    });

    it('mixes both clusters into b\u2019s report without a selector: the selector is what keeps them apart', () => {
      expect(find(mixed, 'apiserver.flow-control')?.title).toContain(
        'rejecting requests at priority level workload-low',
      );
      expect(find(mixed, 'apiserver.inflight')?.title).toBe(
        'Priority level workload-low at 100% of its seats (245 of 245)',
      );
      const requests = (report: DiagnosisReport) =>
        (find(report, 'apiserver.request-latency')?.data?.rows as Array<{ requests: number }>).reduce(
          (sum, row) => sum + row.requests,
          0,
        );
      expect(requests(mixed)).toBeGreaterThan(requests(b));
      expect(
        find(mixed, 'apiserver.request-latency')?.evidence.find((item) => item.label === 'measured from')?.value,
      ).toContain('no selector: every series it holds');
    });
  });
});
