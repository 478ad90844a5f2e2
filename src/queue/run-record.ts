import { z } from 'zod';
import { RunTriggerSchema } from '../diagnosis/run-request.js';
import { SeveritySchema } from '../findings/finding.js';

export const RUN_STATES = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'] as const;
export const RunStateSchema = z.enum(RUN_STATES);
export type RunState = z.infer<typeof RunStateSchema>;

/** What `status` and `history` show of a run: who, when, what, how it ended, where its message is. */
export const RunRecordSchema = z.object({
  runId: z.string(),
  cluster: z.string(),
  playbook: z.string(),
  trigger: RunTriggerSchema,
  requestedAt: z.string(),
  state: RunStateSchema,
  attempts: z.number().int().nonnegative().default(0),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  durationMs: z.number().nonnegative().optional(),
  /** The worst severity, counts by severity and the one-line diagnosis of a finished run. */
  summary: z
    .object({
      worst: SeveritySchema,
      counts: z.record(SeveritySchema, z.number().int().nonnegative()),
      rootCause: z.string(),
    })
    .optional(),
  /** Why it failed or was stopped, in the words shown to people. */
  error: z.string().optional(),
  slack: z
    .object({
      channel: z.string(),
      messageTs: z.string().optional(),
      /** Thread parts already posted (by index), so a worker taking over does not post them again. */
      threadParts: z.number().int().nonnegative().default(0),
    })
    .optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** The alerts that started a run have all resolved: its message says when, and for how long they fired. */
export const RunResolutionSchema = z.strictObject({
  resolvedAt: z.string(),
  /** The earliest `startsAt` of the alerts. */
  firingSince: z.string(),
});
export type RunResolution = z.infer<typeof RunResolutionSchema>;
