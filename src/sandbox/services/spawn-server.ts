import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { onProcessExit } from './exit-cleanup.js';

/** How much of the server's combined stdout/stderr we keep for error messages, in characters. */
const TAIL_CHARS = 16_000;
/**
 * util-linux's `setpriv --pdeathsig KILL` makes the kernel kill the server when our process dies, even by SIGKILL,
 * where no JavaScript cleanup can run. It is in every Debian install (util-linux is essential); without it we rely on
 * `stop()` and the exit hook alone.
 */
const SETPRIV = '/usr/bin/setpriv';
let ownProcessGroups = false;

/**
 * Starts later servers in process groups of their own, so that Ctrl-C in a terminal reaches the demo alone and not
 * every server at once: the demo then stops them in order (the roles before Redis and etcd). The parent-death
 * signal still kills them if the demo itself dies.
 */
export function spawnServersInOwnProcessGroups(): void {
  ownProcessGroups = true;
}

export interface SpawnServerOptions {
  /** A short name for messages, e.g. "etcd member q1". */
  name: string;
  /** Absolute path of the binary (see `requireBinary`). */
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  error?: Error;
}

export interface StopOptions {
  /** How long to wait after SIGTERM before sending SIGKILL, in ms. @defaultValue 5000 */
  timeoutMs?: number;
}

/** A server process we started and must stop. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number | undefined;
  /** Resolves once the process has exited and its output pipes are closed. */
  readonly exited: Promise<ServerExit>;
  /** The exit, once it happened. */
  exitInfo(): ServerExit | undefined;
  /** The last few kilobytes of what the server printed (etcd logs to stderr, redis to stdout). */
  outputTail(): string;
  /** Sends SIGTERM, then SIGKILL after `timeoutMs`; resolves when the process is gone. Safe to call twice. */
  stop(options?: StopOptions): Promise<void>;
}

/** Describes how a server ended, for error messages. */
export function describeExit(exit: ServerExit): string {
  if (exit.error) return `could not be started: ${exit.error.message}`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

/** Starts a long-running server with its output captured; see {@link ServerProcess}. */
export function spawnServer({ name, command, args, env, cwd }: SpawnServerOptions): ServerProcess {
  const [file, argv] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]]
    : [command, [...args]];
  const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: ownProcessGroups });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let exit: ServerExit | undefined;
  const cancelExitCleanup = onProcessExit(() => {
    child.kill('SIGKILL');
  });
  const exited = new Promise<ServerExit>((resolve) => {
    child.once('error', (error) => {
      // 'close' does not follow a failed spawn.
      if (child.pid === undefined) {
        exit = { code: null, signal: null, error };
        cancelExitCleanup();
        resolve(exit);
      }
    });
    child.once('close', (code, signal) => {
      exit ??= { code, signal };
      cancelExitCleanup();
      resolve(exit);
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = async ({ timeoutMs = 5_000 }: StopOptions = {}): Promise<void> => {
    if (exit) return;
    child.kill('SIGTERM');
    const ac = new AbortController();
    const graceful = await Promise.race([
      exited.then(() => true),
      sleep(timeoutMs, false, { signal: ac.signal }).catch(() => false),
    ]);
    ac.abort();
    if (!graceful) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  return {
    name,
    pid: child.pid,
    exited,
    exitInfo: () => exit,
    outputTail: () => tail,
    stop(options) {
      stopping ??= stop(options);
      return stopping;
    },
  };
}
