import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createKubeReader, type ClosableKubeReader } from '../../src/cluster/create-kube-reader.js';
import { KubeRequestError, KubeTimeoutError } from '../../src/core/errors.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';
import { writeKubeconfig, type TestContext } from './support/kubeconfig.js';
import { createTestPki, type TestPki } from './support/test-pki.js';

describe('KubeReader: the API server’s certificates and the kubeconfig’s client certificate', () => {
  let pki: TestPki;
  let server: FixtureServer;
  let mutual: FixtureServer;
  let plain: FixtureServer;
  const readers: ClosableKubeReader[] = [];

  beforeAll(async () => {
    pki = createTestPki();
    [server, mutual, plain] = await Promise.all([
      startFixtureServer(pki),
      startFixtureServer(pki, undefined, { requireClientCertificate: true }),
      startFixtureServer(undefined),
    ]);
  });
  afterAll(async () => {
    for (const reader of readers) reader.close();
    await Promise.all([server.close(), mutual.close(), plain.close()]);
    pki.remove();
  });

  function readerFor(context: Omit<TestContext, 'name'>, options: { requestTimeoutMs?: number } = {}) {
    const name = `ctx-${readers.length}`;
    const kubeconfigPath = writeKubeconfig(pki.dir, [{ name, ...context }], name, `kubeconfig-${name}`);
    const reader = createKubeReader({ kubeconfigPath, ...options });
    readers.push(reader);
    return reader;
  }

  it('reads the serving chain from a handshake that sends no request, verified with the kubeconfig’s CA', async () => {
    const reader = readerFor({ server: server.url, caPath: pki.caPath, token: 't0ken' });
    const requestsBefore = server.requests.length;
    const serving = await reader.servingCertificates();
    expect(serving).toMatchObject({
      endpoint: new URL(server.url).host,
      verified: true,
      verificationRequired: true,
      protocol: expect.stringMatching(/^TLSv1\.[23]$/),
    });
    expect(serving?.chain.map((certificate) => certificate.subject)).toEqual([
      'CN=quorum-test-apiserver',
      'CN=quorum-test-ca',
    ]);
    expect(serving?.chain[0]?.subjectAltNames).toEqual(['IP Address:127.0.0.1', 'DNS:localhost']);
    expect(server.requests.length).toBe(requestsBefore);
    expect(await reader.clientCertificate()).toBeUndefined();
  });

  it('says when the kubeconfig turns verification off, and still reads what it would not verify', async () => {
    const reader = readerFor({ server: server.url, skipTlsVerify: true, token: 't0ken' });
    const serving = await reader.servingCertificates();
    expect(serving).toMatchObject({ verified: false, verificationRequired: false });
    expect(serving?.verifyError).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|ISSUER/);
    expect(serving?.chain[0]?.commonName).toBe('quorum-test-apiserver');
  });

  it('verifies against tls-server-name when the kubeconfig sets one', async () => {
    const reader = readerFor({ server: server.url, caPath: pki.caPath, token: 't', tlsServerName: 'kubernetes' });
    expect(await reader.servingCertificates()).toMatchObject({
      verified: false,
      verifyError: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('offers the client certificate to a server that requires one, and returns it without its key', async () => {
    const reader = readerFor({
      server: mutual.url,
      caPath: pki.caPath,
      clientCertPath: pki.clientCertPath,
      clientKeyPath: pki.clientKeyPath,
    });
    expect(await reader.servingCertificates()).toMatchObject({ verified: true });
    const client = await reader.clientCertificate();
    expect(client).toMatchObject({
      source: `kubeconfig user "ctx-3-user" (client-certificate ${pki.clientCertPath})`,
      chain: [{ subject: 'CN=quorum-diagnostics, O=quorum:diagnostics', commonName: 'quorum-diagnostics' }],
    });
    const shown = JSON.stringify(client);
    const keyBody = readFileSync(pki.clientKeyPath, 'utf8').split('\n')[1] ?? 'no key line';
    expect(shown).not.toContain('PRIVATE KEY');
    expect(shown).not.toContain(keyBody);
  });

  it('has no certificates to show over plain HTTP', async () => {
    const reader = readerFor({ server: plain.url });
    expect(await reader.servingCertificates()).toBeUndefined();
    expect(await reader.clientCertificate()).toBeUndefined();
  });

  it('refuses to bypass a proxy-url with a direct handshake', async () => {
    const reader = readerFor({ server: server.url, caPath: pki.caPath, token: 't', proxyUrl: 'http://127.0.0.1:9' });
    const failure = await reader.servingCertificates().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KubeRequestError);
    expect((failure as Error).message).toMatch(/proxy-url http:\/\/127\.0\.0\.1:9.*openssl s_client/);
  });

  describe('against a server that never completes the handshake', () => {
    let silent: Server;
    let url: string;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.resume();
        socket.once('close', () => sockets.delete(socket));
      });
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
      url = `https://127.0.0.1:${(silent.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('gives up at the request deadline and names the setting', async () => {
      const reader = readerFor({ server: url, caPath: pki.caPath, token: 't' }, { requestTimeoutMs: 300 });
      const failure = await reader.servingCertificates().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(KubeTimeoutError);
      expect((failure as Error).message).toMatch(
        /did not answer a TLS handshake within 300 ms.*kube\.requestTimeoutMs/,
      );
    });

    it('stops when the caller’s signal fires', async () => {
      const reader = readerFor({ server: url, caPath: pki.caPath, token: 't' });
      const controller = new AbortController();
      const pending = reader.servingCertificates({ signal: controller.signal });
      const reason = new Error('cancelled by the operator');
      while (sockets.size === 0) await new Promise((resolve) => setImmediate(resolve));
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
    });
  });
});
