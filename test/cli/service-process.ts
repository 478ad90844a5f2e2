import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';

const BIN = join(process.cwd(), 'bin', 'quorum.js');

/** A `quorum bot` or `quorum worker` process started as an operator would, with its output kept. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves once the output contains `text` (a log line saying it is ready). */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then waits for the exit; SIGKILL if it does not exit in time. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL: the process dies mid-work, as on a node failure. */
  kill(): Promise<void>;
}

export function startService(args: readonly string[], env: NodeJS.ProcessEnv): ServiceProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1', QUORUM_FROM_SOURCE: '1', NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    waitFor: (text, timeoutMs = 60_000) =>
      waitUntil(
        () => output.includes(text),
        { what: `"${text}" from quorum ${args[0]}`, timeoutMs, intervalMs: 100 },
        () => {
          if (child.exitCode !== null) throw new Error(`quorum ${args[0]} exited with ${child.exitCode}:\n${output}`);
        },
      ),
    async stop(timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
