import { z } from 'zod';
import { MetricFamilySchema } from './metric-schema.js';
import { parseQuantity } from '../../../checks/quantity.js';
import { durationMs } from './duration.js';
import { NamespaceSchema, Timestamp } from './object-schemas.js';

const HealthSpec = z.strictObject({
  /** Replaces the endpoint's default list of checks (kube-apiserver 1.32's). */
  checks: z.array(z.string().min(1)).optional(),
  /** Failing checks: name → the error the per-check path (`/readyz/etcd`) prints. */
  failing: z.record(z.string(), z.string().min(1)).default({}),
});

/** `2s`, `250ms`, `1m30s`, as ms. */
const Duration = z.union([
  z.number().int().nonnegative(),
  z.string().transform((text, context) => {
    const ms = durationMs(text);
    if (ms === undefined) {
      context.addIssue({ code: 'custom', message: 'expected a duration such as 2s, 250ms or 1m30s' });
      return z.NEVER;
    }
    return ms;
  }),
]);

/** `250m`, `1.5`, `4` cores; `1946Mi`, `2Gi`, `123456Ki` bytes: Kubernetes quantities. */
const Quantity = z.union([z.number().nonnegative(), z.string()]).transform((value, context) => {
  const parsed = typeof value === 'number' ? value : parseQuantity(value);
  if (parsed === undefined || parsed < 0) {
    context.addIssue({ code: 'custom', message: 'expected a Kubernetes quantity such as 250m, 2Gi or 1946Mi' });
    return z.NEVER;
  }
  return parsed;
});
const Usage = z.strictObject({ cpu: Quantity.optional(), memory: Quantity.optional() });

const MetricsServerSpec = z.strictObject({
  /** What `window` says: the span metrics-server's two kubelet samples cover (its --metric-resolution, 15 s). */
  window: Duration.default(15_000),
  /** Node name → its usage (the whole machine, system daemons included). */
  nodes: z.record(z.string(), Usage).default({}),
  /** `namespace/pod` → container → its usage. */
  pods: z.record(z.string(), z.record(z.string(), Usage)).default({}),
});

const Objects = z.array(z.record(z.string(), z.unknown())).default([]);

const Fields = {
  /** Must match the file name. */
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lowercase letters, digits and dashes'),
  description: z.string().min(1),
  cluster: z.strictObject({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'use lowercase letters, digits, "-" and "."'),
    version: z.string().regex(/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'a Kubernetes version like v1.32.2'),
    /** The advertised API server address (host:port) that `/api` publishes. */
    endpoint: z.string().default('10.0.0.10:6443'),
    /** `creationTimestamp` of objects that do not give one. */
    createdAt: Timestamp.default('-120d'),
  }),
  /** Named object templates; list entries use them with `{ template, with, each, patch }`. */
  templates: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  /** Declared in addition to default, kube-system, kube-public and kube-node-lease. */
  namespaces: z.array(NamespaceSchema).default([]),
  nodes: Objects,
  pods: Objects,
  events: Objects,
  leases: Objects,
  /**
   * Deep-merged into objects by storage key after templates expand (`pods: { kube-system/etcd-cp-1: {...} }`,
   * `nodes: { worker-2: {...} }`): how a scenario that extends another changes a few of its objects.
   */
  patches: z
    .strictObject({
      nodes: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
      pods: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
      events: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
      leases: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    })
    .default({}),
  logs: z
    .array(
      z.strictObject({
        namespace: z.string().default('default'),
        pod: z.string(),
        container: z.string().optional(),
        previous: z.boolean().default(false),
        /** Lines, written `spacing` apart; the last at `at`. */
        text: z.string(),
        /**
         * When the last line was written. Default: the container's last termination (`finishedAt`) for a previous
         * log, the simulator's now for a current one.
         */
        at: Timestamp.optional(),
        /** Between two lines of `text`. */
        spacing: Duration.default(1),
        /** `text` written again every `every`, the first time at `from` (a time), the last at `at`. */
        repeat: z
          .strictObject({ every: Duration.refine((ms) => ms > 0, 'must be longer than 0'), from: Timestamp })
          .optional(),
      }),
    )
    .default([]),
  health: z
    .strictObject({
      livez: HealthSpec.default({ failing: {} }),
      readyz: HealthSpec.default({ failing: {} }),
      healthz: HealthSpec.default({ failing: {} }),
    })
    .default({ livez: { failing: {} }, readyz: { failing: {} }, healthz: { failing: {} } }),
  metrics: z.array(MetricFamilySchema).default([]),
  /**
   * metrics-server, serving `metrics.k8s.io/v1beta1` (what `kubectl top` reads). Omitted or `false`: the group is not
   * served at all, as in a cluster without metrics-server. Usage not given here is derived from each container's
   * requests (or limits); a node's from its pods plus the system's own share.
   */
  metricsServer: z.union([z.literal(false), MetricsServerSpec]).optional(),
};

/**
 * A scenario file. Top-level keys starting with `x-` are ignored, so they can hold YAML anchors (`x-buckets: &b
 * [...]`) shared by the rest of the file.
 */
export const ScenarioFileSchema = z.preprocess(
  (value) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith('x-')))
      : value,
  z.strictObject(Fields),
);
export type ScenarioFile = z.output<typeof ScenarioFileSchema>;
/** What a generator hands to `buildScenario`: a scenario file's content, before defaults. */
export type ScenarioFileInput = z.input<typeof ScenarioFileSchema>;
