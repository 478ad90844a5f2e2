import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import {
  checkServerIdentity,
  connect,
  type ConnectionOptions,
  type DetailedPeerCertificate,
  type PeerCertificate,
} from 'node:tls';
import { abortReason } from '../core/abort.js';
import type { CertificateInfo, ServingCertificates } from '../ports/certificates.js';
import { describeCertificate } from './certificate-info.js';

/**
 * Where to look and with which TLS settings: the same ones the real reads use. `ca` is the bundle they trust (Node's
 * default roots without it); the client certificate and key are offered when the server asks (etcd and kubeadm API
 * servers do).
 */
export interface InspectTlsOptions extends Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'pfx' | 'passphrase'> {
  /** Host name or IP address to dial (IPv6 without brackets). */
  host: string;
  port: number;
  /** The name the certificate must carry and the SNI sent: the kubeconfig's `tls-server-name`. @defaultValue host */
  servername?: string;
  /** Whether the real reads verify the certificate; reported, not applied (see below). */
  verificationRequired: boolean;
  /** The whole inspection, from dialling to the last certificate, in ms. */
  timeoutMs: number;
  /** Destroys the socket at once and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What Node says when verification fails: a code such as `CERT_HAS_EXPIRED` (typed as Error, set as a string). */
function verifyErrorOf(reason: unknown): string | undefined {
  if (reason === undefined || reason === null) return undefined;
  if (typeof reason === 'string') return reason;
  const code = (reason as { code?: unknown }).code;
  return typeof code === 'string' ? code : reason instanceof Error ? reason.message : String(reason);
}

/** Leaf first, then each issuer Node knows: what the server sent, completed from the trusted CA bundle. */
function chainOf(leaf: PeerCertificate | DetailedPeerCertificate): CertificateInfo[] {
  const chain: CertificateInfo[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = leaf as DetailedPeerCertificate;
  while (current?.raw && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    chain.push(describeCertificate(new X509Certificate(current.raw)));
    current = current.issuerCertificate;
  }
  return chain;
}

/** The error for an inspection that ran out of time; `code` lets adapters word it as their timeouts. */
export class TlsInspectionTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';

  constructor(
    readonly endpoint: string,
    readonly timeoutMs: number,
  ) {
    super(`no TLS handshake with ${endpoint} within ${timeoutMs} ms`);
    this.name = 'TlsInspectionTimeoutError';
  }
}

/**
 * Reads a server's certificate chain from a TLS handshake of its own, and reports whether it verifies.
 *
 * This connection does not reject an unverifiable certificate (`rejectUnauthorized: false`): an expired or untrusted
 * certificate is exactly what it exists to read, and a rejected handshake hands back no certificate. That is safe
 * because nothing is sent over it: no request, no header, no token — the socket is destroyed as soon as the
 * handshake completes. An impostor learns only what any TLS client shows: the client certificate, which is public;
 * its key stays in this process, and the handshake signature proves possession for this connection only. The
 * verdict is not lost either: Node verifies the chain against the same CA and host name as the real reads
 * (`authorized`, `authorizationError`), and those keep `rejectUnauthorized` on.
 *
 * @throws the socket's error (ECONNREFUSED, a TLS alert), {@link TlsInspectionTimeoutError} past `timeoutMs`, or the
 *   signal's reason.
 */
export function inspectServingCertificates(options: InspectTlsOptions): Promise<ServingCertificates> {
  const { host, port, servername, verificationRequired, timeoutMs, signal, ...credentials } = options;
  const endpoint = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const expectedName = servername ?? host;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    let settled = false;
    const socket = connect({
      host,
      port,
      // SNI carries host names only (RFC 6066): an IP address is verified against the certificate's IP SANs.
      ...(isIP(expectedName) === 0 ? { servername: expectedName } : {}),
      checkServerIdentity: (_host, certificate) => checkServerIdentity(expectedName, certificate),
      rejectUnauthorized: false,
      ...credentials,
    });
    const finish = (error: Error | undefined, result?: ServingCertificates): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve(result as ServingCertificates);
    };
    const onAbort = (): void => finish(abortReason(signal as AbortSignal));
    const timer = setTimeout(() => finish(new TlsInspectionTimeoutError(endpoint, timeoutMs)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      const verifyError = socket.authorized ? undefined : verifyErrorOf(socket.authorizationError);
      const protocol = socket.getProtocol();
      finish(undefined, {
        endpoint,
        chain: chainOf(socket.getPeerCertificate(true)),
        verified: socket.authorized,
        ...(verifyError ? { verifyError } : {}),
        verificationRequired,
        ...(protocol ? { protocol } : {}),
      });
    });
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error(`${endpoint} closed the connection during the TLS handshake`)));
  });
}
