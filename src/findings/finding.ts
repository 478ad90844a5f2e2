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

const HexIdSchema = z.string().regex(/^[0-9a-f]+$/, { error: 'an etcd id in hex, as etcdctl prints it' });
const BytesSchema = z.number().int().nonnegative();

/** One member as the run saw it when it planned. */
const EtcdMemberSnapshotSchema = z.object({
  id: HexIdSchema,
  name: z.string(),
  endpoint: z.string(),
  role: z.enum(['leader', 'follower', 'learner']),
  dbSizeBytes: BytesSchema,
  dbSizeInUseBytes: BytesSchema,
  revision: z.string().regex(/^\d+$/),
  raftIndex: z.number().int().nonnegative(),
});
export type EtcdMemberSnapshot = z.infer<typeof EtcdMemberSnapshotSchema>;

/**
 * What a proposal was planned against, so that an executor can prove it acts on the same cluster in the same state
 * (and re-plan when the leader changed, a member came or went, or an alarm appeared) before it touches anything.
 */
export const EtcdBasisSchema = z.object({
  /** The run that observed this state, and the cluster by its configured name. */
  runId: z.string().min(1),
  cluster: z.string().min(1),
  /** etcd's own identity of the cluster (`header.cluster_id`), in hex. */
  etcdClusterId: HexIdSchema,
  leaderId: HexIdSchema,
  /** The leader's store revision when observed (decimal string: it can exceed 2^53). */
  revision: z.string().regex(/^\d+$/),
  quotaBytes: BytesSchema,
  observedAt: z.string(),
  /** Every member that answered, learners included. */
  members: z.array(EtcdMemberSnapshotSchema).min(1),
  alarms: z.array(z.object({ memberId: HexIdSchema, alarm: z.enum(['NOSPACE', 'CORRUPT']) })),
});
export type EtcdBasis = z.infer<typeof EtcdBasisSchema>;

const DefragMemberSchema = z.object({
  id: HexIdSchema.describe('member ID in hex, as etcdctl prints it'),
  name: z.string(),
  endpoint: z.string(),
  role: z.enum(['follower', 'leader']),
  dbSizeBytes: BytesSchema,
  dbSizeInUseBytes: BytesSchema,
  expectedReclaimBytes: BytesSchema,
});
export type DefragMember = z.infer<typeof DefragMemberSchema>;

/** A maintenance action a finding proposes. It is only a proposal: nothing runs without an approval. */
export const ProposalSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('etcd.compact'),
    summary: z.string(),
    revision: z.string().regex(/^\d+$/).describe('compact all history before this revision'),
    expectedReclaimBytes: BytesSchema.optional(),
    basis: EtcdBasisSchema,
  }),
  z.object({
    action: z.literal('etcd.defrag'),
    summary: z.string(),
    members: z.array(DefragMemberSchema).min(1).describe('in execution order: followers first, leader last'),
    expectedReclaimBytes: BytesSchema,
    basis: EtcdBasisSchema,
  }),
  z.object({
    action: z.literal('etcd.disarm'),
    summary: z.string(),
    alarms: z.array(z.object({ memberId: HexIdSchema, alarm: z.literal('NOSPACE') })).min(1),
    /** Disarm only when every member's db size is below `maxDbSizeRatio` × `quotaBytes` (= `belowBytes`). */
    condition: z.object({
      description: z.string(),
      maxDbSizeRatio: z.number().gt(0).lte(1),
      quotaBytes: BytesSchema,
      belowBytes: BytesSchema,
    }),
    basis: EtcdBasisSchema,
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
