import { z } from 'zod';

/** One line of the audit trail: who did what to which cluster, when, and how it ended. */
export const AuditEntrySchema = z.object({
  /** The stream entry id (`<ms>-<seq>`), set when read back. */
  id: z.string().optional(),
  at: z.string(),
  /** `approval.request`, `approval.approve`, `approval.deny`, `approval.expire`, `maintenance.step.defrag`, `command.audit`, … */
  action: z.string(),
  /** A Slack user id, an executor's name, or `quorum` for the bot itself. */
  actor: z.string(),
  cluster: z.string().optional(),
  approvalId: z.string().optional(),
  runId: z.string().optional(),
  outcome: z.string(),
  detail: z.string().optional(),
  /** The plan in one line, on requests. */
  plan: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
