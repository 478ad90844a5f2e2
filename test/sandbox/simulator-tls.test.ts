/**
 * The simulator's TLS as a kube-apiserver's: a serving certificate of the lifetime a test asks for, read from the
 * handshake, and client-certificate authentication (`--client-ca-file`) beside the token.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  clientExtensions,
  expiredDaysAgo,
  OpensslCa,
  validForDays,
  type IssuedCertificate,
} from '../../src/sandbox/pki/openssl-ca.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { inspectServingCertificates } from '../../src/tls/inspect-serving-certificates.js';

/** One GET with the given client certificate and no token. */
function getWith(sim: RunningSimulator, path: string, client?: { certPem: string; keyPem: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${sim.url}${path}`,
      { ca: sim.caPem, agent: false, ...(client ? { cert: client.certPem, key: client.keyPem } : {}) },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function kubeconfigUser(sim: RunningSimulator): Record<string, string> {
  const config = parse(readFileSync(sim.kubeconfigPath, 'utf8')) as { users: Array<{ user: Record<string, string> }> };
  return config.users[0]?.user ?? {};
}

describe('the simulator’s certificates', () => {
  let shortLived: RunningSimulator;
  let admin: RunningSimulator;
  let expiredAdmin: RunningSimulator;
  let dir: string;
  let stranger: IssuedCertificate;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quorum-sim-tls-test-'));
    const otherCa = await OpensslCa.create(dir, '/CN=someone-else');
    [shortLived, admin, expiredAdmin, stranger] = await Promise.all([
      startSimulator({ servingCertificate: validForDays(3) }),
      startSimulator({
        clientCertificate: {
          commonName: 'kubernetes-admin',
          organizations: ['system:masters'],
          lifetime: validForDays(5),
        },
      }),
      startSimulator({ clientCertificate: { commonName: 'kubernetes-admin', lifetime: expiredDaysAgo(1) } }),
      otherCa.issue({
        name: 'stranger',
        subject: '/CN=kubernetes-admin',
        extensions: clientExtensions(),
        lifetime: validForDays(30),
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.allSettled([shortLived?.stop(), admin?.stop(), expiredAdmin?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a certificate of the lifetime asked for, trusted by the CA of its kubeconfig', async () => {
    const seen = await inspectServingCertificates({
      host: '127.0.0.1',
      port: shortLived.port,
      ca: shortLived.caPem,
      verificationRequired: true,
      timeoutMs: 5_000,
    });
    expect(seen.verified).toBe(true);
    const [leaf] = seen.chain;
    expect(leaf?.subject).toBe('CN=kube-apiserver');
    expect(leaf?.subjectAltNames).toContain('DNS:kubernetes.default.svc.cluster.local');
    const left = Date.parse(leaf?.notAfter ?? '') - Date.now();
    expect(left).toBeGreaterThan(2.99 * 86_400_000);
    expect(left).toBeLessThanOrEqual(3 * 86_400_000);
  });

  it('writes a kubeconfig with a client certificate instead of a token, and accepts it', async () => {
    const user = kubeconfigUser(admin);
    expect(Object.keys(user).sort()).toEqual(['client-certificate-data', 'client-key-data']);
    const certPem = Buffer.from(user['client-certificate-data'] ?? '', 'base64').toString('utf8');
    const keyPem = Buffer.from(user['client-key-data'] ?? '', 'base64').toString('utf8');
    expect(await getWith(admin, '/api/v1/namespaces', { certPem, keyPem })).toBe(200);
  });

  it('answers 401, as kube-apiserver does, to an expired client certificate or one its CA did not sign', async () => {
    const user = kubeconfigUser(expiredAdmin);
    const expired = {
      certPem: Buffer.from(user['client-certificate-data'] ?? '', 'base64').toString('utf8'),
      keyPem: Buffer.from(user['client-key-data'] ?? '', 'base64').toString('utf8'),
    };
    expect(await getWith(expiredAdmin, '/api/v1/namespaces', expired)).toBe(401);
    expect(await getWith(admin, '/api/v1/namespaces', stranger)).toBe(401);
    // Without any credentials: health is public, resources are not.
    expect(await getWith(admin, '/livez')).toBe(200);
    expect(await getWith(admin, '/api/v1/namespaces')).toBe(401);
  });
});
