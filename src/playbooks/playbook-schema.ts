import { z } from 'zod';

const Identifier = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'use lowercase letters, digits and dashes, starting with a letter');

/** A parameter the operator may set (`--param window=10`); checks reference it as `${name}` in their args. */
export const PlaybookParameterSchema = z.object({
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'use letters and digits only'),
  description: z.string().min(1),
  type: z.enum(['string', 'number', 'boolean']),
  /**
   * For strings that name a Kubernetes object: `namespace` (a DNS-1123 label, as namespaces are). A value that
   * cannot be such a name is refused before the run is queued, rather than listing nothing.
   */
  format: z.enum(['namespace']).optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
});
export type PlaybookParameter = z.infer<typeof PlaybookParameterSchema>;

export const PlaybookCheckSchema = z.object({
  /** Which check in code runs, e.g. `etcd.member-health`. */
  check: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, 'a check id looks like "family.name"'),
  /** Overrides the runner's default deadline for this check. */
  timeoutSeconds: z.number().positive().max(600).optional(),
  args: z.record(z.string(), z.unknown()).default({}),
});
export type PlaybookCheck = z.infer<typeof PlaybookCheckSchema>;

export const REMEDIATIONS = ['etcd.compact', 'etcd.defrag', 'etcd.disarm'] as const;

export const PlaybookSchema = z
  .object({
    id: Identifier,
    title: z.string().min(1).max(150),
    description: z.string().min(1),
    /** Alertmanager alert names that trigger this playbook. */
    alerts: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an alert name')).default([]),
    parameters: z.array(PlaybookParameterSchema).default([]),
    checks: z.array(PlaybookCheckSchema).min(1),
    /** Maintenance actions this playbook's findings may propose; any other proposal is dropped by the runner. */
    remediations: z.array(z.enum(REMEDIATIONS)).default([]),
  })
  .strict();
export type Playbook = z.infer<typeof PlaybookSchema>;
