import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { ConfigError } from '../core/errors.js';
import { bareSettingName } from '../core/setting-name.js';
import type { EtcdReaderOptions } from './etcd-reader-options.js';

/** The PEM contents of the TLS files, read once. */
export interface EtcdTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

function read(path: string | undefined, what: string, setting: string): Buffer | undefined {
  if (path === undefined || path === '') return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(
      `Cannot read the etcd ${what} ${path} (${setting}): ${reason}. Check the path and its permissions.`,
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
  settingName = bareSettingName,
}: Pick<EtcdReaderOptions, 'caFile' | 'certFile' | 'keyFile' | 'settingName'>): EtcdTls | undefined {
  const ca = read(caFile, 'CA file', settingName('etcd.caFile'));
  const cert = read(certFile, 'client certificate', settingName('etcd.certFile'));
  const key = read(keyFile, 'client key', settingName('etcd.keyFile'));
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(
      `The etcd client certificate and key go together: set both ${settingName('etcd.certFile')} and ${settingName('etcd.keyFile')}, or neither.`,
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
