import { analyzeFindings } from '../../src/findings/analyze-findings.js';
import type { EtcdBasis, Finding } from '../../src/findings/finding.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnosis-report.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** A Bearer token planted in evidence: it must not survive any renderer. */
export const PLANTED_SECRET = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06a2NtIn0.c2lnbmF0dXJlLXBsYW50ZWQ';

/** kube-controller-manager's previous run ending in a fatal error: 30 klog lines, one with a token in it. */
export function crashLog(lines = 30): string {
  const out: string[] = [];
  for (let index = 0; index < lines - 2; index += 1) {
    const second = String(10 + (index % 50)).padStart(2, '0');
    out.push(
      `I0612 03:14:${second}.926535       1 reflector.go:359] Listing and watching *v1.Pod from k8s.io/client-go/informers/factory.go:160 (attempt ${index + 1})`,
    );
  }
  out.push(
    `I0612 03:15:01.000001       1 round_trippers.go:466] curl -v -XGET -H "Authorization: Bearer ${PLANTED_SECRET}" 'https://10.0.0.10:6443/api'`,
  );
  out.push(
    'F0612 03:15:02.118734       1 controllermanager.go:246] error building controller context: failed to wait for apiserver being healthy: timed out waiting for the condition: failed to get apiserver /healthz status: Get "https://10.0.0.10:6443/healthz?timeout=32s": dial tcp 10.0.0.10:6443: connect: connection refused',
  );
  return out.join('\n');
}

export const staleLease: Finding = {
  check: 'leases.leader',
  severity: 'critical',
  about: { component: 'kube-controller-manager' },
  signals: ['lease.stale'],
  title: 'kube-controller-manager has no active leader: lease last renewed 5m 12s ago by cp-1',
  summary:
    'The lease expires after 15s without renewal; no kube-controller-manager instance is doing its work (no reconciliation: deployments, nodes, endpoints go stale).',
  evidence: [
    { label: 'holder', value: 'cp-1_6b9e1c2d-5f3a-4e8b-9c7d-0a1b2c3d4e5f' },
    { label: 'last renewed', value: '5m 12s ago (2026-11-24T03:06:57Z)' },
    { label: 'lease duration', value: '15s' },
    { label: 'transitions', value: '3' },
  ],
  recommendation:
    'Check the kube-controller-manager static pods on the control-plane nodes (is cp-1 up? is the process crash-looping or unable to reach the API server?) and their logs for "failed to renew lease" or "leaderelection lost".',
  data: { component: 'kube-controller-manager', holder: 'cp-1_6b9e1c2d', ageMs: 312_000, transitions: 3 },
};

export const crashLoop: Finding = {
  check: 'control-plane.pods',
  severity: 'critical',
  about: { component: 'kube-controller-manager', instance: 'kube-controller-manager-cp-1', node: 'cp-1' },
  signals: ['component.crashlooping'],
  title: 'kube-controller-manager-cp-1 is crash-looping (12 restarts)',
  summary: 'kube-controller-manager on cp-1; last exit: Error (exit code 1) at 2026-11-24T03:15:02Z.',
  evidence: [
    { label: 'pod', value: 'kube-system/kube-controller-manager-cp-1' },
    { label: 'node', value: 'cp-1' },
    { label: 'phase', value: 'Running' },
    { label: 'restarts', value: '12' },
    { label: 'waiting', value: 'CrashLoopBackOff: back-off 5m0s restarting failed container=kube-controller-manager' },
    { label: 'log (kube-controller-manager, previous run)', value: crashLog() },
  ],
  recommendation:
    'Read why kube-controller-manager exits (the log excerpt above, or `kubectl -n kube-system logs kube-controller-manager-cp-1 --previous`); check /etc/kubernetes/manifests on cp-1.',
  data: { pod: 'kube-controller-manager-cp-1', restarts: 12, lastTermination: 'Error (exit code 1)' },
};

/** What the NOSPACE proposals were planned against. */
export const nospaceBasis: EtcdBasis = {
  runId: 'r-mfz1k2a0-1a2b3c4d',
  cluster: 'prod-eu-1',
  etcdClusterId: 'cdf818194e3a8c32',
  leaderId: '8e9e05c52164694d',
  revision: '48211237',
  quotaBytes: 2 * GiB,
  observedAt: '2026-11-24T03:12:05.000Z',
  members: [
    {
      id: '8e9e05c52164694d',
      name: 'etcd-a',
      endpoint: 'https://10.0.0.11:2379',
      role: 'leader',
      dbSizeBytes: 2 * GiB,
      dbSizeInUseBytes: 600 * MiB,
      revision: '48211237',
      raftIndex: 90_112,
    },
    {
      id: '91bc3c398fb3c146',
      name: 'etcd-b',
      endpoint: 'https://10.0.0.12:2379',
      role: 'follower',
      dbSizeBytes: Math.round(1.9 * GiB),
      dbSizeInUseBytes: 590 * MiB,
      revision: '48211237',
      raftIndex: 90_112,
    },
    {
      id: 'fd422379fda50e48',
      name: 'etcd-c',
      endpoint: 'https://10.0.0.13:2379',
      role: 'follower',
      dbSizeBytes: Math.round(1.9 * GiB),
      dbSizeInUseBytes: 595 * MiB,
      revision: '48211237',
      raftIndex: 90_111,
    },
  ],
  alarms: [{ memberId: '8e9e05c52164694d', alarm: 'NOSPACE' }],
};

export const nospace: Finding = {
  check: 'etcd.space',
  severity: 'critical',
  about: { component: 'etcd' },
  signals: ['etcd.nospace'],
  title: 'etcd NOSPACE alarm: the database hit its 2.0 GiB quota, writes are rejected',
  summary: 'etcd-a is at 100% of the quota, 71% of the file is free pages: defragmentation will reclaim most of it.',
  evidence: [
    { label: 'quota', value: '2.0 GiB' },
    { label: 'etcd-a', value: '2.0 GiB on disk, 600 MiB in use (leader)' },
    { label: 'etcd-b', value: '1.9 GiB on disk, 590 MiB in use' },
    { label: 'etcd-c', value: '1.9 GiB on disk, 595 MiB in use' },
    { label: 'alarms', value: 'NOSPACE on 8e9e05c52164694d' },
  ],
  recommendation:
    'Follow the NOSPACE recovery: compact to the current revision, defragment every member (followers first, leader last), disarm the alarm, then verify a write succeeds.',
  proposals: [
    {
      action: 'etcd.compact',
      summary: 'Compact history up to the current revision',
      revision: '48211237',
      expectedReclaimBytes: 120 * MiB,
      basis: nospaceBasis,
    },
    {
      action: 'etcd.defrag',
      summary: 'Defragment all 3 members, followers first, leader last',
      expectedReclaimBytes: Math.round(4.1 * GiB),
      members: [
        {
          id: '91bc3c398fb3c146',
          name: 'etcd-b',
          endpoint: 'https://10.0.0.12:2379',
          role: 'follower',
          dbSizeBytes: Math.round(1.9 * GiB),
          dbSizeInUseBytes: 590 * MiB,
          expectedReclaimBytes: Math.round(1.32 * GiB),
        },
        {
          id: 'fd422379fda50e48',
          name: 'etcd-c',
          endpoint: 'https://10.0.0.13:2379',
          role: 'follower',
          dbSizeBytes: Math.round(1.9 * GiB),
          dbSizeInUseBytes: 595 * MiB,
          expectedReclaimBytes: Math.round(1.31 * GiB),
        },
        {
          id: '8e9e05c52164694d',
          name: 'etcd-a',
          endpoint: 'https://10.0.0.11:2379',
          role: 'leader',
          dbSizeBytes: 2 * GiB,
          dbSizeInUseBytes: 600 * MiB,
          expectedReclaimBytes: Math.round(1.41 * GiB),
        },
      ],
      basis: nospaceBasis,
    },
    {
      action: 'etcd.disarm',
      summary: 'Disarm the NOSPACE alarm once every member is below 90% of the quota',
      alarms: [{ memberId: '8e9e05c52164694d', alarm: 'NOSPACE' }],
      condition: {
        description: 'every member dbSize < 1.8 GiB (quota × 0.9) after defragmentation',
        maxDbSizeRatio: 0.9,
        quotaBytes: 2 * GiB,
        belowBytes: Math.floor(2 * GiB * 0.9),
      },
      basis: nospaceBasis,
    },
  ],
  data: { quotaBytes: 2 * GiB },
};

export const warningEvents: Finding = {
  check: 'control-plane.events',
  severity: 'warning',
  title: '14 Warning events for control-plane components in the last 1h',
  summary: 'BackOff on pod/kube-controller-manager-cp-1 ×12; Unhealthy on pod/etcd-cp-2 ×2',
  evidence: [
    {
      label: 'BackOff pod/kube-controller-manager-cp-1 ×12 (40s ago)',
      value:
        'Back-off restarting failed container kube-controller-manager in pod kube-controller-manager-cp-1_kube-system(0d3f|a<b>&c)',
    },
    {
      label: 'Unhealthy pod/etcd-cp-2 ×2 (3m 2s ago)',
      value: 'Liveness probe failed: HTTP probe failed with statuscode: 503',
    },
  ],
  recommendation: 'Read the newest events first; BackOff means a crash loop, Unhealthy a failing probe.',
};

export const missingPods: Finding = {
  check: 'control-plane.pods',
  severity: 'info',
  title: 'No pods found for kube-scheduler in kube-system',
  summary: 'These components do not run as pods here: a managed control plane, or they are missing.',
  evidence: [{ label: 'missing', value: 'kube-scheduler' }],
  recommendation: 'On a kubeadm cluster, check /etc/kubernetes/manifests on every control-plane node.',
};

export const passed: Finding[] = [
  {
    check: 'apiserver.health',
    severity: 'ok',
    title: 'kube-apiserver /livez and /readyz pass',
    summary: '3 of 3 endpoints healthy.',
    evidence: [],
  },
  {
    check: 'etcd.member-health',
    severity: 'ok',
    title: 'etcd: 3 members healthy, leader etcd-a',
    summary: 'Raft indexes within 12 entries.',
    evidence: [{ label: 'leader', value: 'etcd-a' }],
  },
  {
    check: 'nodes.conditions',
    severity: 'ok',
    title: 'All 3 control-plane nodes Ready',
    summary: 'No pressure conditions.',
    evidence: [],
  },
];

/** A degraded control plane: a stale lease, a crash loop with a log excerpt, NOSPACE with proposals, and passes. */
export function degradedReport(): DiagnosisReport {
  return {
    runId: nospaceBasis.runId,
    playbook: 'control-plane-health',
    playbookTitle: 'Control-plane health',
    cluster: 'prod-eu-1',
    params: { namespace: 'kube-system', eventLookbackMinutes: 60 },
    trigger: { kind: 'slack', by: 'U0ONCALL1' },
    requestedAt: '2026-11-24T03:11:59.500Z',
    apiServer: 'https://10.0.0.10:6443',
    startedAt: '2026-11-24T03:12:00.000Z',
    finishedAt: '2026-11-24T03:12:12.400Z',
    // Ranked as the runner does: most severe first, proposals first within a severity.
    ...analyzeFindings([
      passed[0]!,
      staleLease,
      crashLoop,
      warningEvents,
      nospace,
      missingPods,
      passed[1]!,
      passed[2]!,
    ]),
  };
}

/** Everything passes. */
export function healthyReport(): DiagnosisReport {
  return { ...degradedReport(), ...analyzeFindings([...passed]) };
}

/** The stress case from the Block Kit limits: many findings, many evidence pairs, a 10,000-character excerpt each. */
export function hugeReport(findingCount = 60): DiagnosisReport {
  const excerpt = Array.from({ length: 100 }, (_, line) => `line ${line} <${'x'.repeat(80)}> & more`)
    .join('\n')
    .slice(0, 10_000);
  const findings: Finding[] = Array.from({ length: findingCount }, (_, index) => ({
    check: `stress.check-${index}`,
    severity: index % 3 === 0 ? 'critical' : index % 3 === 1 ? 'warning' : 'ok',
    title: `Finding ${index}: ${'a very long title '.repeat(20)}`,
    summary: `Summary ${index} ${'with a long explanation & <angle brackets> '.repeat(100)}`,
    evidence: [
      ...Array.from({ length: 12 }, (_, pair) => ({
        label: `label ${pair} ${'L'.repeat(60)}`,
        value: `value ${pair} ${'v'.repeat(3_000)}`,
      })),
      { label: 'log excerpt', value: excerpt },
    ],
    recommendation: `Recommendation ${index}: ${'do this & that. '.repeat(250)}`,
    ...(index % 10 === 0
      ? {
          proposals: [
            { action: 'etcd.compact' as const, summary: `compact ${index}`, revision: '123456', basis: nospaceBasis },
          ],
        }
      : {}),
  }));
  return { ...degradedReport(), ...analyzeFindings(findings) };
}
