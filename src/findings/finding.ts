import { z } from 'zod';
import { AboutSchema, componentLayer, ExplanationSchema, SignalSchema } from './cause-vocabulary.js';

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
  /** Unique within a report (the runner assigns it): what `explainedBy` refers to. */
  id: z.string().optional(),
  check: z.string().min(1),
  severity: SeveritySchema,
  title: z.string().min(1),
  summary: z.string(),
  evidence: z.array(EvidenceSchema),
  recommendation: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  proposals: z.array(ProposalSchema).optional(),
  /** The component (and member, node or pod) the finding is about. */
  about: AboutSchema.optional(),
  /** What the evidence shows, for the cause rules (see src/findings/cause-rules.ts). */
  signals: z.array(SignalSchema).optional(),
  /** The findings that explain this one: it is a symptom, shown under its cause. */
  explainedBy: z.array(ExplanationSchema).optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/**
 * Causes before their symptoms. Each finding explained by another (`explainedBy`, see explain-findings.ts) is placed
 * right under the first of its causes; the rest are ranked as groups (a cause with everything it explains): most
 * severe group first, then groups that propose maintenance (they need a decision), then closest to the root of the
 * dependency order (etcd, the API server, controllers, nodes, workloads), then the playbook's check order.
 */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  const indexed = findings.map((finding, index) => ({ finding, index }));
  const ids = new Set(findings.flatMap((finding) => (finding.id === undefined ? [] : [finding.id])));
  const children = new Map<string, typeof indexed>();
  const roots: typeof indexed = [];
  for (const entry of indexed) {
    const parent = entry.finding.explainedBy?.find((link) => ids.has(link.id) && link.id !== entry.finding.id)?.id;
    if (parent === undefined) roots.push(entry);
    else children.set(parent, [...(children.get(parent) ?? []), entry]);
  }
  const groupKey = new Map<Finding, { severity: number; proposals: boolean }>();
  const key = (finding: Finding, trail: ReadonlySet<Finding> = new Set()): { severity: number; proposals: boolean } => {
    const known = groupKey.get(finding);
    if (known) return known;
    let severity = severityRank(finding.severity);
    let proposals = Boolean(finding.proposals?.length);
    for (const child of finding.id === undefined ? [] : (children.get(finding.id) ?? [])) {
      if (trail.has(child.finding)) continue;
      const inner = key(child.finding, new Set([...trail, finding]));
      severity = Math.min(severity, inner.severity);
      proposals ||= inner.proposals;
    }
    const result = { severity, proposals };
    groupKey.set(finding, result);
    return result;
  };
  const order = (a: (typeof indexed)[number], b: (typeof indexed)[number]): number => {
    const ka = key(a.finding);
    const kb = key(b.finding);
    return (
      ka.severity - kb.severity ||
      Number(kb.proposals) - Number(ka.proposals) ||
      componentLayer(a.finding.about?.component) - componentLayer(b.finding.about?.component) ||
      a.index - b.index
    );
  };
  const ranked: Finding[] = [];
  const placed = new Set<Finding>();
  const place = (entry: (typeof indexed)[number]): void => {
    if (placed.has(entry.finding)) return;
    placed.add(entry.finding);
    ranked.push(entry.finding);
    const below = entry.finding.id === undefined ? [] : (children.get(entry.finding.id) ?? []);
    for (const child of [...below].sort(order)) place(child);
  };
  for (const root of [...roots].sort(order)) place(root);
  // Findings whose causes form a loop (not produced by explainFindings, but possible in hand-made input) still show.
  for (const entry of indexed) place(entry);
  return ranked;
}

export function worstSeverity(findings: readonly Finding[]): Severity {
  return findings.reduce<Severity>(
    (worst, finding) => (severityRank(finding.severity) < severityRank(worst) ? finding.severity : worst),
    'ok',
  );
}
