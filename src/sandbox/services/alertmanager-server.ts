import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ServiceStartError } from '../../core/errors.js';
import { commandLineFlags } from './command-line-flags.js';
import { findFreePort } from './free-port.js';
import { requireBinary } from './require-binary.js';
import { spawnServer } from './spawn-server.js';
import { awaitReadyEndpoint } from './start-error.js';
import { createTempDir, sweepStaleTempDirs } from './temp-dir.js';

export interface StartAlertmanagerOptions {
  /** Where the webhook receiver posts (Quorum's `/alerts/alertmanager`). */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer …`, read by Alertmanager from a private file (`credentials_file`). */
  bearerToken: string;
  /** Route labels alerts are grouped by. @defaultValue ['alertname', 'cluster'] */
  groupBy?: readonly string[];
  /** Route timings, as Go durations; short, so that tests see notifications, repeats and resolves within seconds. */
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  /** How long to wait for `/-/ready`, in ms. @defaultValue 20000 */
  startTimeoutMs?: number;
}

/** A private Alertmanager on loopback (no cluster gossip) that sends every alert to one webhook. */
export interface AlertmanagerService {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `127.0.0.1:PORT`, as Prometheus' `alerting.alertmanagers` names it. */
  readonly address: string;
  readonly dataDir: string;
  /** The file holding the bearer token (mode 0600): the same file can be Quorum's `alerts.tokenFile`. */
  readonly tokenFile: string;
  readonly pid: number | undefined;
  /** SIGTERM (SIGKILL after 5 s), then removes the directory. Safe to call twice. */
  stop(): Promise<void>;
}

const ATTEMPTS = 3;

/**
 * Starts Debian's `prometheus-alertmanager` on a free loopback port with a temporary data directory and a config of
 * one route to one webhook receiver (`send_resolved`, `http_config.authorization.credentials_file`), and resolves once
 * it is ready. `--cluster.listen-address=` turns off gossip: a single private instance.
 *
 * @throws ServiceStartError when it is missing or does not come up; the message ends with its last output.
 */
export async function startAlertmanager(options: StartAlertmanagerOptions): Promise<AlertmanagerService> {
  const binary = requireBinary('prometheus-alertmanager');
  sweepStaleTempDirs();
  for (let attempt = 1; ; attempt++) {
    const started = await startOnce(binary, options);
    if (started !== 'port-taken') return started;
    if (attempt >= ATTEMPTS)
      throw new ServiceStartError(`alertmanager lost the race for a free port ${ATTEMPTS} times`);
  }
}

async function startOnce(
  binary: string,
  options: StartAlertmanagerOptions,
): Promise<AlertmanagerService | 'port-taken'> {
  const port = await findFreePort();
  const dir = createTempDir('alertmanager');
  const tokenFile = join(dir.path, 'quorum-token');
  const configPath = join(dir.path, 'alertmanager.yml');
  try {
    await writeFile(tokenFile, `${options.bearerToken}\n`, { mode: 0o600 });
    await writeFile(
      configPath,
      stringify({
        route: {
          receiver: 'quorum',
          group_by: [...(options.groupBy ?? ['alertname', 'cluster'])],
          group_wait: options.groupWait ?? '1s',
          group_interval: options.groupInterval ?? '2s',
          repeat_interval: options.repeatInterval ?? '4s',
        },
        receivers: [
          {
            name: 'quorum',
            webhook_configs: [
              {
                url: options.webhookUrl,
                send_resolved: true,
                http_config: { authorization: { type: 'Bearer', credentials_file: tokenFile } },
              },
            ],
          },
        ],
      }),
    );
  } catch (error) {
    await dir.remove();
    throw error;
  }
  const server = spawnServer({
    name: `alertmanager on port ${port}`,
    command: binary,
    cwd: dir.path,
    args: [
      ...commandLineFlags({
        'config.file': configPath,
        'storage.path': join(dir.path, 'data'),
        'web.listen-address': `127.0.0.1:${port}`,
      }),
      // No gossip: an empty address turns clustering off (a separate empty argument would not).
      '--cluster.listen-address=',
    ],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await server.stop();
    await dir.remove();
  };
  if (
    (await awaitReadyEndpoint(server, {
      url,
      label: `alertmanager on port ${port}`,
      timeoutMs: options.startTimeoutMs ?? 20_000,
      stop,
    })) === 'port-taken'
  )
    return 'port-taken';
  let stopping: Promise<void> | undefined;
  return {
    url,
    address: `127.0.0.1:${port}`,
    dataDir: dir.path,
    tokenFile,
    pid: server.pid,
    stop: () => (stopping ??= stop()),
  };
}
