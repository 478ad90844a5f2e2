/**
 * X.509 certificates as the diagnostics see them: the public facts of a certificate a TLS peer presented or a file
 * holds. Never a key, never the certificate's bytes: nothing here can authenticate as anyone.
 */
export interface CertificateInfo {
  /** The subject, common name first: `CN=kubernetes-admin, O=system:masters`. */
  subject: string;
  /** The subject's common name, when it has one. */
  commonName?: string;
  /** The issuer, in the same form: `CN=kubernetes`. */
  issuer: string;
  /** Valid from, ISO 8601 (UTC). */
  notBefore: string;
  /** Valid until, ISO 8601 (UTC). */
  notAfter: string;
  /** Subject alternative names as OpenSSL prints them: `DNS:kubernetes`, `IP Address:10.96.0.1`. */
  subjectAltNames: string[];
  /** Hex, as `openssl x509 -serial` prints it. */
  serialNumber: string;
  /** SHA-256 fingerprint, colon-separated hex. */
  fingerprint256: string;
  /** A CA certificate (basicConstraints CA:TRUE). */
  isCA: boolean;
  /** Issued by itself: the root of its chain. */
  selfSigned: boolean;
}

/** What one TLS handshake with a server showed: its certificate chain, and whether it verifies. */
export interface ServingCertificates {
  /** The `host:port` dialled. */
  endpoint: string;
  /**
   * Leaf first, then each issuer: what the server sent, completed by the trusted CA that signed the last of it when
   * that CA is known here (so an expiring CA is seen too).
   */
  chain: CertificateInfo[];
  /** The chain verifies against the configured CA and names the host dialled: what the real reads require. */
  verified: boolean;
  /** Why not, as OpenSSL or Node say it: `CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`, … */
  verifyError?: string;
  /** False when the configuration turns verification off for the real reads (`insecure-skip-tls-verify`). */
  verificationRequired: boolean;
  /** The protocol negotiated, e.g. `TLSv1.3`. */
  protocol?: string;
}

/** A client certificate a configuration holds (the kubeconfig's user, etcd's `certFile`), without its key. */
export interface ClientCertificate {
  /** Where it comes from, for evidence: `kubeconfig user "kubernetes-admin" (client-certificate-data)`. */
  source: string;
  /** Leaf first, then any intermediates the same PEM holds. */
  chain: CertificateInfo[];
}
