import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { formatIssuePath } from '../core/issue-path.js';
import { ConfigSchema, type ClusterConfigInput, type Config, type ConfigInput } from './config-schema.js';

type Env = Readonly<Record<string, string | undefined>>;
type Layer = Record<string, unknown>;

/** The name a cluster defined only by flags or environment variables gets. */
export const IMPLICIT_CLUSTER_NAME = 'default';

function isObject(value: unknown): value is Layer {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge where later layers win and `undefined` never overrides. */
export function mergeLayers(...layers: unknown[]): Layer {
  const merged: Layer = {};
  for (const layer of layers) {
    if (!isObject(layer)) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      merged[key] = isObject(value) && isObject(merged[key]) ? mergeLayers(merged[key], value) : value;
    }
  }
  return merged;
}

/** True when a layer sets nothing (only empty objects and `undefined` values). */
function setsNothing(layer: unknown): boolean {
  if (layer === undefined) return true;
  if (!isObject(layer)) return false;
  return Object.values(layer).every(setsNothing);
}

function number(env: Env, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new ConfigError(`${name}="${text}" is not a number.`);
  return value;
}

/** The single-cluster environment variables (`QUORUM_KUBECONFIG`, `QUORUM_ETCD_ENDPOINTS`, …) as cluster settings. */
export function clusterFromEnv(env: Env): ClusterConfigInput {
  const endpoints = env.QUORUM_ETCD_ENDPOINTS?.split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  return mergeLayers({
    kube: {
      // $KUBECONFIG (a list of files) is left to the Kubernetes client, which merges the files as kubectl does.
      kubeconfig: env.QUORUM_KUBECONFIG || undefined,
      context: env.QUORUM_KUBE_CONTEXT || undefined,
    },
    etcd: {
      endpoints,
      caFile: env.QUORUM_ETCD_CACERT || undefined,
      certFile: env.QUORUM_ETCD_CERT || undefined,
      keyFile: env.QUORUM_ETCD_KEY || undefined,
      quotaBytes: number(env, 'QUORUM_ETCD_QUOTA_BYTES'),
    },
    prometheus: { url: env.QUORUM_PROMETHEUS_URL || undefined, selector: env.QUORUM_PROMETHEUS_SELECTOR || undefined },
  }) as ClusterConfigInput;
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Cannot read the config file ${path}: ${(error as Error).message}. Fix QUORUM_CONFIG or the --config option.`,
      error,
    );
  }
  let parsed: unknown;
  try {
    parsed = parse(text) ?? {};
  } catch (error) {
    throw new ConfigError(
      `The config file ${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
      error,
    );
  }
  if (!isObject(parsed)) throw new ConfigError(`The config file ${path} must be a YAML mapping (clusters:, …).`);
  return parsed;
}

/** A record key's problem is nested in zod's issue ("Invalid key in record" says nothing): show the inner one. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key' && issue.issues.length > 0) {
    return issue.issues.map((inner) => inner.message).join('; ');
  }
  return issue.message;
}

export interface LoadConfigOptions {
  env: Env;
  /** A config file; default `QUORUM_CONFIG`. */
  file?: string;
  /** Settings above the file and the environment (the command line's). */
  overrides?: ConfigInput;
  /**
   * The single-cluster settings of the command line (`--kubeconfig`, `--etcd-endpoints`, …), laid over the
   * environment's (`QUORUM_KUBECONFIG`, …), for the cluster `name` (default `--cluster`/`QUORUM_CLUSTER`, then
   * `defaultCluster`, then the only configured cluster, then {@link IMPLICIT_CLUSTER_NAME}).
   */
  cluster?: { name?: string; settings?: ClusterConfigInput };
}

/**
 * The one typed config for every command: defaults, then the config file, then the environment, then the command
 * line. Single-cluster flags and variables define (or amend) one cluster; with no cluster configured at all, one
 * named "default" reads the default kubeconfig, as kubectl would. Fails fast with every problem named by its path.
 */
export function loadConfig(options: LoadConfigOptions): Config {
  const file = options.file ?? (options.env.QUORUM_CONFIG || undefined);
  const merged = mergeLayers(
    file ? readConfigFile(file) : {},
    { logLevel: options.env.QUORUM_LOG_LEVEL || undefined, server: { port: number(options.env, 'PORT') } },
    options.overrides ?? {},
  );
  const settings = mergeLayers(clusterFromEnv(options.env), options.cluster?.settings);
  const clusters = isObject(merged.clusters) ? merged.clusters : {};
  const names = Object.keys(clusters);
  if (!setsNothing(settings) || names.length === 0) {
    const requested = options.cluster?.name ?? (options.env.QUORUM_CLUSTER || undefined);
    const defaultCluster = typeof merged.defaultCluster === 'string' ? merged.defaultCluster : undefined;
    const target = requested ?? defaultCluster ?? (names.length === 1 ? (names[0] as string) : IMPLICIT_CLUSTER_NAME);
    merged.clusters = { ...clusters, [target]: mergeLayers(clusters[target], settings) };
    if (names.length === 0) merged.defaultCluster ??= target;
  }
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${formatIssuePath(issue.path) || '(root)'}: ${issueMessage(issue)}`,
    );
    throw new ConfigError(
      `Invalid configuration${file ? ` (${file} and environment)` : ''}:\n  - ${problems.join('\n  - ')}`,
    );
  }
  return parsed.data;
}
