import type { DiagnosisReport } from '../diagnosis/diagnosis-report.js';
import type { Finding } from '../findings/finding.js';

/** The command-line flag for each cluster setting that has one. */
const FLAGS: Readonly<Record<string, string>> = {
  'kube.kubeconfig': '--kubeconfig',
  'kube.context': '--context',
  'kube.inCluster': '--in-cluster',
  'etcd.endpoints': '--etcd-endpoints',
  'etcd.caFile': '--etcd-cacert',
  'etcd.certFile': '--etcd-cert',
  'etcd.keyFile': '--etcd-key',
  'etcd.quotaBytes': '--etcd-quota-bytes',
  'prometheus.url': '--prometheus-url',
  'prometheus.selector': '--prometheus-selector',
};

const SETTING = /\bclusters\.[a-z0-9][a-z0-9.-]*?\.(kube|etcd|prometheus)\.([A-Za-z]+)\b/g;

/**
 * Messages name settings by their config path (`clusters.prod-eu.etcd.endpoints`), which every front end
 * understands; on the command line the flag is added: `clusters.prod-eu.etcd.endpoints (--etcd-endpoints)`.
 */
export function withFlagSpelling(text: string): string {
  return text.replace(SETTING, (setting: string, section: string, key: string) => {
    const flag = FLAGS[`${section}.${key}`];
    return flag ? `${setting} (${flag})` : setting;
  });
}

function spellFinding(finding: Finding): Finding {
  return {
    ...finding,
    title: withFlagSpelling(finding.title),
    summary: withFlagSpelling(finding.summary),
    evidence: finding.evidence.map((item) => ({ ...item, value: withFlagSpelling(item.value) })),
    ...(finding.recommendation === undefined ? {} : { recommendation: withFlagSpelling(finding.recommendation) }),
  };
}

/** The report with every setting named in its findings given its flag too. */
export function reportWithFlagSpelling(report: DiagnosisReport): DiagnosisReport {
  return { ...report, findings: report.findings.map(spellFinding) };
}
