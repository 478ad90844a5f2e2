import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ClusterNameSchema } from '../config/config-schema.js';

/**
 * A run id: letters, digits, `-` and `_`, not all digits and without `:` (BullMQ job ids may be neither), short
 * enough for a Slack button value.
 */
export const RunIdSchema = z
  .string()
  .regex(/^(?!\d+$)[A-Za-z0-9_-]{1,64}$/, { error: 'a run id is 1-64 letters, digits, "-" or "_", not only digits' });

/** One alert that started a run, as its message shows it. */
export const TriggerAlertSchema = z.strictObject({
  name: z.string().min(1).max(200),
  severity: z.string().max(50).optional(),
  /** The `summary` annotation (else `message` or `description`). */
  summary: z.string().max(500).optional(),
  /** Where Prometheus shows the alert's expression. */
  generatorURL: z.string().max(2000).optional(),
  startsAt: z.string().optional(),
  fingerprint: z.string().max(64).optional(),
});
export type TriggerAlert = z.infer<typeof TriggerAlertSchema>;

/** Alerts a run message lists; the count says how many there were in all. */
export const MAX_TRIGGER_ALERTS = 10;

/** Who or what asked for a run. */
export const RunTriggerSchema = z.strictObject({
  kind: z.enum(['cli', 'slack', 'alert', 'api']),
  /** The person (a Slack user id, a Unix user) or the alert that asked, when known. */
  by: z.string().min(1).max(200).optional(),
  /** For `alert`: the alerts that started the run (the first {@link MAX_TRIGGER_ALERTS}). */
  alerts: z.array(TriggerAlertSchema).max(MAX_TRIGGER_ALERTS).optional(),
  /** For `alert`: how many alerts started it, those not listed and those Alertmanager left out included. */
  alertCount: z.number().int().nonnegative().optional(),
});
export type RunTrigger = z.infer<typeof RunTriggerSchema>;

/** A playbook parameter as a front end sends it: typed, or the text someone typed (`windowSeconds=30`). */
export const ParamValueSchema = z.union([z.string(), z.number(), z.boolean()]);

/**
 * The run envelope: what travels from the CLI, the bot or an alert through the queue to the worker, and comes back
 * on the report. `params` are coerced to the playbook's declared types when the run starts.
 */
export const RunRequestSchema = z.strictObject({
  runId: RunIdSchema,
  cluster: ClusterNameSchema,
  playbook: z.string().min(1),
  params: z.record(z.string(), ParamValueSchema).default({}),
  trigger: RunTriggerSchema,
  requestedAt: z.iso.datetime({ offset: true }),
});
export type RunRequest = z.infer<typeof RunRequestSchema>;

/** What a caller must give; the rest gets defaults (a fresh run id, the default cluster, now, an `api` trigger). */
export type RunRequestInput = Pick<RunRequest, 'playbook'> & Partial<Omit<RunRequest, 'playbook'>>;

/** A fresh run id: time-ordered, unique without coordination (`r-lz2k9x1c-3f9a1b7e`). */
export function newRunId(now: Date = new Date()): string {
  return `r-${now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
}
