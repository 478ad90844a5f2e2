import { z } from 'zod';

/** Most severe first: the order findings are ranked in and the order exit codes follow. */
export const SEVERITIES = ['critical', 'warning', 'info', 'ok'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

/** One label/value pair of evidence. A multi-line value is an excerpt (a log tail, a health report). */
export const EvidenceSchema = z.object({
  label: z.string().min(1),
  value: z.string(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

const DefragMemberSchema = z.object({
  id: z.string().describe('member ID in hex, as etcdctl prints it'),
  name: z.string(),
  endpoint: z.string(),
  role: z.enum(['follower', 'leader']),
  dbSizeBytes: z.number().int().nonnegative(),
  dbSizeInUseBytes: z.number().int().nonnegative(),
  expectedReclaimBytes: z.number().int().nonnegative(),
});
export type DefragMember = z.infer<typeof DefragMemberSchema>;

/** A maintenance action a finding proposes. It is only a proposal: nothing runs without an approval. */
export const ProposalSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('etcd.compact'),
    summary: z.string(),
    revision: z.string().regex(/^\d+$/).describe('compact all history before this revision'),
    expectedReclaimBytes: z.number().int().nonnegative().optional(),
  }),
  z.object({
    action: z.literal('etcd.defrag'),
    summary: z.string(),
    members: z.array(DefragMemberSchema).min(1).describe('in execution order: followers first, leader last'),
    expectedReclaimBytes: z.number().int().nonnegative(),
  }),
  z.object({
    action: z.literal('etcd.disarm'),
    summary: z.string(),
    alarms: z.array(z.object({ memberId: z.string(), alarm: z.literal('NOSPACE') })).min(1),
    condition: z.string().describe('what must hold before disarming'),
  }),
]);
export type Proposal = z.infer<typeof ProposalSchema>;
export type ProposalAction = Proposal['action'];

export const FindingSchema = z.object({
  check: z.string().min(1),
  severity: SeveritySchema,
  title: z.string().min(1),
  summary: z.string(),
  evidence: z.array(EvidenceSchema),
  recommendation: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  proposals: z.array(ProposalSchema).optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Most severe first; within a severity, proposals first (they need a decision), then the playbook's check order. */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort(
      (a, b) =>
        severityRank(a.finding.severity) - severityRank(b.finding.severity) ||
        Number(Boolean(b.finding.proposals?.length)) - Number(Boolean(a.finding.proposals?.length)) ||
        a.index - b.index,
    )
    .map(({ finding }) => finding);
}

export function worstSeverity(findings: readonly Finding[]): Severity {
  return findings.reduce<Severity>(
    (worst, finding) => (severityRank(finding.severity) < severityRank(worst) ? finding.severity : worst),
    'ok',
  );
}

/** The outcome of one playbook run, as rendered and as printed by `--format json`. */
export interface DiagnosisReport {
  playbook: string;
  playbookTitle: string;
  cluster: string;
  startedAt: string;
  finishedAt: string;
  findings: Finding[];
}
