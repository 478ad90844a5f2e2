import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../src/findings/finding.js';
import { REDACTED, redact, redactFinding } from '../../src/findings/redact.js';
import { nospaceBasis } from '../render/fixtures.js';

const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6IjNkZTQ1In0.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoic3lzdGVtIn0.Zm9vYmFyYmF6cXV4';

/** [what, input, expected output] */
const redacted: ReadonlyArray<[string, string, string]> = [
  ['a multi-word YAML password', 'password: correct horse battery staple', `password: ${REDACTED}`],
  [
    'a base64-encoded private key in a Secret dump',
    'data: map[tls.key:LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2',
    `data: map[tls.key:${REDACTED}`,
  ],
  ['a Cookie header', 'Cookie: session=abcdefghijklmnopqrstuvwxyz', `Cookie: ${REDACTED}`],
  [
    'a token nested under credentials',
    '{"credentials": {"token": "abc123456789"}}',
    `{"credentials": {"token": "${REDACTED}"}}`,
  ],
  ['Authorization header', 'Authorization: Bearer abc123def456', `Authorization: Bearer ${REDACTED}`],
  ['short bearer in a header', 'authorization: bearer abc', `authorization: bearer ${REDACTED}`],
  [
    'curl command line with a JWT',
    `curl -H "Authorization: Bearer ${JWT}" https://10.0.0.1:6443/api`,
    `curl -H "Authorization: Bearer ${REDACTED}" https://10.0.0.1:6443/api`,
  ],
  [
    'Go header map in a client-go debug log',
    'I0612 03:14:15.926535 1 round_trippers.go:466] headers: map[Authorization:[Bearer 0123456789abcdef] Accept:[application/json]]',
    `I0612 03:14:15.926535 1 round_trippers.go:466] headers: map[Authorization:[Bearer ${REDACTED}] Accept:[application/json]]`,
  ],
  ['Basic auth header', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', `Authorization: Basic ${REDACTED}`],
  [
    'bare bearer token',
    'retrying with bearer 9f8e7d6c5b4a3210 after 401',
    `retrying with bearer ${REDACTED} after 401`,
  ],
  ['--token= flag', 'kubectl --token=abcdef.0123456789abcdef get pods', `kubectl --token=${REDACTED} get pods`],
  [
    '--bootstrap-token with a space',
    'kubeadm join --bootstrap-token abcdef.0123456789abcdef',
    `kubeadm join --bootstrap-token ${REDACTED}`,
  ],
  [
    '--etcd-password=',
    '--etcd-password=hunter2 --etcd-servers=https://127.0.0.1:2379',
    `--etcd-password=${REDACTED} --etcd-servers=https://127.0.0.1:2379`,
  ],
  ['YAML token', '    token: s3cr3t-t0ken', `    token: ${REDACTED}`],
  [
    'JSON access_token',
    '{"access_token":"ya29.a0Af","expires_in":3599}',
    `{"access_token":"${REDACTED}","expires_in":3599}`,
  ],
  ['klog key="value"', 'msg="login" password="correct horse battery"', `msg="login" password="${REDACTED}"`],
  [
    'password= in a query',
    'GET /login?user=bob&password=hunter2&next=/',
    `GET /login?user=bob&password=${REDACTED}&next=/`,
  ],
  ['passwd in an env dump', 'DB_PASSWD=xyz123 DB_USER=app', `DB_PASSWD=${REDACTED} DB_USER=app`],
  [
    'kubeconfig client-key-data',
    '    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=',
    `    client-key-data: ${REDACTED}`,
  ],
  [
    'AWS secret access key',
    'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    `aws_secret_access_key = ${REDACTED}`,
  ],
  [
    'PEM private key block',
    'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nq2Z9\n-----END RSA PRIVATE KEY-----\ndone',
    `key:\n-----BEGIN RSA PRIVATE KEY-----\n${REDACTED}\n-----END RSA PRIVATE KEY-----\ndone`,
  ],
  [
    'PEM block cut off by a log tail',
    '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\nrest',
    `-----BEGIN EC PRIVATE KEY-----\n${REDACTED}\n-----END EC PRIVATE KEY-----`,
  ],
  ['AWS access key id', 'using AKIAIOSFODNN7EXAMPLE for s3 backups', `using AKIA${REDACTED} for s3 backups`],
  [
    'Slack bot token',
    'SLACK_BOT_TOKEN is xoxb-1234567890-0987654321-AbCdEfGhIj',
    `SLACK_BOT_TOKEN is xoxb-${REDACTED}`,
  ],
  ['Slack user token', 'xoxp-1234567890-1234567890-abcdef', `xoxp-${REDACTED}`],
  ['Slack app token', 'xapp-1-A012345-6789-abcdef0123', `xapp-${REDACTED}`],
  [
    'password in a URL',
    'dial https://admin:s3cret@10.0.0.1:6443/api failed',
    `dial https://admin:${REDACTED}@10.0.0.1:6443/api failed`,
  ],
  ['JWT alone', `sa token ${JWT} expired`, `sa token ${REDACTED} expired`],
];

/** Text that must come out unchanged. */
const untouched: ReadonlyArray<[string, string]> = [
  ['prose about tokens', 'the apiserver rejected 12 tokens; the token bucket is empty; use the TokenRequest API'],
  [
    'kubelet: invalid bearer token',
    'E0612 03:14:15.9 1 authentication.go:73] "Unable to authenticate the request" err="[invalid bearer token, service account token has expired]"',
  ],
  ['"Bearer authentication" in prose', 'Bearer authentication required for /metrics'],
  ['the --token flag in prose', 'pass the --token flag or a kubeconfig'],
  [
    'kube-controller-manager flags',
    'kube-controller-manager --authentication-kubeconfig=/etc/kubernetes/controller-manager.conf --authorization-mode=Node,RBAC --service-account-private-key-file=/etc/kubernetes/pki/sa.key --use-service-account-credentials=true --root-ca-file=/etc/kubernetes/pki/ca.crt --token-auth-file=/etc/kubernetes/tokens.csv',
  ],
  ['UIDs and resource versions', 'uid=6b9e1c2d-5f3a-4e8b-9c7d-0a1b2c3d4e5f resourceVersion=123456789 generation=4'],
  ['image digest', 'registry.k8s.io/etcd@sha256:4f5c1a9b3e2d8c7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f'],
  [
    'URL without credentials',
    'Get "https://10.0.0.1:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler": dial tcp 10.0.0.1:6443: connect: connection refused',
  ],
  [
    'secret volume event',
    'MountVolume.SetUp failed for volume "default-token-abcde" : secret "default-token-abcde" not found',
  ],
  [
    'keys that only start with a keyword',
    'password_file=/run/secrets/db tokenizer: bpe secretName: etcd-certs tokens: 5',
  ],
  ['empty and null values', 'password: "" token: null'],
  ['email address', 'contact oncall@example.com'],
];

describe('redact', () => {
  it.each(redacted)('redacts %s', (_what, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each(untouched)('leaves %s alone', (_what, input) => {
    expect(redact(input)).toBe(input);
  });

  it.each([...redacted.map(([, input]) => input), ...untouched.map(([, input]) => input)])(
    'is idempotent on %#',
    (input) => {
      const once = redact(input);
      expect(redact(once)).toBe(once);
    },
  );

  it('redacts every secret in a multi-line kubelet log excerpt', () => {
    const log = [
      'I0612 03:14:10.000000 2345 server.go:416] "Kubelet version" kubeletVersion="v1.30.2"',
      'I0612 03:14:11.000000 2345 flags.go:64] FLAG: --bootstrap-kubeconfig="/etc/kubernetes/bootstrap-kubelet.conf"',
      `I0612 03:14:12.000000 2345 flags.go:64] FLAG: --token="${JWT}"`,
      'E0612 03:14:13.000000 2345 kubelet_node_status.go:96] "Unable to register node" err="Unauthorized" node="cp-1"',
    ].join('\n');
    const out = redact(log);
    expect(out).not.toContain(JWT);
    expect(out).toContain(`--token="${REDACTED}"`);
    expect(out).toContain('kubeletVersion="v1.30.2"');
    expect(out.split('\n')).toHaveLength(4);
  });
});

describe('redactFinding', () => {
  const finding: Finding = {
    check: 'control-plane.pods',
    severity: 'critical',
    title: 'Could not reach https://admin:pw123@10.0.0.1:6443',
    summary: 'token: abc123def',
    evidence: [{ label: 'log', value: 'Authorization: Bearer abc123def' }],
    recommendation: 'rotate xoxb-1234567890-abcdefghij',
    data: { nested: { list: ['password=hunter2', 42, true, null] }, restarts: 7 },
    proposals: [{ action: 'etcd.compact', summary: 'compact (token=abc123)', revision: '1200', basis: nospaceBasis }],
  };

  it('redacts title, summary, evidence, recommendation, data and proposals', () => {
    const out = redactFinding(finding);
    expect(JSON.stringify(out)).not.toMatch(/pw123|abc123|hunter2|abcdefghij/);
    expect(out.evidence[0]?.value).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(out.data).toEqual({ nested: { list: [`password=${REDACTED}`, 42, true, null] }, restarts: 7 });
    expect(out.proposals?.[0]).toMatchObject({ action: 'etcd.compact', revision: '1200' });
  });

  it('does not change the finding it was given', () => {
    const before = JSON.stringify(finding);
    redactFinding(finding);
    expect(JSON.stringify(finding)).toBe(before);
  });
});
