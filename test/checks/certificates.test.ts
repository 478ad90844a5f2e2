import { describe, expect, it } from '@jest/globals';
import { apiserverClientCertificatesCheck } from '../../src/checks/apiserver-client-certificates.js';
import { apiserverServingCertificateCheck } from '../../src/checks/apiserver-serving-certificate.js';
import { judgeCertificate, withExpiryArgs } from '../../src/checks/certificate-expiry.js';
import { etcdCertificatesCheck } from '../../src/checks/etcd-certificates.js';
import { kubeconfigClientCertificateCheck } from '../../src/checks/kubeconfig-client-certificate.js';
import { EtcdUnreachableError } from '../../src/core/errors.js';
import type { CertificateInfo, ServingCertificates } from '../../src/ports/certificates.js';
import type { PrometheusReader, QueryResult } from '../../src/ports/prometheus-reader.js';
import { FakeEtcdReader, FakeKubeReader, checkContext } from './fake-readers.js';

const NOW = new Date('2026-12-02T03:12:00Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const at = (offsetMs: number): string => new Date(NOW.getTime() + offsetMs).toISOString();

/** A certificate valid from `from` to `until`, offsets from NOW in ms. */
function certificate(
  subject: string,
  from: number,
  until: number,
  extra: Partial<CertificateInfo> = {},
): CertificateInfo {
  return {
    subject,
    commonName: /^CN=([^,]*)/.exec(subject)?.[1],
    issuer: 'CN=kubernetes',
    notBefore: at(from),
    notAfter: at(until),
    subjectAltNames: ['DNS:kubernetes', 'IP Address:10.96.0.1'],
    serialNumber: '01',
    fingerprint256: `FP:${subject}:${until}`,
    isCA: false,
    selfSigned: false,
    ...extra,
  };
}

const ca = (until = 3650 * DAY): CertificateInfo =>
  certificate('CN=kubernetes', -365 * DAY, until, { issuer: 'CN=kubernetes', isCA: true, selfSigned: true });

function serving(chain: CertificateInfo[], extra: Partial<ServingCertificates> = {}): ServingCertificates {
  return {
    endpoint: '10.0.0.10:6443',
    chain,
    verified: true,
    verificationRequired: true,
    protocol: 'TLSv1.3',
    ...extra,
  };
}

const DEFAULTS = withExpiryArgs({}).parse({});

describe('judgeCertificate', () => {
  it.each([
    ['expired two days ago', -400 * DAY, -2 * DAY, 'critical', 'expired', 'expired 2d 0h ago', 'certificate.expired'],
    [
      'not valid for another three hours',
      3 * HOUR,
      365 * DAY,
      'critical',
      'not-yet-valid',
      'is not valid before 2026-12-02T06:12Z (in 3h 0m)',
      'certificate.expired',
    ],
    [
      'expiring in 3 days',
      -362 * DAY,
      3 * DAY - 60_000,
      'critical',
      'expiring',
      'expires in 2d 23h',
      'certificate.expiring',
    ],
    ['expiring in 20 days', -345 * DAY, 20 * DAY, 'warning', 'expiring', 'expires in 20d 0h', 'certificate.expiring'],
    ['valid for 364 days', -DAY, 364 * DAY, 'ok', 'valid', 'valid for 364d 0h', undefined],
  ])('%s', (_, from, until, severity, state, phrase, signal) => {
    const judged = judgeCertificate(certificate('CN=kube-apiserver', from, until), NOW, DEFAULTS);
    expect({ severity: judged.severity, state: judged.state, phrase: judged.phrase, signal: judged.signal }).toEqual({
      severity,
      state,
      phrase,
      signal,
    });
  });

  it('takes the playbook’s thresholds', () => {
    const judged = judgeCertificate(certificate('CN=x', -DAY, 20 * DAY), NOW, { warningDays: 60, criticalDays: 21 });
    expect(judged.severity).toBe('critical');
  });

  it('refuses thresholds in the wrong order', () => {
    expect(withExpiryArgs({}).safeParse({ warningDays: 7, criticalDays: 30 }).success).toBe(false);
  });
});

describe('apiserver.serving-certificate', () => {
  async function run(kube: FakeKubeReader, args: Record<string, unknown> = {}) {
    const context = checkContext({ kube, now: () => NOW });
    return apiserverServingCertificateCheck.run(context, apiserverServingCertificateCheck.args.parse(args));
  }

  it('names the serving certificate that expires in 3 days as critical, with the days left and notAfter', async () => {
    const kube = new FakeKubeReader();
    kube.serving = serving([certificate('CN=kube-apiserver', -362 * DAY, 3 * DAY - 10 * 60_000), ca()]);
    const [finding] = await run(kube);
    expect(finding).toMatchObject({
      severity: 'critical',
      signals: ['certificate.expiring'],
      title: 'API server serving certificate expires in 2d 23h (CN=kube-apiserver, notAfter 2026-12-05T03:02Z)',
    });
    expect(finding?.summary).toMatch(
      /^The serving certificate 10\.0\.0\.10:6443 presents expires in 2d 23h: notAfter 2026-12-05T03:02:00\.000Z/,
    );
    expect(finding?.recommendation).toMatch(
      /kubeadm certs check-expiration.*kubeadm certs renew apiserver.*\/etc\/kubernetes\/manifests.*crictl stop/,
    );
    expect(finding?.recommendation).toMatch(/Managed control plane .*provider rotates the serving certificates/);
    expect(finding?.evidence.map((item) => item.label)).toEqual([
      'API server serving certificate',
      'Cluster CA certificate',
      'names (SANs)',
      'verified',
      'handshake',
    ]);
  });

  it('is a warning under 30 days, and ok with the dates when long-lived', async () => {
    const kube = new FakeKubeReader();
    kube.serving = serving([certificate('CN=kube-apiserver', -345 * DAY, 20 * DAY), ca()]);
    expect((await run(kube))[0]).toMatchObject({ severity: 'warning', signals: ['certificate.expiring'] });
    kube.serving = serving([certificate('CN=kube-apiserver', -DAY, 364 * DAY), ca()]);
    const [ok] = await run(kube);
    expect(ok).toMatchObject({
      severity: 'ok',
      title: 'API server serving certificate valid for 364d 0h (CN=kube-apiserver, notAfter 2027-12-01T03:12Z)',
    });
    expect(ok?.signals).toBeUndefined();
  });

  it('reports an expired certificate read from a handshake that did not verify, with what clients do now', async () => {
    const kube = new FakeKubeReader();
    kube.serving = serving([certificate('CN=kube-apiserver', -367 * DAY, -2 * DAY), ca()], {
      verified: false,
      verifyError: 'CERT_HAS_EXPIRED',
    });
    const [finding] = await run(kube);
    expect(finding).toMatchObject({
      severity: 'critical',
      signals: ['certificate.expired'],
      title: 'API server serving certificate expired 2d 0h ago (CN=kube-apiserver, notAfter 2026-11-30T03:12Z)',
    });
    expect(finding?.recommendation).toMatch(/^Every client that verifies it .* is refusing the API server right now/);
    expect(finding?.evidence).toContainEqual({ label: 'verified', value: 'no: CERT_HAS_EXPIRED' });
  });

  it('leads with the CA when it runs out before the serving certificate, and says CAs are not renewed by kubeadm', async () => {
    const kube = new FakeKubeReader();
    kube.serving = serving([certificate('CN=kube-apiserver', -DAY, 364 * DAY), ca(5 * DAY)]);
    const [finding] = await run(kube);
    expect(finding?.title).toBe('Cluster CA certificate expires in 5d 0h (CN=kubernetes, notAfter 2026-12-07T03:12Z)');
    expect(finding?.recommendation).toMatch(/does not renew CAs/);
  });

  it('calls a certificate in date that does not verify critical, unless the kubeconfig skips verification', async () => {
    const kube = new FakeKubeReader();
    const chain = [certificate('CN=kube-apiserver', -DAY, 364 * DAY)];
    kube.serving = serving(chain, { verified: false, verifyError: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect((await run(kube))[0]).toMatchObject({
      severity: 'critical',
      title: 'API server serving certificate does not verify: ERR_TLS_CERT_ALTNAME_INVALID (CN=kube-apiserver)',
    });
    kube.serving = serving(chain, {
      verified: false,
      verifyError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      verificationRequired: false,
    });
    const [skipped] = await run(kube);
    expect(skipped?.severity).toBe('ok');
    expect(skipped?.evidence).toContainEqual({
      label: 'verified',
      value: 'no: DEPTH_ZERO_SELF_SIGNED_CERT (the kubeconfig turns verification off: insecure-skip-tls-verify)',
    });
  });

  it('has nothing to judge over plain HTTP', async () => {
    const [finding] = await run(new FakeKubeReader());
    expect(finding).toMatchObject({ severity: 'info', title: 'API server serves plain HTTP: no certificate to check' });
  });
});

describe('kubeconfig.client-certificate', () => {
  async function run(kube: FakeKubeReader) {
    const context = checkContext({ kube, now: () => NOW });
    return kubeconfigClientCertificateCheck.run(context, kubeconfigClientCertificateCheck.args.parse({}));
  }

  it('is about the client identity, by its user name, and says how to renew admin.conf', async () => {
    const kube = new FakeKubeReader();
    kube.client = {
      source: 'kubeconfig user "kubernetes-admin" (client-certificate-data)',
      chain: [certificate('CN=kubernetes-admin, O=system:masters', -360 * DAY, 5 * DAY)],
    };
    const [finding] = await run(kube);
    expect(finding).toMatchObject({
      severity: 'critical',
      about: { component: 'client', instance: 'kubernetes-admin' },
      signals: ['certificate.expiring'],
      title:
        'Kubeconfig client certificate expires in 5d 0h (CN=kubernetes-admin, O=system:masters, notAfter 2026-12-07T03:12Z)',
    });
    expect(finding?.recommendation).toMatch(/kubeadm certs renew admin\.conf/);
    expect(finding?.recommendation).toMatch(/credential plugin/);
  });

  it('is ok for a token user', async () => {
    expect((await run(new FakeKubeReader()))[0]).toMatchObject({
      severity: 'ok',
      title: 'Kubeconfig uses no client certificate',
    });
  });
});

describe('etcd.certificates', () => {
  function tlsEtcd(): FakeEtcdReader {
    const etcd = new FakeEtcdReader(3);
    etcd.memberList = etcd.memberList.map((member, index) => ({
      ...member,
      name: `cp-${index + 1}`,
      clientURLs: [`https://10.0.0.${index + 1}:2379`],
    }));
    for (const [index, member] of etcd.memberList.entries()) {
      etcd.serving.set(
        member.clientURLs[0] as string,
        serving([certificate(`CN=cp-${index + 1}`, -DAY, 364 * DAY, { issuer: 'CN=etcd-ca' })], {
          endpoint: `10.0.0.${index + 1}:2379`,
        }),
      );
    }
    return etcd;
  }
  async function run(etcd: FakeEtcdReader) {
    const context = checkContext({ etcd, now: () => NOW });
    return etcdCertificatesCheck.run(context, etcdCertificatesCheck.args.parse({}));
  }

  it('names the member whose serving certificate expired, for the cause rules', async () => {
    const etcd = tlsEtcd();
    etcd.serving.set(
      'https://10.0.0.2:2379',
      serving([certificate('CN=cp-2', -367 * DAY, -2 * DAY)], { verified: false, verifyError: 'CERT_HAS_EXPIRED' }),
    );
    const findings = await run(etcd);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'critical',
      about: { component: 'etcd', instance: 'cp-2' },
      signals: ['certificate.expired'],
      title: 'etcd member cp-2 serving certificate expired 2d 0h ago (CN=cp-2, notAfter 2026-11-30T03:12Z)',
    });
    expect(findings[0]?.recommendation).toMatch(
      /counts as down although etcd runs.*kubeadm certs renew etcd-server.*etcd-peer/,
    );
  });

  it('is one ok finding with every member’s dates when all are long-lived', async () => {
    const findings = await run(tlsEtcd());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'ok',
      about: { component: 'etcd' },
      title: 'etcd serving certificates valid for at least 364d 0h (3 members)',
    });
    expect(findings[0]?.evidence.map((item) => item.label)).toEqual(['cp-1', 'cp-2', 'cp-3']);
  });

  it('reads the handshakes from the configured endpoints when no member answers the member list', async () => {
    const etcd = tlsEtcd();
    etcd.members = async () => {
      throw new EtcdUnreachableError(etcd.endpoints, 'the member list failed on every endpoint');
    };
    etcd.serving.set(etcd.endpoints[0] as string, serving([certificate('CN=cp-1', -367 * DAY, -DAY)]));
    const findings = await run(etcd);
    expect(findings.map((finding) => [finding.severity, finding.title])).toEqual([
      [
        'critical',
        `etcd member ${etcd.endpoints[0]} serving certificate expired 1d 0h ago (CN=cp-1, notAfter 2026-12-01T03:12Z)`,
      ],
      ['info', 'etcd serving certificates: 1 of 3 members read'],
    ]);
    expect(findings[1]?.evidence).toContainEqual({
      label: 'members',
      value:
        'the member list could not be read (the member list failed on every endpoint): the configured endpoints stand in for members',
    });
  });

  it('says which members did not complete a handshake, as information', async () => {
    const etcd = tlsEtcd();
    etcd.serving.set(
      'https://10.0.0.3:2379',
      new EtcdUnreachableError(['https://10.0.0.3:2379'], 'TLS handshake failed: connect ECONNREFUSED'),
    );
    const findings = await run(etcd);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'info', title: 'etcd serving certificates: 2 of 3 members read' });
    expect(findings[0]?.summary).toMatch(/^cp-3: TLS handshake failed: connect ECONNREFUSED\./);
  });

  it('judges the configured client certificate as the client identity', async () => {
    const etcd = tlsEtcd();
    etcd.client = {
      source: 'clusters.test.etcd.certFile /etc/kubernetes/pki/apiserver-etcd-client.crt',
      chain: [certificate('CN=kube-apiserver-etcd-client', -345 * DAY, 20 * DAY)],
    };
    const [finding] = await run(etcd);
    expect(finding).toMatchObject({
      severity: 'warning',
      about: { component: 'client', instance: 'kube-apiserver-etcd-client' },
      title: 'etcd client certificate expires in 20d 0h (CN=kube-apiserver-etcd-client, notAfter 2026-12-22T03:12Z)',
    });
    expect(finding?.recommendation).toMatch(
      /API server’s own etcd client certificate.*kubeadm certs renew apiserver-etcd-client.*clusters\.test\.etcd\.certFile/,
    );
  });

  it('has nothing to judge on plain-HTTP members', async () => {
    const [finding] = await run(new FakeEtcdReader(3));
    expect(finding).toMatchObject({
      severity: 'info',
      title: 'etcd serves plain HTTP: no serving certificates to check',
    });
  });
});

/** The histogram as kube-apiserver exposes it (text format, Go's float spelling), from per-bucket counts. */
function expirationHistogram(perBucket: Record<string, number>): string {
  const bounds = [
    '0',
    '1800',
    '3600',
    '7200',
    '21600',
    '43200',
    '86400',
    '172800',
    '345600',
    '604800',
    '2.592e+06',
    '7.776e+06',
    '1.5552e+07',
    '3.1104e+07',
    '+Inf',
  ];
  let running = 0;
  const lines = [
    '# HELP apiserver_client_certificate_expiration_seconds [ALPHA] Distribution of the remaining lifetime on the certificate used to authenticate a request.',
    '# TYPE apiserver_client_certificate_expiration_seconds histogram',
  ];
  for (const le of bounds) {
    running += perBucket[le] ?? 0;
    lines.push(`apiserver_client_certificate_expiration_seconds_bucket{le="${le}"} ${running}`);
  }
  lines.push(
    `apiserver_client_certificate_expiration_seconds_sum 1.2e+10`,
    `apiserver_client_certificate_expiration_seconds_count ${running}`,
  );
  lines.push(
    '# TYPE process_start_time_seconds gauge',
    `process_start_time_seconds ${(NOW.getTime() - 3 * DAY - 2 * HOUR) / 1000}`,
  );
  return `${lines.join('\n')}\n`;
}

describe('apiserver.client-certificates', () => {
  async function run(
    kube: FakeKubeReader,
    args: Record<string, unknown> = {},
    extra: Parameters<typeof checkContext>[0] = {},
  ) {
    const context = checkContext({ kube, now: () => NOW, ...extra });
    return apiserverClientCertificatesCheck.run(context, apiserverClientCertificatesCheck.args.parse(args));
  }
  const metrics = (text: string) => ({ status: 200, body: text, contentType: 'text/plain; version=0.0.4' });

  it('counts requests whose certificate has under 7 days left, since the API server started', async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set(
      '/metrics',
      metrics(expirationHistogram({ '345600': 312, '2.592e+06': 40, '1.5552e+07': 9000 })),
    );
    const [finding] = await run(kube);
    expect(finding).toMatchObject({
      severity: 'critical',
      signals: ['certificate.expiring'],
      title:
        'API clients present certificates that expire within 7 days: 312 requests since the API server started 3d 2h ago',
    });
    expect(finding?.evidence).toEqual([
      { label: 'expired (refused, 401)', value: '0 requests' },
      { label: 'expiring within 7 days', value: '312 requests' },
      { label: 'expiring within 30 days', value: '352 requests' },
      { label: 'all requests with a client certificate', value: '9,352 requests' },
      { label: 'measured from', value: "one scrape of the API server's /metrics (counts since it started)" },
    ]);
    expect(finding?.recommendation).toMatch(
      /counts requests, not clients.*kubelet-client-current\.pem.*kubectl get csr/,
    );
  });

  it('calls expired certificates out first, and a warning under 30 days', async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set('/metrics', metrics(expirationHistogram({ '0': 3, '7.776e+06': 100 })));
    expect((await run(kube))[0]).toMatchObject({
      severity: 'critical',
      signals: ['certificate.expired'],
      title: 'API clients present expired certificates: 3 requests since the API server started 3d 2h ago',
    });
    kube.rawResponses.set('/metrics', metrics(expirationHistogram({ '2.592e+06': 7, '7.776e+06': 100 })));
    expect((await run(kube))[0]).toMatchObject({
      severity: 'warning',
      title: expect.stringMatching(/within 30 days: 7 requests/),
    });
  });

  it('judges at the nearest bucket under a threshold that is not a bucket bound, and says so', async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set('/metrics', metrics(expirationHistogram({ '172800': 5, '604800': 50, '3.1104e+07': 10 })));
    const [finding] = await run(kube, { criticalDays: 3 });
    expect(finding?.title).toBe(
      "API clients present certificates that expire within 2 days (the histogram's nearest bucket under 3 days): 5 requests since the API server started 3d 2h ago",
    );
  });

  it('is ok when every certificate has long to go, and info when the histogram is missing', async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set('/metrics', metrics(expirationHistogram({ '1.5552e+07': 4000, '+Inf': 300 })));
    expect((await run(kube))[0]).toMatchObject({
      severity: 'ok',
      title: 'No client certificate expiring within 30 days (4,300 requests since the API server started 3d 2h ago)',
    });
    kube.rawResponses.set('/metrics', metrics('# TYPE up gauge\nup 1\n'));
    expect((await run(kube))[0]).toMatchObject({
      severity: 'info',
      title: 'No apiserver_client_certificate_expiration_seconds to read',
    });
  });

  it('over a window, counts only the requests between two scrapes', async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set('/metrics', [
      metrics(expirationHistogram({ '345600': 300, '1.5552e+07': 9000 })),
      metrics(expirationHistogram({ '345600': 300, '1.5552e+07': 9100 })),
    ]);
    let clock = NOW.getTime();
    const [finding] = await run(
      kube,
      { windowSeconds: 30 },
      { now: () => new Date(clock), sleep: async (ms) => void (clock += ms) },
    );
    expect(finding).toMatchObject({
      severity: 'ok',
      title: 'No client certificate expiring within 30 days (100 requests in the last 30 s)',
    });
  });

  it('with Prometheus, reads the increase over its range with the cluster’s selector', async () => {
    const asked: string[] = [];
    const reader: PrometheusReader = {
      url: 'http://prometheus:9090',
      async query(expression): Promise<QueryResult> {
        asked.push(expression);
        const counts: Record<string, number> = {
          '0': 0,
          '86400': 0,
          '172800': 2,
          '345600': 2,
          '604800': 2,
          '2592000': 2,
          '+Inf': 60,
        };
        return {
          resultType: 'vector',
          samples: Object.entries(counts).map(([le, value]) => ({ labels: { le }, value, timestampMs: 0 })),
        };
      },
    };
    const [finding] = await run(
      new FakeKubeReader(),
      {},
      {
        prometheus: { reader, rangeSeconds: 300, selector: [{ name: 'cluster', op: '=', value: 'prod-eu' }] },
      },
    );
    expect(asked).toEqual([
      'sum by (le) (increase(apiserver_client_certificate_expiration_seconds_bucket{cluster="prod-eu"}[300s]))',
    ]);
    expect(finding).toMatchObject({
      severity: 'critical',
      title: 'API clients present certificates that expire within 7 days: 2 requests in the last 300s',
    });
    expect(finding?.evidence.at(-1)).toEqual({
      label: 'measured from',
      value: 'Prometheus http://prometheus:9090 (increase over 300s, selector {cluster="prod-eu"})',
    });
  });
});
