import { z } from 'zod';

/**
 * The parts of Slack's interaction payloads the maintenance flow reads, validated at the edge: a payload that does
 * not fit is answered with nothing done. Unknown fields are allowed (Slack adds fields over time).
 */
export const ButtonClickSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  trigger_id: z.string().min(1),
  channel: z.object({ id: z.string().min(1) }),
  container: z.object({ message_ts: z.string().min(1), thread_ts: z.string().optional() }).loose(),
  message: z.object({ ts: z.string(), thread_ts: z.string().optional() }).loose().optional(),
  actions: z
    .array(z.object({ action_id: z.string(), value: z.string().max(2000) }).loose())
    .min(1)
    .max(1),
});
export type ButtonClick = z.infer<typeof ButtonClickSchema>;

/** What the request modal carries from the click to the submission (private_metadata, JSON). */
export const RequestModalMetadataSchema = z.strictObject({
  ref: z.string().max(2000),
  channel: z.string().min(1),
  /** The message the button was on, when the run record does not say where the run's thread is. */
  messageTs: z.string().min(1),
});
export type RequestModalMetadata = z.infer<typeof RequestModalMetadataSchema>;

export const REQUEST_CALLBACK_ID = 'quorum.maintenance.request';
export const REASON_BLOCK_ID = 'reason';
export const REASON_ACTION_ID = 'reason';

export const RequestSubmissionSchema = z.object({
  type: z.literal('view_submission'),
  user: z.object({ id: z.string().min(1) }),
  view: z
    .object({
      callback_id: z.literal(REQUEST_CALLBACK_ID),
      private_metadata: z.string(),
      state: z.object({
        values: z.object({
          [REASON_BLOCK_ID]: z.object({
            [REASON_ACTION_ID]: z.object({ value: z.string().trim().min(3).max(500) }).loose(),
          }),
        }),
      }),
    })
    .loose(),
});
export type RequestSubmission = z.infer<typeof RequestSubmissionSchema>;
