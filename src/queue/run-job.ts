import { z } from 'zod';
import { SlackChannelIdSchema } from '../config/config-schema.js';
import { RunRequestSchema } from '../diagnosis/run-request.js';

/** Where a run's message lives in Slack and who asked, beside the run envelope. */
export const RunSlackTargetSchema = z.strictObject({
  channel: SlackChannelIdSchema.or(z.string().regex(/^D[A-Z0-9]+$/)),
  /** The message the run updates; set by whoever posted it first (the bot, or the worker for alert runs). */
  messageTs: z
    .string()
    .regex(/^\d+\.\d+$/)
    .optional(),
  /** Slack user id of the requester, for mentions. */
  requester: z.string().min(1).optional(),
});
export type RunSlackTarget = z.infer<typeof RunSlackTargetSchema>;

/** What a queued run carries: M3's run envelope, and where to report it. */
export const RunJobSchema = z.strictObject({
  request: RunRequestSchema,
  slack: RunSlackTargetSchema.optional(),
});
export type RunJob = z.infer<typeof RunJobSchema>;

/**
 * The BullMQ queue of one cluster's runs. One queue per cluster, so that the per-cluster cap is the queue's global
 * concurrency (held by BullMQ in Redis across every worker process) and a busy cluster never holds up another.
 */
export function runQueueName(cluster: string): string {
  return `runs.${cluster}`;
}
