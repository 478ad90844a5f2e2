import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeconfigError, KubeRequestError } from '../../src/core/errors.js';
import { createKubeReader } from '../../src/cluster/create-kube-reader.js';
import { connectCluster } from '../../src/cluster/kube-adapter.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';
import { writeKubeconfig } from './support/kubeconfig.js';
import { createTestPki, type TestPki } from './support/test-pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});
afterAll(() => pki.remove());

function file(name: string, content: string): string {
  const path = join(pki.dir, name);
  writeFileSync(path, content);
  return path;
}

const twoContexts = (server = 'https://127.0.0.1:6443') =>
  JSON.stringify({
    'current-context': 'alpha',
    clusters: [{ name: 'a', cluster: { server } }],
    users: [{ name: 'u', user: { token: 't' } }],
    contexts: [
      { name: 'alpha', context: { cluster: 'a', user: 'u' } },
      { name: 'beta', context: { cluster: 'a', user: 'u' } },
    ],
  });

describe('unusable kubeconfigs fail with a KubeconfigError that names the file and the fix', () => {
  it.each([
    {
      name: 'a missing file',
      setup: () => join(pki.dir, 'no-such-kubeconfig'),
      message: /kubeconfig .*no-such-kubeconfig does not exist/,
    },
    {
      name: 'a directory',
      setup: () => (mkdirSync(join(pki.dir, 'a-dir'), { recursive: true }), join(pki.dir, 'a-dir')),
      message: /a-dir is not a file/,
    },
    {
      name: 'broken YAML',
      setup: () => file('broken.yaml', 'clusters: [\n  - name: x\n  oops: : :'),
      message: /broken.yaml is not valid YAML/,
    },
    { name: 'an empty file', setup: () => file('empty.yaml', ''), message: /empty.yaml is empty or not a kubeconfig/ },
    {
      name: 'a YAML scalar',
      setup: () => file('scalar.yaml', 'just some words'),
      message: /scalar.yaml defines no contexts/,
    },
    {
      name: 'a cluster without server',
      setup: () =>
        file('no-server.yaml', JSON.stringify({ clusters: [{ name: 'a', cluster: {} }], contexts: [], users: [] })),
      message: /no-server.yaml: clusters\[0\].cluster.server is missing/,
    },
    {
      name: 'no current-context',
      setup: () => file('no-current.yaml', twoContexts().replace('"current-context":"alpha",', '')),
      message: /no-current.yaml has no current-context. Choose a context: Available contexts: alpha, beta/,
    },
    {
      name: 'a context naming a missing cluster',
      setup: () =>
        file('dangling.yaml', twoContexts().replace('"cluster":"a","user":"u"}},{', '"cluster":"zzz","user":"u"}},{')),
      message: /Context "alpha" in kubeconfig .*dangling.yaml names cluster "zzz", which is not under clusters/,
    },
    {
      name: 'a server that is not http(s)',
      setup: () => file('ftp.yaml', twoContexts('ftp://127.0.0.1')),
      message: /server "ftp:\/\/127.0.0.1" must start with https:\/\/ or http:\/\//,
    },
    {
      name: 'a CA file that is not there',
      setup: () =>
        writeKubeconfig(
          pki.dir,
          [{ name: 'x', server: 'https://127.0.0.1:1', caPath: '/nonexistent/ca.crt', token: 't' }],
          'x',
          'no-ca.yaml',
        ),
      message: /certificate-authority \/nonexistent\/ca.crt \(from kubeconfig .*no-ca.yaml\) cannot be read/,
    },
  ])('$name', ({ setup, message }) => {
    const kubeconfigPath = setup();
    expect(() => createKubeReader({ kubeconfigPath })).toThrow(KubeconfigError);
    expect(() => createKubeReader({ kubeconfigPath })).toThrow(message);
  });

  it('lists the available contexts when the requested one is unknown', () => {
    const kubeconfigPath = file('two.yaml', twoContexts());
    expect(() => createKubeReader({ kubeconfigPath, context: 'gamma' })).toThrow(
      /Context "gamma" is not in kubeconfig .*two.yaml. Available contexts: alpha, beta./,
    );
    const reader = createKubeReader({ kubeconfigPath, context: 'beta' });
    expect(reader).toMatchObject({ clusterName: 'a', server: 'https://127.0.0.1:6443' });
    reader.close();
  });

  it('refuses a context without user on an https cluster', () => {
    const kubeconfigPath = file(
      'anonymous.yaml',
      JSON.stringify({
        'current-context': 'anon',
        clusters: [{ name: 'a', cluster: { server: 'https://127.0.0.1:6443' } }],
        contexts: [{ name: 'anon', context: { cluster: 'a' } }],
      }),
    );
    expect(() => createKubeReader({ kubeconfigPath })).toThrow(/Context "anon" .* names no user/);
  });

  describe('environment-driven sources', () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const key of ['KUBECONFIG', 'HOME', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    });

    it('says so when no kubeconfig is found anywhere', () => {
      delete process.env.KUBECONFIG;
      process.env.HOME = join(pki.dir, 'empty-home');
      mkdirSync(process.env.HOME, { recursive: true });
      expect(() => createKubeReader()).toThrow(/No kubeconfig found: set KUBECONFIG/);
    });

    it('reads $KUBECONFIG by default', () => {
      process.env.KUBECONFIG = file('from-env.yaml', twoContexts('https://10.1.2.3:6443'));
      const reader = createKubeReader();
      expect(reader.server).toBe('https://10.1.2.3:6443');
      reader.close();
    });

    it('explains in-cluster configuration outside a pod', () => {
      delete process.env.KUBERNETES_SERVICE_HOST;
      delete process.env.KUBERNETES_SERVICE_PORT;
      expect(() => createKubeReader({ inCluster: true })).toThrow(
        /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT/,
      );
    });
  });
});

describe('credentials and TLS from the kubeconfig', () => {
  let server: FixtureServer;
  let plain: FixtureServer;

  beforeAll(async () => {
    server = await startFixtureServer(pki, () => ({ body: 'ok' }));
    plain = await startFixtureServer(undefined, () => ({ body: 'ok' }));
  });
  afterAll(async () => {
    await server.close();
    await plain.close();
  });

  it('sends the bearer token over TLS verified against the kubeconfig CA, reusing one connection', async () => {
    const kubeconfigPath = writeKubeconfig(
      pki.dir,
      [{ name: 'tls', server: server.url, caPath: pki.caPath, token: 'sekret-token' }],
      'tls',
      'tls.yaml',
    );
    const reader = createKubeReader({ kubeconfigPath });
    try {
      const before = server.connections;
      expect(await reader.raw('/readyz?verbose')).toMatchObject({
        status: 200,
        body: 'ok',
        contentType: 'text/plain; charset=utf-8',
      });
      expect(await reader.raw('/livez?verbose')).toMatchObject({ status: 200 });
      expect(server.requests.slice(-2).map((request) => request.headers.authorization)).toEqual([
        'Bearer sekret-token',
        'Bearer sekret-token',
      ]);
      expect(server.requests.at(-1)?.headers['user-agent']).toMatch(/^quorum\//);
      expect(server.connections - before).toBe(1);
    } finally {
      reader.close();
    }
  });

  it('accepts the CA inline as certificate-authority-data', async () => {
    const kubeconfigPath = file(
      'inline-ca.yaml',
      JSON.stringify({
        'current-context': 'inline',
        clusters: [
          {
            name: 'c',
            cluster: { server: server.url, 'certificate-authority-data': Buffer.from(pki.caPem).toString('base64') },
          },
        ],
        users: [{ name: 'u', user: { token: 'inline-token' } }],
        contexts: [{ name: 'inline', context: { cluster: 'c', user: 'u' } }],
      }),
    );
    const reader = createKubeReader({ kubeconfigPath });
    try {
      expect((await reader.raw('/version')).status).toBe(200);
      expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer inline-token');
    } finally {
      reader.close();
    }
  });

  it('refuses a server whose certificate the kubeconfig CA did not sign, before sending the token', async () => {
    const kubeconfigPath = writeKubeconfig(
      pki.dir,
      [{ name: 'wrong-ca', server: server.url, caPath: pki.otherCaPath, token: 'never-sent' }],
      'wrong-ca',
      'wrong-ca.yaml',
    );
    const reader = createKubeReader({ kubeconfigPath });
    const before = server.requests.length;
    try {
      const failure = await reader.raw('/livez').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(KubeRequestError);
      expect(failure).toMatchObject({
        retryable: false,
        message: expect.stringMatching(/Cannot verify the TLS certificate.*certificate-authority/),
      });
      expect(server.requests.length).toBe(before);
    } finally {
      reader.close();
    }
  });

  it('sends no credentials over plain HTTP, as kubectl does', async () => {
    const kubeconfigPath = writeKubeconfig(
      pki.dir,
      [{ name: 'plain', server: plain.url, token: 'not-in-clear-text' }],
      'plain',
      'plain.yaml',
    );
    const connection = connectCluster({ kubeconfigPath }, 1);
    try {
      expect((await connection.requestOptions()).headers).toEqual({});
    } finally {
      connection.close();
    }
    const reader = createKubeReader({ kubeconfigPath });
    try {
      expect((await reader.raw('/livez')).status).toBe(200);
      expect(plain.requests.at(-1)?.headers.authorization).toBeUndefined();
    } finally {
      reader.close();
    }
  });

  it('presents the client certificate from the kubeconfig (paths relative to the file)', async () => {
    const mutual = await startFixtureServer(pki, () => ({ body: 'ok' }), { requireClientCertificate: true });
    const kubeconfigPath = file(
      'client-cert.yaml',
      JSON.stringify({
        'current-context': 'admin',
        clusters: [{ name: 'kubeadm', cluster: { server: mutual.url, 'certificate-authority': 'ca.crt' } }],
        users: [{ name: 'kubernetes-admin', user: { 'client-certificate': 'client.crt', 'client-key': 'client.key' } }],
        contexts: [{ name: 'admin', context: { cluster: 'kubeadm', user: 'kubernetes-admin' } }],
      }),
    );
    const reader = createKubeReader({ kubeconfigPath });
    try {
      expect((await reader.raw('/livez')).status).toBe(200);
      expect(mutual.requests.at(-1)?.clientCertificate).toBe('quorum-diagnostics');
      expect(mutual.requests.at(-1)?.headers.authorization).toBeUndefined();
    } finally {
      reader.close();
      await mutual.close();
    }
  });

  it.each([
    {
      name: 'uses the token an exec credential plugin prints',
      script:
        'console.log(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "exec-token", expirationTimestamp: "2099-01-01T00:00:00Z" } }))',
      outcome: { authorization: 'Bearer exec-token' },
    },
    {
      name: 'explains a failing exec credential plugin',
      script: 'console.error("token expired, run login"); process.exit(1)',
      outcome: { error: /Could not apply the credentials of context "exec".*token expired, run login/ },
    },
  ])('$name', async ({ script, outcome }) => {
    const kubeconfigPath = file(
      'exec.yaml',
      JSON.stringify({
        'current-context': 'exec',
        clusters: [{ name: 'c', cluster: { server: server.url, 'certificate-authority': pki.caPath } }],
        users: [
          {
            name: 'plugin',
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1',
                command: process.execPath,
                args: ['-e', script],
                interactiveMode: 'Never',
              },
            },
          },
        ],
        contexts: [{ name: 'exec', context: { cluster: 'c', user: 'plugin' } }],
      }),
    );
    const reader = createKubeReader({ kubeconfigPath });
    try {
      if ('authorization' in outcome) {
        expect((await reader.raw('/livez')).status).toBe(200);
        expect(server.requests.at(-1)?.headers.authorization).toBe(outcome.authorization);
      } else {
        const before = server.connections;
        await expect(reader.raw('/livez')).rejects.toThrow(KubeconfigError);
        await expect(reader.raw('/livez')).rejects.toThrow(outcome.error);
        expect(server.connections).toBe(before);
      }
    } finally {
      reader.close();
    }
  });
});
