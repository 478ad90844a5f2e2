import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServiceStartError } from '../../core/errors.js';
import { onProcessExit } from '../services/exit-cleanup.js';
import { lineSplitter, readableLogLine } from './log-lines.js';

const SETPRIV = '/usr/bin/setpriv';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The Quorum roles the demo runs as processes of their own, as they are deployed. */
export type QuorumRole = 'bot' | 'worker' | 'executor';

/** The line each role logs once it serves: the demo waits for it before saying the stack is up. */
const READY: Record<QuorumRole, RegExp> = {
  bot: /bot listening/,
  worker: /worker waiting for runs/,
  executor: /executor waiting for approved maintenance/,
};

export interface RoleProcessOptions {
  role: QuorumRole;
  configPath: string;
  /** Secrets, passed in the environment as in production (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET). */
  env: Record<string, string>;
  /** Receives every log line, already prefixed with the role. */
  print: (line: string) => void;
  /** How long to wait for the ready line, in ms. @defaultValue 90000 (tsx compiles the sources on a cold start) */
  startTimeoutMs?: number;
}

export interface RoleProcess {
  readonly role: QuorumRole;
  readonly pid: number | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `quorum <role> --config <file>` as a child process of the CLI in this checkout (from the sources, through
 * tsx, as `npm run demo` does), prints its pino lines readably, and resolves once it says it serves. Separate
 * processes rather than calls in this one: the executor must be the only process with the write-capable etcd code,
 * and a crash of one role then looks as it would in production.
 */
export async function startRoleProcess(options: RoleProcessOptions): Promise<RoleProcess> {
  const { role, print } = options;
  const argv = [join(ROOT, 'bin', 'quorum.js'), role, '--config', options.configPath];
  // Its own process group: Ctrl-C reaches the demo, which stops the roles before the servers they use. The
  // parent-death signal ends the role if the demo dies without stopping it (as spawn-server.ts does for servers).
  const [file, args] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'TERM', '--', process.execPath, ...argv]]
    : [process.execPath, argv];
  const child: ChildProcess = spawn(file, args, {
    cwd: ROOT,
    env: { ...process.env, QUORUM_FROM_SOURCE: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const cancelExitCleanup = onProcessExit(() => child.kill('SIGKILL'));
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      cancelExitCleanup();
      resolve();
    });
  });
  let said = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new ServiceStartError(`quorum ${role} did not start within ${options.startTimeoutMs ?? 90_000} ms`)),
      options.startTimeoutMs ?? 90_000,
    );
    const onLine = (line: string): void => {
      said = `${said}${line}\n`.slice(-4000);
      print(readableLogLine(role, line));
      if (READY[role].test(line)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', lineSplitter(onLine));
    child.stderr?.on('data', lineSplitter(onLine));
    void exit.then(() => {
      clearTimeout(timer);
      reject(new ServiceStartError(`quorum ${role} exited with ${child.exitCode ?? child.signalCode}:\n${said}`));
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 15_000): Promise<void> =>
    (stopping ??= (async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    })());
  try {
    await ready;
  } catch (error) {
    await stop(2_000);
    throw error;
  }
  return { role, pid: child.pid, stop };
}
