import { z } from 'zod';
import { tryParseLabelMatchers } from '../metrics/label-matchers.js';

const PositiveMs = z.number().int().positive();

/** How Quorum reaches one cluster's API server. */
export const KubeConfigSchema = z.object({
  /** Path of a kubeconfig file; absent means in-cluster or the default (~/.kube/config, $KUBECONFIG). */
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  inCluster: z.boolean().default(false),
  /** Deadline of one API request (ms). */
  requestTimeoutMs: PositiveMs.default(10_000),
  /** Items per list page: aggregation holds at most one page. */
  pageSize: z.number().int().min(1).max(5000).default(500),
  rateLimit: z
    .object({
      requestsPerSecond: z.number().positive().default(20),
      burst: z.number().int().positive().default(40),
      maxConcurrent: z.number().int().positive().default(8),
    })
    .default({ requestsPerSecond: 20, burst: 40, maxConcurrent: 8 }),
});

/** How Quorum reaches etcd, read-only. */
export const EtcdConfigSchema = z.object({
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
export const PrometheusConfigSchema = z.object({
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

export const ConfigSchema = z.object({
  kube: KubeConfigSchema.default(KubeConfigSchema.parse({})),
  etcd: EtcdConfigSchema.default(EtcdConfigSchema.parse({})),
  prometheus: PrometheusConfigSchema.default(PrometheusConfigSchema.parse({})),
  diagnose: z
    .object({
      /** Deadline of one check unless its playbook says otherwise (ms). */
      checkTimeoutMs: PositiveMs.default(30_000),
    })
    .default({ checkTimeoutMs: 30_000 }),
  /** Directory of playbook YAML files; defaults to the `playbooks/` shipped with Quorum. */
  playbooksDir: z.string().min(1).optional(),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('warn'),
});

export type Config = z.infer<typeof ConfigSchema>;
/** What a config file or the command line may set: every field optional, nested. */
export type ConfigInput = z.input<typeof ConfigSchema>;
