import { throwIfAborted } from '../core/abort.js';
import { ConfigError, EtcdUnreachableError, describeError } from '../core/errors.js';
import type { SettingName } from '../core/setting-name.js';
import type { ClientCertificate, ServingCertificates } from '../ports/certificates.js';
import { certificatesFromPem } from '../tls/certificate-info.js';
import { inspectServingCertificates, TlsInspectionTimeoutError } from '../tls/inspect-serving-certificates.js';
import type { EtcdTls } from './etcd-tls.js';

/**
 * The serving certificate chain of the member behind `endpoint` (normalized), from a handshake with the configured
 * CA and client certificate that sends nothing (see {@link inspectServingCertificates}: why it reads a certificate
 * that does not verify, and why that is safe). `undefined` for `http://`.
 *
 * @param timeoutMs - the whole handshake, in ms.
 * @throws EtcdUnreachableError when no handshake completes (its `reason` says why), or the signal's reason.
 */
export async function memberServingCertificates(
  endpoint: string,
  tls: EtcdTls | undefined,
  timeoutMs: number,
  settingName: SettingName,
  signal: AbortSignal | undefined,
): Promise<ServingCertificates | undefined> {
  throwIfAborted(signal);
  const url = new URL(endpoint);
  if (url.protocol !== 'https:') return undefined;
  try {
    return await inspectServingCertificates({
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(url.port || 2379),
      ...(tls?.ca ? { ca: tls.ca } : {}),
      ...(tls?.cert ? { cert: tls.cert } : {}),
      ...(tls?.key ? { key: tls.key } : {}),
      // etcd's clients (gRPC, etcdctl) always verify: there is no setting to turn it off.
      verificationRequired: true,
      timeoutMs,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    const reason =
      error instanceof TlsInspectionTimeoutError
        ? `no TLS handshake within ${timeoutMs} ms`
        : `TLS handshake failed: ${describeError(error)}`;
    throw new EtcdUnreachableError([endpoint], reason, error, settingName);
  }
}

/**
 * The configured client certificate, parsed from the PEM read at start; the key is not looked at.
 *
 * @throws ConfigError when the file holds no PEM certificate.
 */
export function configuredClientCertificate(
  tls: EtcdTls | undefined,
  certFile: string | undefined,
  settingName: SettingName,
): ClientCertificate | undefined {
  if (!tls?.cert) return undefined;
  const source = `${settingName('etcd.certFile')} ${certFile ?? ''}`.trim();
  try {
    return { source, chain: certificatesFromPem(tls.cert) };
  } catch (error) {
    throw new ConfigError(`Cannot read the etcd client certificate ${source}: ${describeError(error)}`, error);
  }
}
