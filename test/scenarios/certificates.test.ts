/**
 * Certificates diagnosed end to end through `diagnose()`: the simulator serves the Kubernetes side with a serving
 * certificate of the lifetime each test asks for, real etcd members serve theirs over TLS, and the checks read them
 * from real TLS handshakes, not from values written into a scenario.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClusterConfigInput } from '../../src/config/config-schema.js';
import { oneClusterConfig } from '../../src/config/one-cluster-config.js';
import { EtcdUnreachableError } from '../../src/core/errors.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnosis-report.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { Finding } from '../../src/findings/finding.js';
import { renderText } from '../../src/render/render-text.js';
import { expiredDaysAgo, validForDays } from '../../src/sandbox/pki/openssl-ca.js';
import {
  findFreePort,
  startEtcd,
  startEtcdCluster,
  type EtcdCluster,
  type EtcdService,
} from '../../src/sandbox/services/index.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { expectCauseFirst, problems } from './incident-helpers.js';

const CERTIFICATE_CHECKS = [
  'apiserver.serving-certificate',
  'kubeconfig.client-certificate',
  'etcd.certificates',
  'apiserver.client-certificates',
];
const NOT_AFTER = String.raw`notAfter \d{4}-\d\d-\d\dT\d\d:\d\dZ`;

const byCheck = (report: DiagnosisReport, check: string): Finding[] =>
  report.findings.filter((finding) => finding.check === check);

describe('certificates, read from real TLS handshakes', () => {
  const simulators: RunningSimulator[] = [];
  const etcds: Array<EtcdService | EtcdCluster> = [];
  let healthy: RunningSimulator;
  let threeDays: RunningSimulator;
  let expired: RunningSimulator;
  let admin: RunningSimulator;
  let clients: RunningSimulator;
  let etcdLongLived: EtcdService;
  let etcdThreeDays: EtcdService;
  let etcdExpired: EtcdService;
  let etcdOneExpired: EtcdCluster;

  beforeAll(async () => {
    [healthy, threeDays, expired, admin, clients] = await Promise.all([
      startSimulator({ scenario: 'healthy' }),
      startSimulator({ scenario: 'healthy', servingCertificate: validForDays(3) }),
      startSimulator({ scenario: 'healthy', servingCertificate: expiredDaysAgo(2) }),
      startSimulator({
        scenario: 'healthy',
        clientCertificate: {
          commonName: 'kubernetes-admin',
          organizations: ['system:masters'],
          lifetime: validForDays(5),
        },
      }),
      startSimulator({ scenario: 'client-certificates-expiring' }),
    ]);
    simulators.push(healthy, threeDays, expired, admin, clients);
    [etcdLongLived, etcdThreeDays, etcdExpired] = await Promise.all([
      startEtcd({ tls: true }),
      startEtcd({ tls: { servingCertificate: validForDays(3) } }),
      startEtcd({ tls: { servingCertificate: expiredDaysAgo(2) } }),
    ]);
    etcds.push(etcdLongLived, etcdThreeDays, etcdExpired);
    etcdOneExpired = await startEtcdCluster({
      names: ['cp-1', 'cp-2', 'cp-3'],
      tls: { memberServingCertificates: { 'cp-2': expiredDaysAgo(2) } },
    });
    etcds.push(etcdOneExpired);
  });
  afterAll(async () => {
    await Promise.allSettled([...simulators, ...etcds].map((service) => service.stop()));
  });

  function run(
    simulator: RunningSimulator,
    etcd: EtcdService | EtcdCluster | undefined,
    playbook = 'certificates',
  ): Promise<DiagnosisReport> {
    const cluster: ClusterConfigInput = {
      kube: { kubeconfig: simulator.kubeconfigPath },
      ...(etcd
        ? {
            etcd: {
              endpoints: [etcd.endpoints[0] as string],
              caFile: etcd.tls?.caFile,
              certFile: etcd.tls?.certFile,
              keyFile: etcd.tls?.keyFile,
            },
          }
        : {}),
    };
    return diagnose(oneClusterConfig(cluster), { playbook });
  }

  describe('an API server serving certificate that expires in 3 days', () => {
    it.each(['certificates', 'control-plane-health'])(
      'is the critical cause with %s, the days left quoted',
      async (playbook) => {
        const report = await run(threeDays, etcdLongLived, playbook);
        const cause = expectCauseFirst(
          report,
          {
            check: 'apiserver.serving-certificate',
            title: new RegExp(
              `^API server serving certificate expires in 2d 23h \\(CN=kube-apiserver, ${NOT_AFTER}\\)$`,
            ),
          },
          [],
        );
        expect(cause.about).toEqual({ component: 'kube-apiserver' });
        expect(cause.signals).toEqual(['certificate.expiring']);
        expect(cause.summary).toMatch(
          /^The serving certificate 127\.0\.0\.1:\d+ presents expires in 2d 23h: notAfter /,
        );
        expect(cause.evidence).toContainEqual({
          label: 'verified',
          value: expect.stringMatching(/^yes, against the kubeconfig's CA/),
        });
        expect(cause.recommendation).toMatch(/kubeadm certs renew apiserver/);
        expect(problems(report)).toEqual([cause]);
        const text = renderText(report, { width: 200 });
        expect(text).toContain(`Most likely cause: ${cause.title}`);
      },
    );
  });

  it('names a TLS etcd member whose serving certificate expires in 3 days', async () => {
    const report = await run(healthy, etcdThreeDays);
    const cause = expectCauseFirst(
      report,
      {
        check: 'etcd.certificates',
        title: new RegExp(
          `^etcd member quorum-etcd serving certificate expires in 2d 23h \\(CN=etcd, ${NOT_AFTER}\\)$`,
        ),
      },
      [],
    );
    expect(cause.about).toEqual({ component: 'etcd', instance: 'quorum-etcd' });
    expect(cause.recommendation).toMatch(/kubeadm certs renew etcd-server/);
    expect(problems(report)).toEqual([cause]);
  });

  it.each(['certificates', 'control-plane-health'])(
    'finds nothing above info on a cluster with long-lived certificates (%s)',
    async (playbook) => {
      const report = await run(healthy, etcdLongLived, playbook);
      expect(problems(report).map((finding) => `${finding.check}: ${finding.title}`)).toEqual([]);
      expect(report.rootCause).toEqual({ kind: 'none', text: 'No problem found', findingIds: [] });
      const titles = Object.fromEntries(
        CERTIFICATE_CHECKS.map((check) => [
          check,
          byCheck(report, check).map((finding) => `${finding.severity} ${finding.title}`),
        ]),
      );
      expect(titles).toEqual({
        'apiserver.serving-certificate': [
          expect.stringMatching(
            new RegExp(
              `^ok API server serving certificate valid for 82\\dd \\d+h \\(CN=kube-apiserver, ${NOT_AFTER}\\)$`,
            ),
          ),
        ],
        'kubeconfig.client-certificate': ['ok Kubeconfig uses no client certificate'],
        'etcd.certificates': [
          expect.stringMatching(/^ok etcd serving certificates valid for at least 36\dd \d+h \(1 member\)$/),
        ],
        'apiserver.client-certificates': [
          expect.stringMatching(
            /^ok No client certificate expiring within 30 days \([\d,]+ requests since the API server started\)$/,
          ),
        ],
      });
    },
  );

  describe('an API server serving certificate that expired 2 days ago', () => {
    it('is read all the same, and named as the cause of every read failing', async () => {
      const report = await run(expired, etcdLongLived);
      const [cause] = report.findings;
      expect(cause).toMatchObject({
        check: 'apiserver.serving-certificate',
        severity: 'critical',
        signals: ['certificate.expired'],
        title: expect.stringMatching(
          new RegExp(`^API server serving certificate expired 2d 0h ago \\(CN=kube-apiserver, ${NOT_AFTER}\\)$`),
        ),
      });
      expect(cause?.evidence).toContainEqual({ label: 'verified', value: 'no: CERT_HAS_EXPIRED' });
      expect(cause?.recommendation).toMatch(/^Every client that verifies it .* is refusing the API server right now/);
      expect(report.rootCause).toMatchObject({ kind: 'cause', text: `Most likely cause: ${cause?.title}` });
      // The real reads keep verifying: they fail, and say why and what to do.
      const histogram = byCheck(report, 'apiserver.client-certificates')[0];
      expect(histogram).toMatchObject({ severity: 'warning', about: { component: 'quorum' } });
      expect(histogram?.summary).toMatch(/has expired \(CERT_HAS_EXPIRED: .*\).*kubeadm certs renew apiserver/);
    });

    it('leads control-plane-health too: the API server looks unreachable because of it', async () => {
      const report = await run(expired, etcdLongLived, 'control-plane-health');
      expectCauseFirst(
        report,
        { check: 'apiserver.serving-certificate', title: /^API server serving certificate expired 2d 0h ago / },
        [{ check: 'apiserver.health', title: /^API server unreachable/ }],
      );
      expect(byCheck(report, 'apiserver.health')[0]?.explainedBy?.[0]?.rule).toBe(
        'expired-apiserver-certificate-clients-refuse',
      );
      const unread = report.findings.filter((finding) => finding.about?.component === 'quorum');
      expect(unread.map((finding) => finding.check)).toEqual(
        expect.arrayContaining([
          'leases.leader',
          'control-plane.pods',
          'nodes.conditions',
          'apiserver.client-certificates',
        ]),
      );
    });
  });

  describe('an etcd member whose serving certificate expired 2 days ago', () => {
    it('is the cause of that member being down, which no restart of etcd would fix', async () => {
      const report = await run(healthy, etcdOneExpired, 'control-plane-health');
      const cause = expectCauseFirst(
        report,
        {
          check: 'etcd.certificates',
          title: new RegExp(`^etcd member cp-2 serving certificate expired 2d 0h ago \\(CN=cp-2, ${NOT_AFTER}\\)$`),
        },
        [{ check: 'etcd.member-health', title: /^etcd member cp-2 is down \(2 of 3 members healthy\)$/ }],
      );
      expect(cause.about).toEqual({ component: 'etcd', instance: 'cp-2' });
      const member = byCheck(report, 'etcd.member-health')[0];
      expect(member?.explainedBy?.[0]).toMatchObject({
        rule: 'expired-certificate-member-unreachable',
        because: 'because etcd member cp-2 serves an expired certificate, which clients refuse',
      });
      expect(member?.summary).toMatch(/member cp-2 is down: .*serving certificate has expired or is not yet valid/);
    });

    it('is still read when no member answers, by the certificates playbook alone', async () => {
      const report = await run(healthy, etcdExpired);
      const [cause] = report.findings;
      expect(cause).toMatchObject({
        check: 'etcd.certificates',
        severity: 'critical',
        signals: ['certificate.expired'],
        title: expect.stringMatching(
          new RegExp(
            `^etcd member ${etcdExpired.clientUrl} serving certificate expired 2d 0h ago \\(CN=etcd, ${NOT_AFTER}\\)$`,
          ),
        ),
      });
      expect(report.rootCause.text).toBe(`Most likely cause: ${cause?.title}`);
      // control-plane-health needs answers: it stops, and the error says why.
      const failure = await run(healthy, etcdExpired, 'control-plane-health').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(EtcdUnreachableError);
      expect((failure as Error).message).toMatch(
        /serving certificate has expired or is not yet valid.*kubeadm certs renew etcd-server/,
      );
    });
  });

  it('names a kubeconfig client certificate that expires in 5 days, and reads with it meanwhile', async () => {
    const report = await run(admin, undefined);
    const cause = expectCauseFirst(
      report,
      {
        check: 'kubeconfig.client-certificate',
        title: new RegExp(
          `^Kubeconfig client certificate expires in 4d 23h \\(CN=kubernetes-admin, O=system:masters, ${NOT_AFTER}\\)$`,
        ),
      },
      [],
    );
    expect(cause.about).toEqual({ component: 'client', instance: 'kubernetes-admin' });
    expect(cause.recommendation).toMatch(/kubeadm certs renew admin\.conf/);
    // The simulator authenticated the certificate, as kube-apiserver does: /metrics was read with it.
    expect(byCheck(report, 'apiserver.client-certificates')[0]?.severity).toBe('ok');
    expect(problems(report)).toEqual([cause]);
  });

  it('reads the histogram from /metrics when the configured Prometheus does not answer, and keeps running', async () => {
    const nowhere = `http://127.0.0.1:${await findFreePort()}`;
    const config = oneClusterConfig({
      kube: { kubeconfig: clients.kubeconfigPath },
      prometheus: { url: nowhere, requestTimeoutMs: 2_000 },
    });
    const report = await diagnose(config, { playbook: 'certificates' });
    const histogram = byCheck(report, 'apiserver.client-certificates')[0];
    expect(histogram?.severity).toBe('critical');
    expect(histogram?.evidence.at(-1)).toEqual({
      label: 'measured from',
      value: "one scrape of the API server's /metrics (counts since it started)",
    });
    // A playbook whose checks need Prometheus still stops at it, as before.
    await expect(diagnose(config, { playbook: 'apiserver-latency' })).rejects.toThrow(nowhere);
  });

  it('counts the requests of clients whose certificates expire within 7 days (kubernetes/kubernetes#115648)', async () => {
    const report = await run(clients, undefined);
    const cause = expectCauseFirst(
      report,
      {
        check: 'apiserver.client-certificates',
        title:
          /^API clients present certificates that expire within 7 days: [\d,]+ requests since the API server started$/,
      },
      [],
    );
    expect(cause.about).toEqual({ component: 'client' });
    expect(cause.evidence.find((item) => item.label === 'expiring within 30 days')?.value).toMatch(/^[\d,]+ requests$/);
    expect(cause.recommendation).toMatch(/kubelet-client-current\.pem/);
    expect(problems(report)).toEqual([cause]);
  });
});
