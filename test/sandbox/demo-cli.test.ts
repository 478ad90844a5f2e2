/**
 * `npm run demo` as a person runs it in a terminal: the real CLI in a process group of its own (a terminal's), a
 * second demo refused with the first one's address, and Ctrl-C (SIGINT to the whole group) stopping everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { DEMO_LOCK_PATH } from '../../src/sandbox/demo-stack/demo-lock.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { runCli } from '../cli/run-cli.js';

const BIN = join(process.cwd(), 'bin', 'quorum.js');

/** Processes whose command line names one of the demo's temporary directories (`quorum-svc-<kind>-<pid>-…`). */
function processesOf(pid: number): string[] {
  const mark = `-${pid}-`;
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (command.includes('quorum-svc-') && command.includes(mark)) found.push(`${entry}: ${command}`);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return found;
}

describe('quorum demo in a terminal', () => {
  let demo: ChildProcess | undefined;
  afterAll(() => {
    if (demo?.pid && demo.exitCode === null) process.kill(-demo.pid, 'SIGKILL');
  });

  it('lists --terminal for the walk-through', async () => {
    const help = await runCli(['demo', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--terminal/);
  });

  it('prints the console address, refuses a second demo, and stops everything on Ctrl-C', async () => {
    expect(existsSync(DEMO_LOCK_PATH)).toBe(false);
    demo = spawn(process.execPath, [BIN, 'demo'], {
      env: { ...process.env, QUORUM_FROM_SOURCE: '1', NO_COLOR: '1', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const pid = demo.pid as number;
    let output = '';
    demo.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => demo?.once('exit', (code) => resolve(code)));
    await waitUntil(() => /Open the chat console: +http/.test(output), {
      what: `the console address in the demo's output:\n${output}`,
      timeoutMs: 150_000,
      intervalMs: 250,
    });
    const consoleUrl = /Open the chat console: +(\S+)/.exec(output)?.[1] ?? '';
    expect((await fetch(consoleUrl)).status).toBe(200);
    expect(output).toMatch(/^bot +info +bot listening/m);
    expect(processesOf(pid).length).toBeGreaterThanOrEqual(6);

    const second = await runCli(['demo'], { timeoutMs: 60_000 });
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`a demo is already running (pid ${pid}): its console is ${consoleUrl}`);

    // Ctrl-C in a terminal signals the whole foreground process group.
    process.kill(-pid, 'SIGINT');
    expect(await exited).toBe(0);
    expect(output).toMatch(/stopped; temporary data removed/);
    expect(processesOf(pid)).toEqual([]);
    expect(readdirSync(tmpdir()).filter((entry) => entry.includes(`-${pid}-`))).toEqual([]);
    expect(existsSync(DEMO_LOCK_PATH)).toBe(false);
    await expect(fetch(consoleUrl)).rejects.toThrow();
  }, 240_000);
});
