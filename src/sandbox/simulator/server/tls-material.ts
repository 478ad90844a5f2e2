import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ServiceStartError } from '../../../core/errors.js';

const run = promisify(execFile);

/** A private CA and a server certificate it signed, for 127.0.0.1 and localhost. PEM text. */
export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

let cached: Promise<TlsMaterial> | undefined;

const SERVER_EXTENSIONS = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth',
  // The names kubeadm puts into the apiserver certificate, plus the loopback address the simulator listens on.
  'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
].join('\n');

async function generate(): Promise<TlsMaterial> {
  // Node cannot create X.509 certificates, so the openssl CLI does it, in a directory removed right after.
  const dir = await mkdtemp(join(tmpdir(), 'quorum-sim-tls-'));
  const path = (name: string): string => join(dir, name);
  const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await run('openssl', [
      'req',
      '-x509',
      ...curve,
      '-keyout',
      path('ca.key'),
      '-out',
      path('ca.crt'),
      '-days',
      '3650',
      '-subj',
      '/CN=quorum-simulator-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await run('openssl', [
      'req',
      '-new',
      ...curve,
      '-keyout',
      path('server.key'),
      '-out',
      path('server.csr'),
      '-subj',
      '/CN=kube-apiserver',
    ]);
    await writeFile(path('server.ext'), `${SERVER_EXTENSIONS}\n`);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      path('server.csr'),
      '-CA',
      path('ca.crt'),
      '-CAkey',
      path('ca.key'),
      '-set_serial',
      `0x${Date.now().toString(16)}`,
      '-days',
      '825',
      '-out',
      path('server.crt'),
      '-extfile',
      path('server.ext'),
    ]);
    const [caPem, certPem, keyPem] = await Promise.all(
      ['ca.crt', 'server.crt', 'server.key'].map((name) => readFile(path(name), 'utf8')),
    );
    return { caPem: caPem ?? '', certPem: certPem ?? '', keyPem: keyPem ?? '' };
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new ServiceStartError(
      `Cannot create the simulator's TLS certificates with openssl: ${detail}. Is the openssl CLI installed?`,
      error,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The CA and server certificate, generated with openssl on first use and shared by every simulator in the process. */
export function tlsMaterial(): Promise<TlsMaterial> {
  cached ??= generate().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
