import type { Evidence, Finding } from '../findings/finding.js';
import type { CertificateInfo, ServingCertificates } from '../ports/certificates.js';
import { apiserverAdvice, type ChainRole } from './certificate-advice.js';
import {
  certificateData,
  certificateEvidence,
  identify,
  judgeCertificate,
  minuteTime,
  mostUrgent,
  thresholdsText,
  withExpiryArgs,
  type CertificateJudgement,
} from './certificate-expiry.js';
import { defineCheck } from './check.js';

const CHECK = 'apiserver.serving-certificate';

/** Verification failures that are about dates: the expiry judgement already reports them. */
const DATE_ERRORS: ReadonlySet<string> = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** The certificate at `index` of a chain: the leaf serves, a self-signed CA is the root, the rest are intermediates. */
function roleOf(certificate: CertificateInfo, index: number): ChainRole {
  if (index === 0) return 'serving';
  return certificate.selfSigned ? 'ca' : 'intermediate';
}

const TITLE: Record<ChainRole, string> = {
  serving: 'API server serving certificate',
  intermediate: "API server's intermediate CA certificate",
  ca: 'Cluster CA certificate',
};

const NOUN: Record<ChainRole, string> = {
  serving: 'serving certificate',
  intermediate: 'intermediate CA certificate in the chain',
  ca: 'cluster CA certificate that signs the chain',
};

type Judged = CertificateJudgement & { role: ChainRole };

function evidenceFor(serving: ServingCertificates, judged: readonly Judged[]): Evidence[] {
  const evidence = judged.map((judgement) => certificateEvidence(TITLE[judgement.role], judgement));
  const leaf = serving.chain[0];
  if (leaf && leaf.subjectAltNames.length > 0) {
    evidence.push({ label: 'names (SANs)', value: leaf.subjectAltNames.join(', ') });
  }
  evidence.push({
    label: 'verified',
    value: serving.verified
      ? `yes, against the kubeconfig's CA, for ${serving.endpoint}`
      : `no: ${serving.verifyError ?? 'unknown reason'}${serving.verificationRequired ? '' : ' (the kubeconfig turns verification off: insecure-skip-tls-verify)'}`,
  });
  evidence.push({ label: 'handshake', value: `${serving.endpoint}${serving.protocol ? `, ${serving.protocol}` : ''}` });
  return evidence;
}

/**
 * The certificates the API server presents, read from a TLS handshake with the kubeconfig's own settings: each one of
 * the chain (the serving certificate, intermediates, the CA) against the expiry thresholds, and whether the chain
 * verifies as the real reads need it to.
 */
export const apiserverServingCertificateCheck = defineCheck({
  id: CHECK,
  description: "the API server's serving certificate",
  needs: ['kube'],
  about: 'kube-apiserver',
  args: withExpiryArgs({}),
  async run({ kube, now }, args) {
    const serving = await kube.servingCertificates();
    if (!serving) {
      return [
        {
          check: CHECK,
          severity: 'info',
          title: 'API server serves plain HTTP: no certificate to check',
          summary: `${kube.server} is http://: nothing is encrypted or authenticated on the way, and no credentials are sent to it.`,
          evidence: [],
        },
      ] satisfies Finding[];
    }
    if (serving.chain.length === 0)
      throw new Error(`${serving.endpoint} completed a TLS handshake without a certificate`);
    const at = now();
    const judged: Judged[] = serving.chain.map((certificate, index) => ({
      ...judgeCertificate(certificate, at, args),
      role: roleOf(certificate, index),
    }));
    const worst = mostUrgent(judged) as Judged;
    const evidence = evidenceFor(serving, judged);
    const data = {
      endpoint: serving.endpoint,
      verified: serving.verified,
      verifyError: serving.verifyError ?? null,
      verificationRequired: serving.verificationRequired,
      chain: judged.map((judgement) => ({ role: judgement.role, ...certificateData(judgement) })),
    };
    const untrusted = !serving.verified && serving.verificationRequired && !DATE_ERRORS.has(serving.verifyError ?? '');
    if (worst.severity === 'ok' && untrusted) {
      return [
        {
          check: CHECK,
          severity: 'critical',
          title: `API server serving certificate does not verify: ${serving.verifyError ?? 'unknown reason'} (${worst.certificate.subject})`,
          summary: `The certificate ${serving.endpoint} presents is in date but does not verify against the kubeconfig's CA and host name, so every read of this run fails the same way.`,
          evidence,
          recommendation:
            "Check the kubeconfig's certificate-authority(-data) against the cluster's CA (/etc/kubernetes/pki/ca.crt on kubeadm), and that the server address (or tls-server-name) is among the certificate's names: a new load balancer name needs `kubeadm certs renew apiserver` with the name added to the ClusterConfiguration's apiServer.certSANs.",
          data,
        },
      ] satisfies Finding[];
    }
    if (worst.severity === 'ok') {
      return [
        {
          check: CHECK,
          severity: 'ok',
          title: `${TITLE.serving} ${judged[0]?.phrase ?? ''} (${identify(judged[0] as Judged)})`,
          summary: `Every certificate of the chain ${serving.endpoint} presents is valid for at least ${worst.phrase.replace('valid for ', '')} (${thresholdsText(args)}).`,
          evidence,
          data,
        },
      ] satisfies Finding[];
    }
    return [
      {
        check: CHECK,
        severity: worst.severity,
        ...(worst.signal ? { signals: [worst.signal] } : {}),
        title: `${TITLE[worst.role]} ${worst.phrase} (${identify(worst)})`,
        summary: `The ${NOUN[worst.role]} ${serving.endpoint} presents ${worst.phrase}: notAfter ${worst.certificate.notAfter}, issued by ${worst.certificate.issuer} (${thresholdsText(args)}).${worst.role === 'serving' ? '' : ` Its serving certificate: ${judged[0]?.phrase ?? '?'}, until ${minuteTime(judged[0]?.certificate.notAfter ?? '')}.`}`,
        evidence,
        recommendation: apiserverAdvice(worst.role, worst.state === 'expired', worst.state === 'not-yet-valid'),
        data,
      },
    ] satisfies Finding[];
  },
});
