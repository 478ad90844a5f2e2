import { join } from 'node:path';
import { ServiceStartError } from '../../core/errors.js';
import { commandLineFlags } from './command-line-flags.js';
import { findFreePort } from './free-port.js';
import { httpGetText } from './http-get.js';
import { writePrometheusConfig } from './prometheus-config.js';
import { requireBinary } from './require-binary.js';
import type { ScrapeTarget } from './scrape-target.js';
import { spawnServer } from './spawn-server.js';
import { assertStillRunning, awaitReadyEndpoint } from './start-error.js';
import { createTempDir, sweepStaleTempDirs } from './temp-dir.js';
import { waitUntil } from './wait-until.js';

export interface StartPrometheusOptions {
  /** What to scrape (see `apiserverTarget`, `etcdTarget`). @defaultValue none */
  targets?: readonly ScrapeTarget[];
  /** Rule files' contents (YAML `groups:`), e.g. alerting rules. @defaultValue none */
  rules?: readonly string[];
  /** Scrape and rule evaluation interval (s): short, so tests see increases within seconds. @defaultValue 1 */
  intervalSeconds?: number;
  /** How long to wait for `/-/ready`, in ms. @defaultValue 20000 */
  startTimeoutMs?: number;
  /** Alertmanagers (`host:port`) that firing alerts go to, re-sent every `intervalSeconds`. @defaultValue none */
  alertmanagers?: readonly string[];
}

export interface WaitOptions {
  /** Give up after this long, in ms. @defaultValue 60000 */
  timeoutMs?: number;
}

/** One element of an instant vector as Prometheus writes it. */
export interface PrometheusVectorElement {
  metric: Record<string, string>;
  value: [number, string];
}

/** A private Prometheus on loopback with a temporary TSDB, scraping the given targets. */
export interface PrometheusService {
  /** `http://127.0.0.1:PORT`: the HTTP API's base URL. */
  readonly url: string;
  readonly port: number;
  /** The temporary directory: config, secrets, rules and TSDB. */
  readonly dataDir: string;
  readonly configPath: string;
  readonly pid: number | undefined;
  /**
   * Evaluates an instant query whose answer must be a vector (for test set-up; Quorum's own reader is what tests
   * test). Written here rather than with that reader, so that a bug in the reader cannot hide in the harness.
   */
  vector(expression: string): Promise<PrometheusVectorElement[]>;
  /**
   * Resolves once every target whose `up` series `selector` matches (e.g. `cluster="a"`; `''` for all) has been
   * scraped successfully at least `count` times; a timeout names each target's health and last scrape error.
   */
  waitForScrapes(selector: string, count: number, options?: WaitOptions): Promise<void>;
  /** Resolves with the vector once `expression` returns at least one element. */
  waitForData(expression: string, options?: WaitOptions): Promise<PrometheusVectorElement[]>;
  /** SIGTERM (SIGKILL after 5 s), then removes the directory. Safe to call twice. */
  stop(): Promise<void>;
}

const ATTEMPTS = 3;
/** Deadline of one request to the sandbox Prometheus while waiting, in ms. */
const PROBE_TIMEOUT_MS = 2_000;

interface TargetState {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}

async function apiData(base: string, path: string): Promise<unknown> {
  const answer = await httpGetText(new URL(path, base), PROBE_TIMEOUT_MS);
  const body = JSON.parse(answer.body) as { status?: string; error?: string; data?: unknown };
  if (body.status !== 'success') throw new Error(`GET ${path}: HTTP ${answer.status}: ${body.error ?? answer.body}`);
  return body.data;
}

async function vectorOf(base: string, expression: string): Promise<PrometheusVectorElement[]> {
  const data = (await apiData(base, `/api/v1/query?query=${encodeURIComponent(expression)}`)) as {
    resultType: string;
    result: PrometheusVectorElement[];
  };
  if (data.resultType !== 'vector') throw new Error(`${expression} gave a ${data.resultType}, not a vector`);
  return data.result;
}

async function targetStates(base: string): Promise<TargetState[]> {
  const data = (await apiData(base, '/api/v1/targets?state=active')) as { activeTargets: TargetState[] };
  return data.activeTargets;
}

async function startOnce(
  binary: string,
  options: Required<StartPrometheusOptions>,
): Promise<PrometheusService | 'port-taken'> {
  const port = await findFreePort();
  const dir = createTempDir('prometheus');
  let configPath: string;
  try {
    configPath = await writePrometheusConfig(dir.path, {
      targets: options.targets,
      rules: options.rules,
      intervalSeconds: options.intervalSeconds,
      alertmanagers: options.alertmanagers,
    });
  } catch (error) {
    await dir.remove();
    throw error;
  }
  const server = spawnServer({
    name: `prometheus on port ${port}`,
    command: binary,
    cwd: dir.path,
    args: commandLineFlags({
      'config.file': configPath,
      'web.listen-address': `127.0.0.1:${port}`,
      'storage.tsdb.path': join(dir.path, 'tsdb'),
      // Nothing outlives the test: no point keeping the default 15 days.
      'storage.tsdb.retention.time': '1h',
      // Firing alerts are re-sent to Alertmanager at this pace (default 1m), so that tests see repeats within seconds.
      'rules.alert.resend-delay': `${Math.round(options.intervalSeconds * 1000)}ms`,
    }),
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await server.stop();
    await dir.remove();
  };
  if (
    (await awaitReadyEndpoint(server, {
      url,
      label: `prometheus on port ${port}`,
      timeoutMs: options.startTimeoutMs,
      stop,
    })) === 'port-taken'
  )
    return 'port-taken';

  const waitForScrapes = async (selector: string, count: number, { timeoutMs = 60_000 }: WaitOptions = {}) => {
    const matcher = selector.trim() === '' ? '' : `{${selector}}`;
    await waitUntil(
      async () => {
        // `up` is 1 for every successful scrape and 0 for a failed one: its sum counts the successes.
        const scrapes = await vectorOf(url, `sum_over_time(up${matcher}[1h])`);
        if (scrapes.length > 0 && scrapes.every((element) => Number(element.value[1]) >= count)) return true;
        const states = await targetStates(url);
        const shown = states.map(
          (target) =>
            `${target.labels.job ?? '?'} ${target.labels.instance ?? '?'} ${target.health}${target.lastError ? ` (${target.lastError})` : ''}`,
        );
        const done = scrapes.map((element) => element.value[1]).join(', ') || 'none';
        throw new Error(`successful scrapes so far: ${done}; targets: ${shown.join('; ') || 'none'}`);
      },
      { what: `${count} successful scrapes of every target matching up${matcher}`, timeoutMs, intervalMs: 250 },
      () => assertStillRunning(server),
    );
  };
  const waitForData = async (expression: string, { timeoutMs = 60_000 }: WaitOptions = {}) => {
    let found: PrometheusVectorElement[] = [];
    await waitUntil(
      async () => {
        found = await vectorOf(url, expression);
        return found.length > 0;
      },
      { what: `${expression} to return data`, timeoutMs, intervalMs: 250 },
      () => assertStillRunning(server),
    );
    return found;
  };

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    dataDir: dir.path,
    configPath,
    pid: server.pid,
    vector: (expression) => vectorOf(url, expression),
    waitForScrapes,
    waitForData,
    stop: () => (stopping ??= stop()),
  };
}

/**
 * Starts Debian's `prometheus` on a free loopback port with a temporary TSDB and a generated config (every target
 * scraped each `intervalSeconds`, rules evaluated as often) and resolves once it is ready. It is killed with the test
 * process (parent-death signal) and `stop()` removes everything it wrote.
 *
 * @throws ServiceStartError when prometheus is missing or does not come up (a bad rule file, say); the message ends
 *   with its last output.
 */
export async function startPrometheus({
  targets = [],
  rules = [],
  intervalSeconds = 1,
  startTimeoutMs = 20_000,
  alertmanagers = [],
}: StartPrometheusOptions = {}): Promise<PrometheusService> {
  const binary = requireBinary('prometheus');
  sweepStaleTempDirs();
  for (let attempt = 1; ; attempt++) {
    const started = await startOnce(binary, { targets, rules, intervalSeconds, startTimeoutMs, alertmanagers });
    if (started !== 'port-taken') return started;
    if (attempt >= ATTEMPTS)
      throw new ServiceStartError(
        `prometheus lost the race for a free port ${ATTEMPTS} times: another process keeps taking them`,
      );
  }
}
