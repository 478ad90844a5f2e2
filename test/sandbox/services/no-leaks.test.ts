import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive, isRemoved, sweepStaleTempDirs } from '../../helpers/services.js';

const fixture = fileURLToPath(new URL('./fixtures/hold-services.ts', import.meta.url));

interface Held {
  pids: number[];
  dirs: string[];
}

/** Runs the fixture in its own Node process and waits for the JSON line naming what it started. */
async function holdServicesInChild(tmp: string): Promise<{ child: ReturnType<typeof spawn>; held: Held }> {
  // A private TMPDIR: the sweep in other test files (every start sweeps) must not race this one.
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TMPDIR: tmp },
  });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`fixture exited with ${code}`))),
  ])) as [string];
  lines.close();
  return { child, held: JSON.parse(line) as Held };
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

describe('servers outlive no one', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'no-leaks-'));
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('kills the servers and removes their directories when the owner gets SIGTERM', async () => {
    const { child, held } = await holdServicesInChild(tmp);
    expect(held.pids.every(isProcessAlive)).toBe(true);
    child.kill('SIGTERM');
    await once(child, 'exit');
    expect(await eventually(() => !held.pids.some(isProcessAlive))).toBe(true);
    expect(held.dirs.every(isRemoved)).toBe(true);
  });

  it('kills the servers when the owner dies by SIGKILL, and the next start sweeps its directories', async () => {
    const { child, held } = await holdServicesInChild(tmp);
    child.kill('SIGKILL');
    await once(child, 'exit');
    // No JavaScript runs after SIGKILL: the kernel's parent-death signal (setpriv --pdeathsig) does the killing.
    expect(await eventually(() => !held.pids.some(isProcessAlive))).toBe(true);
    expect(held.dirs.some(isRemoved)).toBe(false);
    expect(sweepStaleTempDirs(tmp)).toHaveLength(3);
    expect(held.dirs.every(isRemoved)).toBe(true);
  });
});
