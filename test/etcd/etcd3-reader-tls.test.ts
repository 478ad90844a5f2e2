import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EtcdUnreachableError } from '../../src/core/errors.js';
import type { EtcdReader } from '../../src/ports/etcd-reader.js';
import { createEtcdReader } from '../../src/etcd/etcd3-reader.js';
import { seedRegistry } from '../../src/sandbox/etcd-seed.js';
import { expiredDaysAgo } from '../../src/sandbox/pki/openssl-ca.js';
import { startEtcd, type EtcdService } from '../helpers/services.js';

const MiB = 1024 * 1024;

/** As kubeadm runs it: clients over TLS, client certificates required. */
describe('createEtcdReader against etcd with TLS and client-certificate auth', () => {
  let server: EtcdService;
  let tls: NonNullable<EtcdService['tls']>;
  let etcd: EtcdReader;

  beforeAll(async () => {
    server = await startEtcd({ tls: true, quotaBytes: 32 * MiB });
    tls = server.tls!;
    etcd = createEtcdReader({ endpoints: server.endpoints, ...tls, requestTimeoutMs: 2_000 });
  });

  afterAll(async () => {
    await etcd?.close();
    await server?.stop();
  });

  it('reads status, health, members, alarms and the quota with the client certificate', async () => {
    expect(server.clientUrl).toMatch(/^https:/);
    const status = await etcd.status(server.clientUrl);
    expect(status.isLeader).toBe(true);
    expect(await etcd.health(server.clientUrl)).toMatchObject({ healthy: true });
    expect((await etcd.members())[0]?.clientURLs).toEqual([server.clientUrl]);
    expect(await etcd.alarms()).toEqual([]);
    // /metrics on the client URL over https, with the client certificate.
    expect(await etcd.quotaBytes(server.clientUrl)).toBe(32 * MiB);
  });

  it('reads the member’s serving certificate from a handshake, and the client certificate without its key', async () => {
    const serving = await etcd.servingCertificates(server.clientUrl);
    expect(serving).toMatchObject({
      endpoint: new URL(server.clientUrl).host,
      verified: true,
      verificationRequired: true,
    });
    expect(serving?.chain.map((certificate) => certificate.subject)).toEqual(['CN=etcd', 'CN=quorum-sandbox-etcd-ca']);
    // The sandbox issues a year, as kubeadm does.
    expect(Date.parse(serving?.chain[0]?.notAfter ?? '') - Date.now()).toBeGreaterThan(364 * 24 * 3600_000);
    const client = await etcd.clientCertificate();
    expect(client).toMatchObject({
      source: `etcd.certFile ${tls.certFile}`,
      chain: [{ subject: 'CN=quorum-diagnostics', issuer: 'CN=quorum-sandbox-etcd-ca' }],
    });
    expect(JSON.stringify(client)).not.toContain('PRIVATE KEY');
  });

  it('has no serving certificate to show on an http:// endpoint, and no client certificate without one', async () => {
    const reader = createEtcdReader({ endpoints: ['http://127.0.0.1:1'] });
    try {
      expect(await reader.servingCertificates('http://127.0.0.1:1')).toBeUndefined();
      expect(await reader.clientCertificate()).toBeUndefined();
    } finally {
      await reader.close();
    }
  });

  it('counts prefixes over TLS', async () => {
    const seeded = await seedRegistry(server.endpoints, { pods: 7, events: 11 }, tls);
    const counts = await etcd.prefixCounts('/registry/');
    expect(Object.fromEntries(counts.map((entry) => [entry.prefix, entry.keys]))).toEqual(seeded.byPrefix);
    expect(counts[0]).toEqual({ prefix: '/registry/secrets/', keys: 20 });
  });

  it('accepts a bare host:port and assumes https when TLS files are given', async () => {
    const bare = server.clientUrl.replace('https://', '');
    const reader = createEtcdReader({ endpoints: [bare], ...tls });
    try {
      expect((await reader.status(bare)).endpoint).toBe(bare);
    } finally {
      await reader.close();
    }
  });

  it.each([
    ['without a client certificate', () => ({ caFile: tls.caFile }), /rejected our client certificate.*etcd\.certFile/],
    ['without the CA', () => ({ certFile: tls.certFile, keyFile: tls.keyFile }), /not trusted.*etcd\.caFile/],
  ])('says which certificate to check when connecting %s', async (_, files, hint) => {
    const reader = createEtcdReader({ endpoints: server.endpoints, ...files(), requestTimeoutMs: 2_000 });
    try {
      const failure = await reader.status(server.clientUrl).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(EtcdUnreachableError);
      expect((failure as Error).message).toContain(server.clientUrl);
      expect((failure as Error).message).toMatch(hint);
      expect((failure as Error).message).toContain('etcd.caFile');
      expect((await reader.health(server.clientUrl)).healthy).toBe(false);
    } finally {
      await reader.close();
    }
  });

  it('says the endpoint may not be https when given http:// for a TLS member', async () => {
    const plain = server.clientUrl.replace('https://', 'http://');
    const reader = createEtcdReader({ endpoints: [plain], requestTimeoutMs: 2_000 });
    try {
      await expect(reader.status(plain)).rejects.toBeInstanceOf(EtcdUnreachableError);
    } finally {
      await reader.close();
    }
  });
});

describe('createEtcdReader against a member whose serving certificate expired', () => {
  let server: EtcdService;
  let etcd: EtcdReader;

  beforeAll(async () => {
    server = await startEtcd({ tls: { servingCertificate: expiredDaysAgo(2) } });
    etcd = createEtcdReader({ endpoints: server.endpoints, ...server.tls!, requestTimeoutMs: 2_000 });
  });
  afterAll(async () => {
    await etcd?.close();
    await server?.stop();
  });

  it('still reads the certificate, and says it expired', async () => {
    const serving = await etcd.servingCertificates(server.clientUrl);
    expect(serving).toMatchObject({ verified: false, verifyError: 'CERT_HAS_EXPIRED' });
    expect(Date.parse(serving?.chain[0]?.notAfter ?? '')).toBeLessThan(Date.now() - 47 * 3600_000);
  });

  it('fails real reads with a reason that names the expired serving certificate', async () => {
    const failure = await etcd.status(server.clientUrl).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EtcdUnreachableError);
    expect((failure as EtcdUnreachableError).reason).toMatch(
      /serving certificate has expired or is not yet valid \(.*\): renew it .*kubeadm certs renew etcd-server/,
    );
  });
});
