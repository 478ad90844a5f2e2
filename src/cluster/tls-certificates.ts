import { throwIfAborted } from '../core/abort.js';
import { KubeRequestError, KubeTimeoutError, QuorumError, describeError } from '../core/errors.js';
import type { SettingName } from '../core/setting-name.js';
import type { ClientCertificate, ServingCertificates } from '../ports/certificates.js';
import { certificatesFromPem } from '../tls/certificate-info.js';
import { inspectServingCertificates, TlsInspectionTimeoutError } from '../tls/inspect-serving-certificates.js';
import type { ClusterConnection } from './kube-adapter.js';
import type { RateLimiter } from './rate-limiter.js';

/** What reading the API server's certificates needs of the transport that owns the connection. */
export interface CertificateSource {
  connection: Pick<ClusterConnection, 'server' | 'tlsSettings'>;
  limiter: RateLimiter;
  /** Deadline of the handshake, in ms: the same as a request's. */
  timeoutMs: number;
  /** `context "prod" (https://10.0.0.1:6443)`, for messages. */
  description: string;
  settingName: SettingName;
}

/**
 * The API server's serving certificate chain, from a handshake with the connection's own TLS settings (see
 * {@link inspectServingCertificates} for why that handshake reads an unverifiable certificate and why that is safe).
 * It takes a slot of the cluster's limiter like a request: a struggling API server pays for handshakes too.
 *
 * @throws KubeRequestError when no handshake completes (refused, reset, a TLS alert, a proxy-url in the way),
 *   KubeTimeoutError past the deadline, or the signal's reason.
 */
export async function readServingCertificates(
  source: CertificateSource,
  signal: AbortSignal | undefined,
): Promise<ServingCertificates | undefined> {
  throwIfAborted(signal);
  const url = new URL(source.connection.server);
  if (url.protocol !== 'https:') return undefined;
  const tls = await source.connection.tlsSettings();
  if (!tls) return undefined;
  if (tls.proxyUrl) {
    throw new KubeRequestError(
      `${source.description} is reached through proxy-url ${tls.proxyUrl}: Quorum reads the serving certificate with a direct handshake, which would not reach the same server. Check it from a machine that reaches the API server directly (openssl s_client -connect ${url.host}).`,
      undefined,
    );
  }
  const { proxyUrl: _proxy, clientCertificateSource: _source, rejectUnauthorized, servername, ...credentials } = tls;
  const release = await source.limiter.acquire(signal);
  try {
    return await inspectServingCertificates({
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(url.port || 443),
      ...(servername ? { servername } : {}),
      ...credentials,
      verificationRequired: rejectUnauthorized,
      timeoutMs: source.timeoutMs,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted || error instanceof QuorumError) throw error;
    if (error instanceof TlsInspectionTimeoutError) {
      throw new KubeTimeoutError(
        'a TLS handshake',
        source.timeoutMs,
        `The API server of ${source.description}`,
        source.settingName('kube.requestTimeoutMs'),
      );
    }
    throw new KubeRequestError(`No TLS handshake with ${source.description}: ${describeError(error)}`, undefined, {
      cause: error,
      retryable: true,
    });
  } finally {
    release();
  }
}

/**
 * The client certificate the connection's credentials present, parsed from the PEM the SDK already loaded; the key
 * next to it is never read here. `undefined` for a token, an exec plugin without certificates, or plain HTTP.
 *
 * @throws KubeRequestError when the kubeconfig's certificate is not a PEM certificate.
 */
export async function readClientCertificate(
  source: Pick<CertificateSource, 'connection' | 'description'>,
): Promise<ClientCertificate | undefined> {
  const tls = await source.connection.tlsSettings();
  if (!tls?.cert) return undefined;
  const what = tls.clientCertificateSource ?? `the client certificate of ${source.description}`;
  const pem = Array.isArray(tls.cert) ? tls.cert.map((part) => String(part)).join('\n') : tls.cert;
  try {
    return { source: what, chain: certificatesFromPem(pem) };
  } catch (error) {
    throw new KubeRequestError(`Cannot read ${what}: ${describeError(error)}`, undefined, { cause: error });
  }
}
