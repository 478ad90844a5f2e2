import { createHash } from 'node:crypto';
import { z } from 'zod';

const AlertStatusSchema = z.enum(['firing', 'resolved']);
const LabelSetSchema = z.record(z.string(), z.string());

/**
 * One alert of Alertmanager's webhook. Unknown fields are kept out of the way, not refused: newer Alertmanagers add
 * some (`notification_reason`), and relays that replay payloads (prometheus-msteams' samples) leave out `status`,
 * `generatorURL` and `fingerprint`, which are filled in by {@link normalizeNotification}.
 */
export const AlertmanagerAlertSchema = z.looseObject({
  status: AlertStatusSchema.optional(),
  labels: LabelSetSchema.refine((labels) => typeof labels.alertname === 'string' && labels.alertname.length > 0, {
    error: 'every alert needs an alertname label',
  }),
  annotations: LabelSetSchema.default({}),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

/**
 * Alertmanager's webhook payload, version "4" (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
 * `version` and `groupKey` are optional because real senders omit them; a version other than "4" is refused, since
 * its fields could mean something else.
 */
export const AlertmanagerPayloadSchema = z.looseObject({
  version: z.literal('4', { error: 'only webhook payload version "4" is understood' }).optional(),
  groupKey: z.string().optional(),
  /** Alerts Alertmanager left out of `alerts` because of the receiver's `max_alerts`. */
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: AlertStatusSchema,
  receiver: z.string().optional(),
  groupLabels: LabelSetSchema.default({}),
  commonLabels: LabelSetSchema.default({}),
  commonAnnotations: LabelSetSchema.default({}),
  externalURL: z.string().optional(),
  alerts: z.array(AlertmanagerAlertSchema).max(10_000),
});
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayloadSchema>;

/**
 * {@link AlertmanagerPayloadSchema} compiled by zod's compiler (`z.compile`) into one generated function: the webhook
 * and the inbox parse every notification of a storm with it. Same output, same issues (a payload the generated code
 * refuses is handed to the runtime parser, which reports them), in about half the time; a schema the compiler
 * cannot handle is left on the runtime parser, unchanged.
 */
export const CompiledPayloadSchema = z.compile(AlertmanagerPayloadSchema);

/** One alert as Quorum keeps it: every field it routes and shows on, nothing it does not. */
export const ReceivedAlertSchema = z.strictObject({
  fingerprint: z.string(),
  status: AlertStatusSchema,
  name: z.string(),
  labels: LabelSetSchema,
  annotations: LabelSetSchema,
  startsAt: z.string().optional(),
  /** Set when resolved (Alertmanager sends 0001-01-01T00:00:00Z while firing: dropped). */
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
});
export type ReceivedAlert = z.infer<typeof ReceivedAlertSchema>;

/** A notification as accepted and kept in the inbox until it is processed. */
export const AlertNotificationSchema = z.strictObject({
  receivedAt: z.string(),
  groupKey: z.string().optional(),
  status: AlertStatusSchema,
  truncatedAlerts: z.number().int().nonnegative(),
  alerts: z.array(ReceivedAlertSchema),
});
export type AlertNotification = z.infer<typeof AlertNotificationSchema>;

/** Go's zero time, which Alertmanager writes as `endsAt` of a firing alert. */
function realTime(value: string | undefined): string | undefined {
  if (!value || value.startsWith('0001-01-01')) return undefined;
  return Number.isNaN(Date.parse(value)) ? undefined : value;
}

/** Alertmanager's fingerprint is a hash of the label set: the same idea, for senders that leave it out. */
function labelFingerprint(labels: Readonly<Record<string, string>>): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((key) => `${key}\u0000${labels[key]}`)
    .join('\u0001');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * The accepted payload in Quorum's terms: each alert with its own status (the group's when the sender left it out),
 * a fingerprint, and real times only.
 */
export function normalizeNotification(payload: AlertmanagerPayload, receivedAt: Date): AlertNotification {
  // Fields assigned one by one rather than spread in: this runs for every notification of a storm.
  const notification: AlertNotification = {
    receivedAt: receivedAt.toISOString(),
    status: payload.status,
    truncatedAlerts: payload.truncatedAlerts,
    alerts: payload.alerts.map((alert) => {
      const received: ReceivedAlert = {
        fingerprint: alert.fingerprint || labelFingerprint(alert.labels),
        status: alert.status ?? payload.status,
        name: alert.labels.alertname as string,
        labels: alert.labels,
        annotations: alert.annotations,
      };
      const startsAt = realTime(alert.startsAt);
      const endsAt = realTime(alert.endsAt);
      if (startsAt) received.startsAt = startsAt;
      if (endsAt) received.endsAt = endsAt;
      if (alert.generatorURL) received.generatorURL = alert.generatorURL;
      return received;
    }),
  };
  if (payload.groupKey) notification.groupKey = payload.groupKey;
  return notification;
}

/** Zod's issues as one line that names each path: what a 400 answer says. */
export function describePayloadIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`)
    .join('; ');
}
