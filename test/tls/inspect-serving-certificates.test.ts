import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { inspectServingCertificates, TlsInspectionTimeoutError } from '../../src/tls/inspect-serving-certificates.js';
import {
  clientExtensions,
  expiredDaysAgo,
  OpensslCa,
  serverExtensions,
  validForDays,
  type IssuedCertificate,
} from '../../src/sandbox/pki/openssl-ca.js';

/** A TLS server that records, per connection, every byte it receives after the handshake. */
interface RecordingServer {
  port: number;
  received: Buffer[];
  /** Resolves when the next accepted connection closes. */
  nextClose(): Promise<void>;
  close(): Promise<void>;
}

async function listen(server: Server | TcpServer): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

async function tlsServer(leaf: IssuedCertificate, options: { ca?: string; requestCert?: boolean } = {}) {
  const received: Buffer[] = [];
  const closes: Array<() => void> = [];
  const server = createServer(
    {
      key: leaf.keyPem,
      cert: leaf.certPem,
      ...(options.ca ? { ca: options.ca } : {}),
      requestCert: options.requestCert ?? false,
    },
    // Application data can only arrive once the server's side of the handshake is done.
    (socket: TLSSocket) => socket.on('data', (chunk: Buffer) => received.push(chunk)),
  );
  server.on('tlsClientError', () => undefined);
  // The TCP connection, handshake or not: its close is the end of the client's visit.
  server.on('connection', (socket: Socket) => socket.once('close', () => closes.shift()?.()));
  const port = await listen(server);
  return {
    port,
    received,
    nextClose: () => new Promise<void>((resolve) => closes.push(resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  } satisfies RecordingServer;
}

describe('inspectServingCertificates', () => {
  let dir: string;
  let ca: OpensslCa;
  let other: OpensslCa;
  let fresh: IssuedCertificate;
  let expired: IssuedCertificate;
  let client: IssuedCertificate;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quorum-tls-test-'));
    ca = await OpensslCa.create(join(dir), '/CN=test-ca');
    other = await OpensslCa.create(mkdtempSync(join(dir, 'other-')), '/CN=other-ca');
    const names = serverExtensions(['IP:127.0.0.1', 'DNS:localhost']);
    fresh = await ca.issue({
      name: 'fresh',
      subject: '/CN=kube-apiserver',
      extensions: names,
      lifetime: validForDays(3),
    });
    expired = await ca.issue({
      name: 'old',
      subject: '/CN=kube-apiserver',
      extensions: names,
      lifetime: expiredDaysAgo(2),
    });
    client = await ca.issue({
      name: 'client',
      subject: '/O=system:masters/CN=admin',
      extensions: clientExtensions(),
      lifetime: validForDays(30),
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the chain, leaf first and completed by the trusted CA, and says it verifies', async () => {
    const server = await tlsServer(fresh);
    try {
      const seen = await inspectServingCertificates({
        host: '127.0.0.1',
        port: server.port,
        ca: ca.certPem,
        verificationRequired: true,
        timeoutMs: 5_000,
      });
      expect(seen).toMatchObject({ endpoint: `127.0.0.1:${server.port}`, verified: true, verificationRequired: true });
      expect(seen.verifyError).toBeUndefined();
      expect(seen.chain.map((certificate) => [certificate.subject, certificate.issuer, certificate.isCA])).toEqual([
        ['CN=kube-apiserver', 'CN=test-ca', false],
        ['CN=test-ca', 'CN=test-ca', true],
      ]);
      const [leaf] = seen.chain;
      expect(leaf?.subjectAltNames).toEqual(['IP Address:127.0.0.1', 'DNS:localhost']);
      const left = Date.parse(leaf?.notAfter ?? '') - Date.now();
      expect(left).toBeGreaterThan(2.9 * 24 * 3600_000);
      expect(left).toBeLessThanOrEqual(3 * 24 * 3600_000);
    } finally {
      await server.close();
    }
  });

  it('still reads an expired certificate, says why it does not verify, and sends nothing over the connection', async () => {
    const server = await tlsServer(expired);
    try {
      const closed = server.nextClose();
      const seen = await inspectServingCertificates({
        host: '127.0.0.1',
        port: server.port,
        ca: ca.certPem,
        verificationRequired: true,
        timeoutMs: 5_000,
      });
      expect(seen).toMatchObject({ verified: false, verifyError: 'CERT_HAS_EXPIRED' });
      expect(Date.parse(seen.chain[0]?.notAfter ?? '')).toBeLessThan(Date.now() - 24 * 3600_000);
      await closed;
      expect(server.received).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['a CA that did not sign it', () => other.certPem, undefined, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/i],
    ['a name it does not carry', () => ca.certPem, 'kubernetes.example.com', /ERR_TLS_CERT_ALTNAME_INVALID|altnames/i],
  ])('reports %s as a verification error', async (_, trusted, servername, error) => {
    const server = await tlsServer(fresh);
    try {
      const seen = await inspectServingCertificates({
        host: '127.0.0.1',
        port: server.port,
        ca: trusted(),
        ...(servername ? { servername } : {}),
        verificationRequired: true,
        timeoutMs: 5_000,
      });
      expect(seen.verified).toBe(false);
      expect(seen.verifyError).toMatch(error);
      expect(seen.chain[0]?.commonName).toBe('kube-apiserver');
    } finally {
      await server.close();
    }
  });

  it('offers the client certificate to a server that asks for one', async () => {
    const server = await tlsServer(fresh, { ca: ca.certPem, requestCert: true });
    try {
      const seen = await inspectServingCertificates({
        host: '127.0.0.1',
        port: server.port,
        ca: ca.certPem,
        cert: client.certPem,
        key: client.keyPem,
        verificationRequired: true,
        timeoutMs: 5_000,
      });
      expect(seen.verified).toBe(true);
    } finally {
      await server.close();
    }
  });

  describe('against a server that accepts connections and never answers', () => {
    let silent: TcpServer;
    let port: number;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      silent = createTcpServer((socket) => {
        sockets.add(socket);
        // Reads (and drops) what arrives, so that it sees the client hang up.
        socket.resume();
        socket.on('error', () => undefined);
        socket.once('close', () => sockets.delete(socket));
      });
      port = await listen(silent);
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('gives up at its deadline and closes the connection', async () => {
      const failure = await inspectServingCertificates({
        host: '127.0.0.1',
        port,
        verificationRequired: true,
        timeoutMs: 200,
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(TlsInspectionTimeoutError);
      expect((failure as Error).message).toBe(`no TLS handshake with 127.0.0.1:${port} within 200 ms`);
      await expect(waitUntilNoSockets(sockets)).resolves.toBeUndefined();
    });

    it('stops at once when the signal fires, with its reason', async () => {
      const controller = new AbortController();
      const pending = inspectServingCertificates({
        host: '127.0.0.1',
        port,
        verificationRequired: true,
        timeoutMs: 60_000,
        signal: controller.signal,
      });
      const reason = new Error('run cancelled');
      await waitUntilSocket(sockets);
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      await expect(waitUntilNoSockets(sockets)).resolves.toBeUndefined();
    });
  });
});

/** Resolves once the server holds a connection (polling the event loop, not the clock). */
async function waitUntilSocket(sockets: Set<Socket>): Promise<void> {
  while (sockets.size === 0) await new Promise((resolve) => setImmediate(resolve));
}

async function waitUntilNoSockets(sockets: Set<Socket>): Promise<void> {
  while (sockets.size > 0) await new Promise((resolve) => setImmediate(resolve));
}
