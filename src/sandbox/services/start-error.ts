import { ServiceStartError } from '../../core/errors.js';
import { httpGetText } from './http-get.js';
import { describeExit, type ServerProcess } from './spawn-server.js';
import { waitUntil } from './wait-until.js';

/** The line a server prints when its port was taken between our check and its bind. */
const ADDRESS_IN_USE = /address already in use/i;

/** True when the server failed only because another process took its port first: worth a retry on new ports. */
export function lostPortRace(server: ServerProcess): boolean {
  return ADDRESS_IN_USE.test(server.outputTail());
}

/** Throws a start error with the server's last output when it has exited; for `waitUntil`'s `abort`. */
export function assertStillRunning(server: ServerProcess): void {
  const exit = server.exitInfo();
  if (exit) throw startError(server, `${server.name} ${describeExit(exit)}`);
}

/** A {@link ServiceStartError} whose message ends with what the server printed last. */
export function startError(server: ServerProcess, reason: string, cause?: unknown): ServiceStartError {
  // Already carries the output (thrown by assertStillRunning inside a wait): do not repeat it.
  if (cause instanceof ServiceStartError) return cause;
  const tail = server.outputTail().trim().split('\n').slice(-15).join('\n');
  return new ServiceStartError(
    `${reason}.${tail ? `\nLast output of ${server.name}:\n${tail}` : ` ${server.name} printed nothing.`}`,
    cause,
  );
}

/**
 * Waits until `${url}/-/ready` answers 200 (Prometheus' and Alertmanager's readiness endpoint). When it does not,
 * the server is stopped with `stop`; the answer is `'port-taken'` when it only lost its port to another process (worth
 * a retry on new ports), else a start error with its last output.
 */
export async function awaitReadyEndpoint(
  server: ServerProcess,
  options: { url: string; label: string; timeoutMs: number; stop: () => Promise<void> },
): Promise<'ready' | 'port-taken'> {
  try {
    await waitUntil(
      async () => (await httpGetText(`${options.url}/-/ready`, 500)).status === 200,
      { what: `${options.label} to be ready (/-/ready)`, timeoutMs: options.timeoutMs },
      () => assertStillRunning(server),
    );
    return 'ready';
  } catch (error) {
    await options.stop();
    if (lostPortRace(server)) return 'port-taken';
    throw startError(
      server,
      `${options.label} did not start: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
}
