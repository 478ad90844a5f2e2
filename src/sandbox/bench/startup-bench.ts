import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** GNU time (Debian's `time` package) reports a finished child's peak RSS; Node has no getrusage(RUSAGE_CHILDREN). */
const GNU_TIME = '/usr/bin/time';

/** One command whose start-up is measured. */
export interface StartupCommand {
  /** How the report names it, e.g. `quorum --version`. */
  label: string;
  command: string;
  args: readonly string[];
}

/** Medians over the measured runs of one command. */
export interface StartupResult {
  label: string;
  runs: number;
  /** Median wall time from spawn to exit (ms). */
  wallMs: number;
  /** Median peak RSS (bytes); undefined without GNU time. */
  peakRssBytes?: number;
}

export interface StartupBenchOptions {
  commands: readonly StartupCommand[];
  /** Measured runs per command, after one unmeasured warm-up run each. @defaultValue 9 */
  runs?: number;
  /** GNU time's path, or undefined to skip peak RSS. @defaultValue /usr/bin/time when it exists */
  gnuTime?: string | undefined;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs one command to its end; rejects when it fails, so a broken build is never timed as a fast one. */
async function runOnce(
  command: StartupCommand,
  gnuTime: string | undefined,
  rssFile: string,
): Promise<{ wallMs: number; peakRssBytes?: number }> {
  const [file, args] = gnuTime
    ? [gnuTime, ['-f', '%M', '-o', rssFile, command.command, ...command.args]]
    : [command.command, [...command.args]];
  const began = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    // NODE_OPTIONS cleared: a developer's flags (or tsx's) must not be measured as Quorum's start-up.
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
    let text = '';
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, stderr: text }));
  });
  const wallMs = performance.now() - began;
  if (code !== 0) throw new Error(`${command.label} exited with ${String(code)}: ${stderr.trim()}`);
  if (!gnuTime) return { wallMs };
  // GNU time's %M is in KiB.
  const kib = Number((await readFile(rssFile, 'utf8')).trim().split('\n').pop());
  return { wallMs, peakRssBytes: kib * 1024 };
}

/**
 * Start-up of short commands (`quorum --version` against `kubectl version --client`): each command runs once to warm
 * the page cache, then the commands take turns for `runs` rounds, so that load from other processes on a shared
 * machine falls on all of them alike. Reports the median wall time and peak RSS of each.
 */
export async function measureStartup(options: StartupBenchOptions): Promise<StartupResult[]> {
  const runs = options.runs ?? 9;
  const gnuTime = 'gnuTime' in options ? options.gnuTime : existsSync(GNU_TIME) ? GNU_TIME : undefined;
  const directory = await mkdtemp(join(tmpdir(), 'quorum-startup-'));
  try {
    const samples = options.commands.map(() => ({ wall: [] as number[], rss: [] as number[] }));
    for (const command of options.commands) await runOnce(command, gnuTime, join(directory, 'warm-up'));
    for (let round = 0; round < runs; round += 1) {
      for (const [index, command] of options.commands.entries()) {
        const sample = await runOnce(command, gnuTime, join(directory, `rss-${index}`));
        samples[index]!.wall.push(sample.wallMs);
        if (sample.peakRssBytes !== undefined) samples[index]!.rss.push(sample.peakRssBytes);
      }
    }
    return options.commands.map((command, index) => ({
      label: command.label,
      runs,
      wallMs: median(samples[index]!.wall),
      ...(samples[index]!.rss.length > 0 ? { peakRssBytes: median(samples[index]!.rss) } : {}),
    }));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** True when the command runs and exits 0 (kubectl, the baseline, may be missing on a developer's machine). */
export function runsCleanly(command: string, args: readonly string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}
