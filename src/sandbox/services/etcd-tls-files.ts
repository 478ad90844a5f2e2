import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ServiceStartError } from '../../core/errors.js';

const run = promisify(execFile);

/** The files a TLS etcd and its clients need, as paths (what etcd's and etcdctl's flags take). */
export interface EtcdTlsFiles {
  /** The private CA that signed both certificates (`--trusted-ca-file`, `etcdctl --cacert`). */
  caFile: string;
  /** Server certificate for 127.0.0.1 and localhost (`--cert-file`). */
  serverCertFile: string;
  serverKeyFile: string;
  /** Client certificate, CN `quorum-diagnostics` (`etcdctl --cert`). */
  clientCertFile: string;
  clientKeyFile: string;
}

const CURVE = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function signed(dir: string, name: string, subject: string, extensions: string[]): Promise<void> {
  const path = (file: string): string => join(dir, file);
  await run('openssl', [
    'req',
    '-new',
    ...CURVE,
    '-keyout',
    path(`${name}.key`),
    '-out',
    path(`${name}.csr`),
    '-subj',
    subject,
  ]);
  await writeFile(path(`${name}.ext`), `${extensions.join('\n')}\n`);
  await run('openssl', [
    ...['x509', '-req', '-in', path(`${name}.csr`), '-CA', path('ca.crt'), '-CAkey', path('ca.key')],
    ...['-set_serial', `0x${Date.now().toString(16)}${name.length}`, '-days', '30'],
    ...['-out', path(`${name}.crt`), '-extfile', path(`${name}.ext`)],
  ]);
}

/**
 * Creates a CA, a server certificate and a client certificate in `dir` with the openssl CLI (Node cannot create
 * X.509 certificates; the cluster simulator does the same).
 *
 * @throws ServiceStartError when openssl is missing or fails.
 */
export async function createEtcdTlsFiles(dir: string): Promise<EtcdTlsFiles> {
  const path = (file: string): string => join(dir, file);
  try {
    await run('openssl', [
      ...['req', '-x509', ...CURVE, '-keyout', path('ca.key'), '-out', path('ca.crt')],
      ...['-days', '30', '-subj', '/CN=quorum-sandbox-etcd-ca'],
      ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    ]);
    const leaf = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment'];
    await signed(dir, 'server', '/CN=etcd', [
      ...leaf,
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    await signed(dir, 'client', '/CN=quorum-diagnostics', [...leaf, 'extendedKeyUsage=clientAuth']);
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new ServiceStartError(
      `Cannot create etcd's TLS certificates with openssl: ${detail}. Is the openssl CLI installed?`,
      error,
    );
  }
  return {
    caFile: path('ca.crt'),
    serverCertFile: path('server.crt'),
    serverKeyFile: path('server.key'),
    clientCertFile: path('client.crt'),
    clientKeyFile: path('client.key'),
  };
}
