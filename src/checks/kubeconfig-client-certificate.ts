import type { Finding } from '../findings/finding.js';
import { kubeconfigClientAdvice } from './certificate-advice.js';
import {
  certificateData,
  certificateEvidence,
  identify,
  judgeCertificate,
  mostUrgent,
  thresholdsText,
  withExpiryArgs,
} from './certificate-expiry.js';
import { defineCheck } from './check.js';

const CHECK = 'kubeconfig.client-certificate';

/**
 * The client certificate the kubeconfig's user authenticates with (kubeadm's admin.conf has one that lasts a year),
 * read from what the kubeconfig holds: its key is never looked at.
 */
export const kubeconfigClientCertificateCheck = defineCheck({
  id: CHECK,
  description: "the kubeconfig's client certificate",
  needs: ['kube'],
  about: 'client',
  args: withExpiryArgs({}),
  async run({ kube, now }, args) {
    const client = await kube.clientCertificate();
    if (!client) {
      return [
        {
          check: CHECK,
          severity: 'ok',
          about: { component: 'client' },
          title: 'Kubeconfig uses no client certificate',
          summary:
            'The context authenticates with a token, an exec plugin or the service account: no client certificate of its own can expire.',
          evidence: [],
        },
      ] satisfies Finding[];
    }
    const at = now();
    const judged = client.chain.map((certificate) => judgeCertificate(certificate, at, args));
    const worst = mostUrgent(judged);
    const leaf = judged[0];
    if (!worst || !leaf) throw new Error(`${client.source} holds no certificate`);
    const user = leaf.certificate.commonName ?? leaf.certificate.subject;
    const about = { component: 'client' as const, instance: user };
    const evidence = [
      ...judged.map((judgement, index) =>
        certificateEvidence(index === 0 ? 'client certificate' : 'issuer in the same PEM', judgement),
      ),
      { label: 'from', value: client.source },
    ];
    const data = { source: client.source, chain: judged.map(certificateData) };
    if (worst.severity === 'ok') {
      return [
        {
          check: CHECK,
          severity: 'ok',
          about,
          title: `Kubeconfig client certificate ${leaf.phrase} (${identify(leaf)})`,
          summary: `${client.source} authenticates as ${leaf.certificate.subject} (${thresholdsText(args)}).`,
          evidence,
          data,
        },
      ] satisfies Finding[];
    }
    return [
      {
        check: CHECK,
        severity: worst.severity,
        about,
        ...(worst.signal ? { signals: [worst.signal] } : {}),
        title: `Kubeconfig client certificate ${worst.phrase} (${identify(worst)})`,
        summary: `${client.source} authenticates as ${leaf.certificate.subject} with a certificate that ${worst.phrase}: notAfter ${worst.certificate.notAfter} (${thresholdsText(args)}).`,
        evidence,
        recommendation: kubeconfigClientAdvice(user, worst.state === 'expired'),
        data,
      },
    ] satisfies Finding[];
  },
});
