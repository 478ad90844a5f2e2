import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One demo per machine: its pid and console URL, so a second `quorum demo` can say where the first one is. */
export const DEMO_LOCK_PATH = join(tmpdir(), 'quorum-demo.lock');

export interface DemoLockHolder {
  pid: number;
  consoleUrl?: string;
}

export interface DemoLock {
  /** Records the console's address once it is known, for the next demo's message. */
  update(consoleUrl: string): void;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running demo holding the lock, if any (a lock left by a demo killed with SIGKILL does not count). */
export function demoLockHolder(path = DEMO_LOCK_PATH): DemoLockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const holder = JSON.parse(text) as DemoLockHolder;
    return typeof holder.pid === 'number' && alive(holder.pid) ? holder : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the demo lock or returns who holds it. The file is created exclusively (`wx`), so two demos started at the
 * same moment cannot both win; a stale file (its pid gone) is replaced.
 */
export function acquireDemoLock(path = DEMO_LOCK_PATH): DemoLock | { heldBy: DemoLockHolder } {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify({ pid: process.pid }), { flag: 'wx' });
      return {
        update: (consoleUrl) => writeFileSync(path, JSON.stringify({ pid: process.pid, consoleUrl })),
        release: () => rmSync(path, { force: true }),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = demoLockHolder(path);
      if (holder) return { heldBy: holder };
      rmSync(path, { force: true });
    }
  }
  const holder = demoLockHolder(path);
  return { heldBy: holder ?? { pid: -1 } };
}
