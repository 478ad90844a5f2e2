import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ScrapeTarget } from './scrape-target.js';

export interface PrometheusConfigSpec {
  targets: readonly ScrapeTarget[];
  /** Contents of rule files (YAML, Prometheus' `groups:` format). */
  rules: readonly string[];
  /** Scrape and rule evaluation interval (s). */
  intervalSeconds: number;
  /** Alertmanagers firing alerts are sent to (`host:port`). */
  alertmanagers?: readonly string[];
}

/**
 * One scrape job per target: credentials and TLS are per job in Prometheus, and the unique job name is hidden behind
 * the target's own `job` label (a target label wins over the job name).
 */
function scrapeConfig(target: ScrapeTarget, index: number, secrets: string): Record<string, unknown> {
  const url = new URL(target.url);
  const params = [...new Set(url.searchParams.keys())];
  return {
    job_name: `${target.job}-${index}`,
    scheme: url.protocol.replace(/:$/, ''),
    metrics_path: url.pathname,
    ...(params.length > 0
      ? { params: Object.fromEntries(params.map((key) => [key, url.searchParams.getAll(key)])) }
      : {}),
    ...(target.bearerToken
      ? { authorization: { type: 'Bearer', credentials_file: join(secrets, `token-${index}`) } }
      : {}),
    ...(target.caPem || target.insecureSkipVerify
      ? {
          tls_config: {
            ...(target.caPem ? { ca_file: join(secrets, `ca-${index}.pem`) } : {}),
            ...(target.insecureSkipVerify ? { insecure_skip_verify: true } : {}),
          },
        }
      : {}),
    static_configs: [{ targets: [url.host], labels: { job: target.job, ...target.labels } }],
  };
}

/**
 * Writes `prometheus.yml`, the targets' tokens and CAs (mode 0600) and the rule files into `dir`; returns the config's
 * path.
 */
export async function writePrometheusConfig(dir: string, spec: PrometheusConfigSpec): Promise<string> {
  const secrets = join(dir, 'secrets');
  const rulesDir = join(dir, 'rules');
  await mkdir(secrets, { mode: 0o700 });
  await mkdir(rulesDir);
  await Promise.all(
    spec.targets.flatMap((target, index) => [
      ...(target.bearerToken ? [writeFile(join(secrets, `token-${index}`), target.bearerToken, { mode: 0o600 })] : []),
      ...(target.caPem ? [writeFile(join(secrets, `ca-${index}.pem`), target.caPem, { mode: 0o600 })] : []),
    ]),
  );
  const ruleFiles = spec.rules.map((_, index) => join(rulesDir, `rules-${index}.yml`));
  await Promise.all(spec.rules.map((text, index) => writeFile(ruleFiles[index] as string, text)));
  // Go durations: milliseconds keep sub-second intervals exact. A scrape may not outlast its interval.
  const interval = `${Math.round(spec.intervalSeconds * 1000)}ms`;
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    ...(ruleFiles.length > 0 ? { rule_files: ruleFiles } : {}),
    ...(spec.alertmanagers && spec.alertmanagers.length > 0
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [...spec.alertmanagers] }] }] } }
      : {}),
    scrape_configs: spec.targets.map((target, index) => scrapeConfig(target, index, secrets)),
  };
  const path = join(dir, 'prometheus.yml');
  await writeFile(path, stringify(config));
  return path;
}
