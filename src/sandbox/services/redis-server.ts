import { ServiceStartError } from '../../core/errors.js';
import { findFreePort } from './free-port.js';
import { pingRedis } from './redis-ping.js';
import { requireBinary } from './require-binary.js';
import { commandLineFlags } from './command-line-flags.js';
import { spawnServer } from './spawn-server.js';
import { assertStillRunning, lostPortRace, startError } from './start-error.js';
import { createTempDir, sweepStaleTempDirs } from './temp-dir.js';
import { waitUntil } from './wait-until.js';

export interface StartRedisOptions {
  /** How long to wait for Redis to answer PING, in ms. @defaultValue 10000 */
  startTimeoutMs?: number;
  /** Listen on this port (e.g. to bring a stopped Redis back where clients look for it). @defaultValue a free one */
  port?: number;
}

/** A private redis-server on 127.0.0.1 with no persistence, in its own temporary directory. */
export interface RedisService {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly pid: number | undefined;
  /** SIGTERM (SIGKILL after 5 s), then removes the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

const ATTEMPTS = 3;

async function startOnce(
  binary: string,
  startTimeoutMs: number,
  fixedPort?: number,
): Promise<RedisService | 'port-taken'> {
  const port = fixedPort ?? (await findFreePort());
  const dir = createTempDir('redis');
  const server = spawnServer({
    name: `redis-server on port ${port}`,
    command: binary,
    cwd: dir.path,
    args: commandLineFlags({
      port,
      bind: '127.0.0.1',
      save: '',
      appendonly: 'no',
      dir: dir.path,
      // BullMQ loses jobs under any eviction policy: see REFERENCE.md.
      'maxmemory-policy': 'noeviction',
      daemonize: 'no',
    }),
  });
  const stop = async (): Promise<void> => {
    await server.stop();
    await dir.remove();
  };
  try {
    await waitUntil(
      async () => (await pingRedis(port, 500)) === '+PONG',
      {
        what: `redis-server on port ${port} to answer PING`,
        timeoutMs: startTimeoutMs,
      },
      () => assertStillRunning(server),
    );
  } catch (error) {
    await stop();
    if (lostPortRace(server)) return 'port-taken';
    throw startError(
      server,
      `redis-server did not start: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
  let stopping: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dataDir: dir.path,
    pid: server.pid,
    stop: () => (stopping ??= stop()),
  };
}

/**
 * Starts redis-server on a free loopback port (`--save ''`, `--appendonly no`, `--maxmemory-policy noeviction`) and
 * resolves once it answers PING.
 *
 * @throws ServiceStartError when redis-server is missing or does not come up; the message ends with its last output.
 */
export async function startRedis({ startTimeoutMs = 10_000, port }: StartRedisOptions = {}): Promise<RedisService> {
  const binary = requireBinary('redis-server');
  sweepStaleTempDirs();
  for (let attempt = 1; ; attempt++) {
    const started = await startOnce(binary, startTimeoutMs, port);
    if (started !== 'port-taken') return started;
    if (port !== undefined) throw new ServiceStartError(`redis-server could not listen on port ${port}: it is taken`);
    if (attempt >= ATTEMPTS)
      throw new ServiceStartError(
        `redis-server lost the race for a free port ${ATTEMPTS} times: another process keeps taking them`,
      );
  }
}
