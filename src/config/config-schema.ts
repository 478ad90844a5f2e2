import { z } from 'zod';
import { DEFAULT_RATE_LIMIT } from '../cluster/rate-limiter.js';
import { tryParseLabelMatchers } from '../metrics/label-matchers.js';

const PositiveMs = z.number().int().positive();

/**
 * A cluster's name as people type it (`/quorum diagnose etcd cluster=prod-eu`, `--cluster prod-eu`): lower-case
 * letters, digits, `-` and `.`, starting and ending with a letter or digit, as Kubernetes names go.
 */
export const ClusterNameSchema = z
  .string()
  .max(63, { error: 'a cluster name has at most 63 characters' })
  .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, {
    error: 'a cluster name uses lower-case letters, digits, "-" and ".", and starts and ends with a letter or digit',
  });

/** How Quorum reaches one cluster's API server. */
export const KubeConfigSchema = z.strictObject({
  /** Path of a kubeconfig file; absent means in-cluster or the default (~/.kube/config, $KUBECONFIG). */
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  inCluster: z.boolean().default(false),
  /** Deadline of one API request (ms). */
  requestTimeoutMs: PositiveMs.default(10_000),
  /** Items per list page: aggregation holds at most two pages (the one consumed and the one fetched ahead). */
  pageSize: z.number().int().min(1).max(5000).default(500),
  /** Shared by every run against this cluster in the process, so concurrent runs do not multiply the load. */
  rateLimit: z
    .strictObject({
      requestsPerSecond: z.number().positive().default(DEFAULT_RATE_LIMIT.requestsPerSecond),
      burst: z.number().int().positive().default(DEFAULT_RATE_LIMIT.burst),
      maxConcurrent: z.number().int().positive().default(DEFAULT_RATE_LIMIT.maxConcurrent),
    })
    .default(DEFAULT_RATE_LIMIT),
});

/** How Quorum reaches etcd, read-only. */
export const EtcdConfigSchema = z.strictObject({
  endpoints: z
    .array(z.url({ protocol: /^https?$/, error: 'an etcd endpoint looks like https://10.0.0.1:2379' }))
    .default([]),
  caFile: z.string().min(1).optional(),
  certFile: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
  /** The quota etcd runs with (`--quota-backend-bytes`), when it cannot be read from etcd. */
  quotaBytes: z.number().int().positive().optional(),
  /** Deadline of one etcd request (ms). */
  requestTimeoutMs: PositiveMs.default(5_000),
});

/** The Prometheus that scrapes the cluster, when there is one: latency windows then come from PromQL. */
export const PrometheusConfigSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'a Prometheus URL looks like http://prometheus.monitoring.svc:9090' })
    .optional(),
  bearerTokenFile: z.string().min(1).optional(),
  caFile: z.string().min(1).optional(),
  /** The `[range]` of `increase(…)` (s): at least a few scrape intervals. */
  rangeSeconds: z.number().int().min(30).max(3600).default(300),
  /** Deadline of one query (ms). */
  requestTimeoutMs: PositiveMs.default(10_000),
  /**
   * PromQL label matchers added to every metric selector Quorum sends, e.g. `cluster="prod-eu",job="apiserver"`: a
   * Prometheus (or Thanos, Mimir) that holds several clusters or jobs would otherwise sum them together.
   */
  selector: z
    .string()
    .optional()
    .superRefine((text, context) => {
      if (text === undefined) return;
      const parsed = tryParseLabelMatchers(text);
      if ('problem' in parsed) context.addIssue({ code: 'custom', message: parsed.problem });
    }),
});

/** One cluster Quorum diagnoses: its API server, its etcd (optional) and the Prometheus that scrapes it (optional). */
export const ClusterConfigSchema = z.strictObject({
  kube: KubeConfigSchema.default(KubeConfigSchema.parse({})),
  etcd: EtcdConfigSchema.default(EtcdConfigSchema.parse({})),
  prometheus: PrometheusConfigSchema.default(PrometheusConfigSchema.parse({})),
});

export const ConfigSchema = z
  .strictObject({
    /** The clusters by the name people type. */
    clusters: z.record(ClusterNameSchema, ClusterConfigSchema).default({}),
    /** The cluster a run without `cluster=` goes to; with a single cluster, that one. */
    defaultCluster: ClusterNameSchema.optional(),
    diagnose: z
      .strictObject({
        /** Deadline of one check unless its playbook says otherwise (ms). */
        checkTimeoutMs: PositiveMs.default(30_000),
      })
      .default({ checkTimeoutMs: 30_000 }),
    /** Directory of playbook YAML files; defaults to the `playbooks/` shipped with Quorum. */
    playbooksDir: z.string().min(1).optional(),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('warn'),
  })
  .superRefine((config, context) => {
    const names = Object.keys(config.clusters);
    if (config.defaultCluster !== undefined && !names.includes(config.defaultCluster)) {
      context.addIssue({
        code: 'custom',
        path: ['defaultCluster'],
        message: `names no cluster under clusters (${names.length > 0 ? `configured: ${names.join(', ')}` : 'none is configured'})`,
      });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;
export type ClusterConfig = z.infer<typeof ClusterConfigSchema>;
/** What a config file may set: every field optional, nested. */
export type ConfigInput = z.input<typeof ConfigSchema>;
/** What the command line and the environment may set for one cluster. */
export type ClusterConfigInput = z.input<typeof ClusterConfigSchema>;
