import { z } from 'zod';
import { FindingSchema, type Finding } from '../findings/finding.js';
import { RootCauseSchema } from '../findings/root-cause.js';
import { ParamValueSchema, RunIdSchema, RunTriggerSchema } from './run-request.js';

/**
 * The outcome of one run, as rendered, printed by `--format json` and stored for `status` and approvals: the run
 * envelope (id, cluster by its configured name, playbook, parameters as resolved, trigger, request time) and the
 * findings, most likely cause first.
 */
export const DiagnosisReportSchema = z.object({
  runId: RunIdSchema,
  cluster: z.string().min(1),
  playbook: z.string().min(1),
  playbookTitle: z.string(),
  /** Every parameter of the playbook as the run used it (defaults filled in). */
  params: z.record(z.string(), ParamValueSchema),
  trigger: RunTriggerSchema,
  requestedAt: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** The API server's URL, so a reader sees which endpoint "prod-eu" meant. */
  apiServer: z.string().optional(),
  /** "Most likely cause: …", "Several independent problems: …" or "No problem found". */
  rootCause: RootCauseSchema,
  findings: z.array(FindingSchema),
});
export type DiagnosisReport = z.infer<typeof DiagnosisReportSchema> & { findings: Finding[] };
