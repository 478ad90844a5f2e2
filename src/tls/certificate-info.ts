import { X509Certificate } from 'node:crypto';
import type { CertificateInfo } from '../ports/certificates.js';

/** `O=system:masters\nCN=kubernetes-admin` → `CN=kubernetes-admin, O=system:masters`: the name people look for first. */
function distinguishedName(text: string): string {
  const parts = text.split('\n').filter(Boolean);
  const common = parts.filter((part) => part.startsWith('CN='));
  return [...common, ...parts.filter((part) => !part.startsWith('CN='))].join(', ');
}

/** `DNS:localhost, IP Address:127.0.0.1` → each name; Node quotes values that hold a comma as JSON strings. */
function alternativeNames(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(/, (?=[A-Za-z][A-Za-z ]*:)/)
    .map((name) => name.trim())
    .filter(Boolean);
}

function iso(date: string): string {
  const parsed = new Date(date);
  return Number.isNaN(parsed.getTime()) ? date : parsed.toISOString();
}

/** The public facts of one certificate. */
export function describeCertificate(certificate: X509Certificate): CertificateInfo {
  const commonName = /^CN=(.*)$/m.exec(certificate.subject)?.[1];
  return {
    subject: distinguishedName(certificate.subject),
    ...(commonName === undefined ? {} : { commonName }),
    issuer: distinguishedName(certificate.issuer),
    notBefore: iso(certificate.validFrom),
    notAfter: iso(certificate.validTo),
    subjectAltNames: alternativeNames(certificate.subjectAltName),
    serialNumber: certificate.serialNumber,
    fingerprint256: certificate.fingerprint256,
    isCA: certificate.ca,
    selfSigned: certificate.checkIssued(certificate),
  };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Every certificate in a PEM bundle, in order (leaf first, as kubeconfigs and etcd's `--cert` hold them). Other
 * blocks (a private key put in the same file) are skipped without being parsed or kept.
 *
 * @throws Error when the text holds no certificate or one that does not parse.
 */
export function certificatesFromPem(pem: string | Buffer): CertificateInfo[] {
  const blocks = pem.toString('utf8').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new Error('no PEM certificate (-----BEGIN CERTIFICATE-----) in it');
  return blocks.map((block) => describeCertificate(new X509Certificate(block)));
}
