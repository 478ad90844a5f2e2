import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { formatIssuePath } from '../core/issue-path.js';
import { ConfigSchema, type Config, type ConfigInput } from './config-schema.js';

type Env = Readonly<Record<string, string | undefined>>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge where later layers win and `undefined` never overrides. */
export function mergeLayers(...layers: unknown[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!isObject(layer)) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      merged[key] = isObject(value) && isObject(merged[key]) ? mergeLayers(merged[key], value) : value;
    }
  }
  return merged;
}

function number(env: Env, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new ConfigError(`${name}="${text}" is not a number.`);
  return value;
}

/** The environment variables Quorum reads, as a config layer. */
export function configFromEnv(env: Env): ConfigInput {
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
    prometheus: { url: env.QUORUM_PROMETHEUS_URL || undefined },
    logLevel: env.QUORUM_LOG_LEVEL || undefined,
  }) as ConfigInput;
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Cannot read the config file ${path}: ${(error as Error).message}. Fix QUORUM_CONFIG or --config.`,
      error,
    );
  }
  try {
    return parse(text) ?? {};
  } catch (error) {
    throw new ConfigError(
      `The config file ${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
      error,
    );
  }
}

/**
 * The one typed config: defaults, then the config file (`QUORUM_CONFIG` or `file`), then the environment, then the
 * command line. Fails fast with every problem named by its path.
 */
export function loadConfig(options: { env: Env; file?: string; overrides?: ConfigInput }): Config {
  const file = options.file ?? options.env.QUORUM_CONFIG;
  const layers = [file ? readConfigFile(file) : {}, configFromEnv(options.env), options.overrides ?? {}];
  const parsed = ConfigSchema.safeParse(mergeLayers(...layers));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${formatIssuePath(issue.path) || '(root)'}: ${issue.message}`);
    throw new ConfigError(
      `Invalid configuration${file ? ` (${file} and environment)` : ''}:\n  - ${problems.join('\n  - ')}`,
    );
  }
  return parsed.data;
}
