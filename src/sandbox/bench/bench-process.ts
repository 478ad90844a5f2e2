import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { waitUntil } from '../services/wait-until.js';

/** A long-lived process the Slack benchmarks start (the compiled bot, a worker, the bare Bolt app). */
export interface BenchProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves once the output contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Peak resident set size so far (VmHWM), in bytes; undefined where /proc is missing. */
  peakRssBytes(): Promise<number | undefined>;
  /** SIGTERM, SIGKILL after `timeoutMs`; resolves once it exited. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Starts `node <args>` with `env` added, keeping its output for readiness and for the error when it dies. */
export function startBenchProcess(label: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): BenchProcess {
  const child = spawn(process.execPath, [...args], {
    env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Only the tail matters (readiness lines, the last error): a busy process must not grow the bench's heap.
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-64 * 1024);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const dead = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    output: () => output,
    waitFor: (text, timeoutMs = 60_000) =>
      waitUntil(
        () => output.includes(text),
        { what: `"${text}" from ${label}`, timeoutMs, intervalMs: 20 },
        () => {
          if (dead()) throw new Error(`${label} exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
        },
      ),
    async peakRssBytes() {
      try {
        const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
        const kib = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
        return kib ? Number(kib) * 1024 : undefined;
      } catch {
        return undefined;
      }
    },
    async stop(timeoutMs = 20_000) {
      if (dead()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
