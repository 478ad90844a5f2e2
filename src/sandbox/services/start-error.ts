import { ServiceStartError } from '../../core/errors.js';
import { describeExit, type ServerProcess } from './spawn-server.js';

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
