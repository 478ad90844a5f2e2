import { EtcdUnreachableError, describeError } from '../core/errors.js';
import { clusterSetting } from '../core/setting-name.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { pluralize } from '../findings/format.js';
import type { ServingCertificates } from '../ports/certificates.js';
import type { EtcdReader } from '../ports/etcd-reader.js';
import { etcdClientAdvice, etcdServingAdvice } from './certificate-advice.js';
import {
  certificateData,
  certificateEvidence,
  identify,
  judgeCertificate,
  mostUrgent,
  thresholdsText,
  withExpiryArgs,
  type CertificateJudgement,
  type ExpiryThresholds,
} from './certificate-expiry.js';
import { defineCheck } from './check.js';

const CHECK = 'etcd.certificates';

interface MemberReading {
  name: string;
  endpoint: string;
  serving?: ServingCertificates;
  /** Why no handshake completed. */
  error?: string;
}

/** Every member by its first client URL, from etcd's member list; the configured endpoints when it cannot be read. */
async function membersOf(
  etcd: EtcdReader,
): Promise<{ members: Array<{ name: string; endpoint: string }>; note?: string }> {
  try {
    const members = (await etcd.members())
      .filter((member) => member.clientURLs[0])
      .map((member) => ({ name: member.name || member.id, endpoint: member.clientURLs[0] as string }))
      .sort((a, b) => a.name.localeCompare(b.name));
    if (members.length > 0) return { members };
  } catch (error) {
    // When every member serves an expired certificate nothing answers the member list: the handshakes still work.
    return {
      members: etcd.endpoints.map((endpoint) => ({ name: endpoint, endpoint })),
      note: `the member list could not be read (${error instanceof EtcdUnreachableError ? error.reason : describeError(error)}): the configured endpoints stand in for members`,
    };
  }
  return { members: etcd.endpoints.map((endpoint) => ({ name: endpoint, endpoint })) };
}

async function readMember(etcd: EtcdReader, member: { name: string; endpoint: string }): Promise<MemberReading> {
  try {
    const serving = await etcd.servingCertificates(member.endpoint);
    return { ...member, ...(serving ? { serving } : {}) };
  } catch (error) {
    return { ...member, error: error instanceof EtcdUnreachableError ? error.reason : describeError(error) };
  }
}

/** A member's serving certificate (the leaf) and the CA certificates of its chain, judged. */
function judgeMember(reading: MemberReading, now: Date, args: ExpiryThresholds) {
  const [leaf, ...issuers] = (reading.serving?.chain ?? []).map((certificate) =>
    judgeCertificate(certificate, now, args),
  );
  return { leaf, issuers };
}

function servingEvidence(reading: MemberReading, leaf: CertificateJudgement): Evidence[] {
  const serving = reading.serving as ServingCertificates;
  return [
    certificateEvidence('serving certificate', leaf),
    { label: 'names (SANs)', value: leaf.certificate.subjectAltNames.join(', ') || '(none)' },
    {
      label: 'verified',
      value: serving.verified ? 'yes, against the configured CA' : `no: ${serving.verifyError ?? 'unknown reason'}`,
    },
    { label: 'handshake', value: `${serving.endpoint}${serving.protocol ? `, ${serving.protocol}` : ''}` },
  ];
}

/**
 * Every etcd member's serving certificate, read from a TLS handshake per member (with the configured CA and client
 * certificate), and the configured client certificate. It runs even when no member answers a request, which is when
 * an expired certificate matters most.
 */
export const etcdCertificatesCheck = defineCheck({
  id: CHECK,
  description: "etcd's serving and client certificates",
  needs: ['etcd'],
  about: 'etcd',
  runsWithEtcdUnreachable: true,
  args: withExpiryArgs({}),
  async run({ etcd, now, run }, args) {
    if (!etcd) return [];
    const { members, note } = await membersOf(etcd);
    const readings = await Promise.all(members.map((member) => readMember(etcd, member)));
    const client = await etcd.clientCertificate();
    const at = now();
    const findings: Finding[] = [];
    const summary: Evidence[] = [];
    const caProblems = new Map<string, CertificateJudgement>();
    let soonest: CertificateJudgement | undefined;

    for (const reading of readings) {
      if (reading.error) {
        summary.push({ label: reading.name, value: `no TLS handshake: ${reading.error}` });
        continue;
      }
      if (!reading.serving) {
        summary.push({ label: reading.name, value: `plain HTTP (${reading.endpoint}): no certificate` });
        continue;
      }
      const { leaf, issuers } = judgeMember(reading, at, args);
      if (!leaf) {
        summary.push({ label: reading.name, value: 'no certificate in the handshake' });
        continue;
      }
      for (const issuer of issuers) {
        if (issuer.severity !== 'ok') caProblems.set(issuer.certificate.fingerprint256, issuer);
      }
      soonest = mostUrgent([...(soonest ? [soonest] : []), leaf, ...issuers]);
      summary.push(certificateEvidence(reading.name, leaf));
      if (leaf.severity === 'ok') continue;
      findings.push({
        check: CHECK,
        severity: leaf.severity,
        about: { component: 'etcd', instance: reading.name },
        ...(leaf.signal ? { signals: [leaf.signal] } : {}),
        title: `etcd member ${reading.name} serving certificate ${leaf.phrase} (${identify(leaf)})`,
        summary: `The certificate etcd member ${reading.name} presents at ${reading.endpoint} ${leaf.phrase}: notAfter ${leaf.certificate.notAfter} (${thresholdsText(args)}).`,
        evidence: servingEvidence(reading, leaf),
        recommendation: etcdServingAdvice(reading.name, leaf.state === 'expired', leaf.state === 'not-yet-valid'),
        data: { member: reading.name, endpoint: reading.endpoint, certificate: certificateData(leaf) },
      });
    }

    for (const ca of caProblems.values()) {
      findings.push({
        check: CHECK,
        severity: ca.severity,
        about: { component: 'etcd' },
        ...(ca.signal ? { signals: [ca.signal] } : {}),
        title: `etcd CA certificate ${ca.phrase} (${identify(ca)})`,
        summary: `The CA that signs etcd's serving certificates ${ca.phrase}: notAfter ${ca.certificate.notAfter}. \`kubeadm certs renew\` does not renew CAs (/etc/kubernetes/pki/etcd/ca.crt): plan a CA rotation before it expires.`,
        evidence: [certificateEvidence('etcd CA', ca)],
        recommendation: etcdServingAdvice('each member', ca.state === 'expired', ca.state === 'not-yet-valid'),
        data: { certificate: certificateData(ca) },
      });
    }

    if (client) {
      const judged = client.chain.map((certificate) => judgeCertificate(certificate, at, args));
      const [leaf] = judged;
      const worst = mostUrgent(judged);
      if (leaf && worst) {
        summary.push(certificateEvidence('client certificate', leaf));
        if (worst.severity !== 'ok') {
          const user = leaf.certificate.commonName ?? leaf.certificate.subject;
          findings.push({
            check: CHECK,
            severity: worst.severity,
            about: { component: 'client', instance: user },
            ...(worst.signal ? { signals: [worst.signal] } : {}),
            title: `etcd client certificate ${worst.phrase} (${identify(worst)})`,
            summary: `${client.source} authenticates to etcd as ${leaf.certificate.subject} with a certificate that ${worst.phrase}: notAfter ${worst.certificate.notAfter} (${thresholdsText(args)}).`,
            evidence: [certificateEvidence('client certificate', worst), { label: 'from', value: client.source }],
            recommendation: etcdClientAdvice(
              clusterSetting(run.cluster, 'etcd.certFile'),
              leaf.certificate.commonName,
              worst.state === 'expired',
            ),
            data: { source: client.source, chain: judged.map(certificateData) },
          });
        }
      }
    }

    const unread = readings.filter((reading) => reading.error || !reading.serving);
    if (findings.length > 0 && unread.length === 0 && !note) return findings;
    if (note) summary.push({ label: 'members', value: note });
    const read = readings.length - unread.length;
    const plain = readings.filter((reading) => !reading.error && !reading.serving);
    const title =
      plain.length === readings.length
        ? 'etcd serves plain HTTP: no serving certificates to check'
        : unread.length > 0
          ? `etcd serving certificates: ${read} of ${pluralize(readings.length, 'member')} read`
          : `etcd serving certificates ${soonest?.state === 'valid' ? `valid for at least ${soonest.phrase.replace('valid for ', '')}` : 'checked'} (${pluralize(readings.length, 'member')})`;
    findings.push({
      check: CHECK,
      severity: unread.length > 0 || note ? 'info' : 'ok',
      about: { component: 'etcd' },
      title,
      summary:
        unread.length > 0
          ? `${unread.map((reading) => `${reading.name}: ${reading.error ?? 'plain HTTP'}`).join('; ')}. The members that answer the handshake are judged ${thresholdsText(args)}.`
          : `Each member's certificate and its CA are judged ${thresholdsText(args)}.`,
      evidence: summary,
      data: {
        members: readings.map((reading) => ({
          name: reading.name,
          endpoint: reading.endpoint,
          error: reading.error ?? null,
          certificate: reading.serving?.chain[0]
            ? certificateData(judgeCertificate(reading.serving.chain[0], at, args))
            : null,
        })),
      },
    });
    return findings;
  },
});
