import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { ConfigError } from '../core/errors.js';
import type { EtcdReaderOptions } from './etcd-reader-options.js';

/** The PEM contents of the TLS files, read once. */
export interface EtcdTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

function read(path: string | undefined, what: string, flag: string): Buffer | undefined {
  if (path === undefined || path === '') return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(
      `Cannot read the etcd ${what} ${path} (${flag}): ${reason}. Check the path and its permissions.`,
      error,
    );
  }
}

/**
 * Reads the CA, client certificate and key; undefined when none is configured (plain HTTP).
 *
 * @throws ConfigError naming the file that cannot be read, or a certificate given without its key.
 */
export function loadEtcdTls({
  caFile,
  certFile,
  keyFile,
}: Pick<EtcdReaderOptions, 'caFile' | 'certFile' | 'keyFile'>): EtcdTls | undefined {
  const ca = read(caFile, 'CA file', '--etcd-cacert');
  const cert = read(certFile, 'client certificate', '--etcd-cert');
  const key = read(keyFile, 'client key', '--etcd-key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(
      'The etcd client certificate and key go together: give both --etcd-cert and --etcd-key, or neither.',
    );
  }
  if (!ca && !cert) return undefined;
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/** The etcd3 (gRPC) credentials for `tls`; without a CA file, the system's trusted roots. */
export function grpcCredentials(tls: EtcdTls): { rootCertificate: Buffer; privateKey?: Buffer; certChain?: Buffer } {
  return {
    rootCertificate: tls.ca ?? Buffer.from(rootCertificates.join('\n')),
    ...(tls.key ? { privateKey: tls.key } : {}),
    ...(tls.cert ? { certChain: tls.cert } : {}),
  };
}
