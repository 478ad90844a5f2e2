import { z } from 'zod';
import { tryParseLabelMatchers } from '../metrics/label-matchers.js';

const PositiveMs = z.number().int().positive();

/**
 * How hard one process may press one API server unless the cluster's `kube.rateLimit` says otherwise. A list of
 * 100,000 pods is 200 pages: at 20 requests/s the limiter alone made it last 10 s, longer than the API server took to
 * serve it. The concurrency cap bounds the load a diagnosis puts on the server; the rate only spaces the requests.
 */
export const DEFAULT_RATE_LIMIT = { requestsPerSecond: 50, burst: 100, maxConcurrent: 8 } as const;

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

/** A Slack channel id (`C0123456`, `G…` for old private channels): names change, ids do not. */
export const SlackChannelIdSchema = z
  .string()
  .regex(/^[CG][A-Z0-9]{6,}$/, { error: 'a Slack channel id looks like C0123456 (names change, ids do not)' });

/** Where a cluster's runs nobody typed (alerts) are posted. */
export const ClusterSlackSchema = z.strictObject({
  channel: SlackChannelIdSchema.optional(),
});

/** A Slack user id (`U0123456`, `W…` on Enterprise Grid). */
export const SlackUserIdSchema = z
  .string()
  .regex(/^[UW][A-Z0-9]{6,}$/, { error: 'a Slack user id looks like U0123456 (names change, ids do not)' });

/** A Slack user group id (`S0123456`), whose members are read with usergroups.users.list. */
export const SlackUserGroupIdSchema = z
  .string()
  .regex(/^S[A-Z0-9]{6,}$/, { error: 'a Slack user group id looks like S0123456' });

/**
 * Who may approve maintenance on a cluster. Without this section nobody can: a maintenance request is refused with
 * a message naming the setting.
 */
export const ApproversConfigSchema = z.strictObject({
  /** Slack users who may approve. */
  users: z.array(SlackUserIdSchema).default([]),
  /** Slack user groups whose members may approve (read from Slack, cached briefly). */
  groups: z.array(SlackUserGroupIdSchema).default([]),
  /** Distinct approvers needed before anything runs. @defaultValue 1 */
  required: z.number().int().min(1).max(10).default(1),
  /** Whether the requester may approve their own request. @defaultValue false */
  allowSelfApproval: z.boolean().default(false),
  /** A request not approved within this long expires (minutes). @defaultValue 15 */
  expiresMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
});
export type ApproversConfig = z.infer<typeof ApproversConfigSchema>;

/** One cluster Quorum diagnoses: its API server, its etcd (optional) and the Prometheus that scrapes it (optional). */
export const ClusterConfigSchema = z.strictObject({
  kube: KubeConfigSchema.default(KubeConfigSchema.parse({})),
  etcd: EtcdConfigSchema.default(EtcdConfigSchema.parse({})),
  prometheus: PrometheusConfigSchema.default(PrometheusConfigSchema.parse({})),
  slack: ClusterSlackSchema.default({}),
  /** Who may approve maintenance here; absent means nobody. */
  approvers: ApproversConfigSchema.optional(),
});

/** The bot's HTTP server (Slack events, health, metrics). */
export const ServerConfigSchema = z.strictObject({
  /** TCP port; the environment's PORT wins. */
  port: z.number().int().min(0).max(65535).default(3000),
  /** Address to listen on. */
  host: z.string().min(1).default('0.0.0.0'),
});

/**
 * The hash tag of a Redis key or prefix, as Redis Cluster reads it: what lies between the first `{` and the first
 * `}` after it, when not empty; `undefined` when the key has none (then the whole key is hashed).
 */
export function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/** A Redis node or Sentinel: `redis://host:port` (`rediss://` for TLS; credentials in the URL, as for `url`). */
const RedisNodeUrlSchema = z.url({
  protocol: /^rediss?$/,
  error: 'a Redis node looks like redis://10.0.0.1:6379 (rediss:// for TLS)',
});

/** Redis Cluster: a few nodes to start from; the client learns the rest of the topology from them. */
export const RedisClusterSchema = z.strictObject({
  nodes: z.array(RedisNodeUrlSchema).min(1, { error: 'list at least one cluster node (several: any may be down)' }),
});

/** Redis Sentinel: the client asks the Sentinels for the primary of `name`, and again after a failover. */
export const RedisSentinelSchema = z.strictObject({
  /** The monitored primary's name (`sentinel monitor <name> …`). */
  name: z.string().min(1),
  /** Sentinels (redis://host:26379); a password in these URLs is the Sentinels' own (`requirepass` there). */
  sentinels: z.array(RedisNodeUrlSchema).min(1, { error: 'list the Sentinels (at least the quorum of them)' }),
});

/**
 * The Redis that holds the queues, run records and locks: one server (`url`), a Sentinel-managed primary
 * (`sentinel`, with `url` giving the primary's credentials and database) or a Redis Cluster (`cluster`).
 */
export const RedisConfigSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^rediss?$/, error: 'a Redis URL looks like redis://127.0.0.1:6379 (rediss:// for TLS)' })
      .default('redis://127.0.0.1:6379'),
    /** Prefix of every key; a hash tag (`{quorum}`) keeps a queue's keys in one slot on Redis Cluster. */
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9{}:._-]+$/, { error: 'a key prefix uses letters, digits and {}:._-' })
      .default('{quorum}'),
    cluster: RedisClusterSchema.optional(),
    sentinel: RedisSentinelSchema.optional(),
  })
  .superRefine((redis, context) => {
    if (redis.cluster && redis.sentinel) {
      context.addIssue({
        code: 'custom',
        path: ['sentinel'],
        message: 'set either redis.cluster or redis.sentinel: a Redis Cluster fails over by itself, without Sentinel',
      });
    }
    // BullMQ's scripts and Quorum's own (claims, approvals, alert windows) touch several keys at once: on a cluster
    // they must share a slot, which only a hash tag at the start of every key gives.
    if (redis.cluster && (!redis.prefix.startsWith('{') || hashTag(redis.prefix) === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['prefix'],
        message: `on Redis Cluster the prefix must start with a hash tag, e.g. '{quorum}' (got '${redis.prefix}'): BullMQ and Quorum's scripts need every key of a queue in one slot`,
      });
    }
  });

/** The Slack Web API. Credentials come from the environment only (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET). */
export const SlackConfigSchema = z.strictObject({
  /** Override only for a local Slack double; must end with `/`. */
  apiUrl: z
    .url({ protocol: /^https?$/, error: 'a Slack API URL looks like https://slack.com/api/' })
    .refine((url) => url.endsWith('/'), { error: 'the Slack API URL must end with "/" (https://slack.com/api/)' })
    .optional(),
});

/** Diagnostics workers. */
export const WorkerConfigSchema = z.strictObject({
  /** Runs one worker process works on at once. */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Runs against one cluster at once, across every worker process together. */
  perClusterConcurrency: z.number().int().min(1).max(64).default(2),
  /** A run still going after this long is cancelled (s). */
  runTimeoutSeconds: z.number().int().min(5).max(3600).default(120),
  /**
   * How long a run's lock lasts without renewal (s): when a worker dies, another takes its runs over after this
   * long. Shorter means faster takeover and more Redis traffic.
   */
  lockSeconds: z.number().int().min(1).max(600).default(30),
});

/** Severities Alertmanager alerts carry (the `severity` label of the upstream mixins). */
export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;

/** Alertmanager's webhook (`POST /alerts/alertmanager`): routing, storm limits and where the token comes from. */
export const AlertsConfigSchema = z.strictObject({
  /** The alert label that names the cluster; alerts without it go to `defaultCluster`. */
  clusterLabel: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'a Prometheus label name' })
    .default('cluster'),
  /** One run per (cluster, playbook) within this window, however many alerts arrive (min). */
  windowMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(10),
  /** Alert-triggered runs one cluster may start per clock hour; the rest are counted and logged. */
  maxRunsPerClusterPerHour: z.number().int().min(1).max(10_000).default(20),
  /** Shortest time between two "still firing" notes in one run's thread (s). */
  noteIntervalSeconds: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600)
    .default(300),
  /** File holding the bearer token Alertmanager sends; `QUORUM_ALERTS_TOKEN` in the environment wins. */
  tokenFile: z.string().min(1).optional(),
  /** Posts alert runs of these severities to another channel than the cluster's `slack.channel`. */
  channelsBySeverity: z.partialRecord(z.enum(ALERT_SEVERITIES), SlackChannelIdSchema).optional(),
  /** Largest webhook body accepted; bigger ones get 413 (bytes). */
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
});

/**
 * The maintenance executor's own credentials for one cluster: the same keys as the cluster's `etcd` section, but a
 * write-capable client identity. Endpoints default to the cluster's (`[]` means "the cluster's").
 */
export const ExecutorClusterSchema = z.strictObject({
  etcd: EtcdConfigSchema.default(EtcdConfigSchema.parse({})),
});

/** The maintenance executor (`quorum executor`): the only process with etcd write credentials. */
export const ExecutorConfigSchema = z.strictObject({
  /** Write credentials per cluster; a cluster not listed here gets no maintenance. */
  clusters: z.record(ClusterNameSchema, ExecutorClusterSchema).default({}),
  /** Pause between two members' defragmentations, so the cluster settles (s). @defaultValue 10 */
  pauseBetweenMembersSeconds: z.number().min(0).max(3600).default(10),
  /** Deadline of one member's defragmentation: a multi-GB member can take minutes (s). @defaultValue 600 */
  defragTimeoutSeconds: z.number().int().min(1).max(7200).default(600),
  /** Deadline of the compaction (s). @defaultValue 300 */
  compactTimeoutSeconds: z.number().int().min(1).max(7200).default(300),
  /** Deadline of every other etcd call: status, health, alarms, the write check (s). @defaultValue 10 */
  requestTimeoutSeconds: z.number().int().min(1).max(600).default(10),
  /**
   * The per-cluster maintenance lock lasts this long without renewal (s); it is renewed while a maintenance runs, so
   * a dead executor frees the cluster after at most this long. @defaultValue 30
   */
  lockSeconds: z.number().int().min(2).max(3600).default(30),
  /** How long a job waits for another maintenance on the same cluster to finish (s). @defaultValue 3600 */
  lockWaitSeconds: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600)
    .default(3600),
});
export type ExecutorConfig = z.infer<typeof ExecutorConfigSchema>;

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
    server: ServerConfigSchema.default(ServerConfigSchema.parse({})),
    redis: RedisConfigSchema.default(RedisConfigSchema.parse({})),
    slack: SlackConfigSchema.default({}),
    worker: WorkerConfigSchema.default(WorkerConfigSchema.parse({})),
    alerts: AlertsConfigSchema.default(AlertsConfigSchema.parse({})),
    executor: ExecutorConfigSchema.default(ExecutorConfigSchema.parse({})),
    /** Directory of playbook YAML files; defaults to the `playbooks/` shipped with Quorum. */
    playbooksDir: z.string().min(1).optional(),
    /** Structured logs on stderr; unset: `warn` for `diagnose`, `info` for the bot, workers and executor. */
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional(),
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
    for (const name of Object.keys(config.executor.clusters)) {
      if (!names.includes(name)) {
        context.addIssue({
          code: 'custom',
          path: ['executor', 'clusters', name],
          message: `names no cluster under clusters (${names.length > 0 ? `configured: ${names.join(', ')}` : 'none is configured'})`,
        });
      }
    }
  });

export type Config = z.infer<typeof ConfigSchema>;
export type ClusterConfig = z.infer<typeof ClusterConfigSchema>;
export type EtcdConfig = z.infer<typeof EtcdConfigSchema>;
export type RedisConfig = z.infer<typeof RedisConfigSchema>;
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;
export type AlertsConfig = z.infer<typeof AlertsConfigSchema>;
/** What a config file may set: every field optional, nested. */
export type ConfigInput = z.input<typeof ConfigSchema>;
/** What the command line and the environment may set for one cluster. */
export type ClusterConfigInput = z.input<typeof ClusterConfigSchema>;
