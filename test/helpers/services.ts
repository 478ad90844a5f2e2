/** Real servers for tests (see src/sandbox/services), plus small checks that nothing was left behind. */
import { existsSync } from 'node:fs';
export * from '../../src/sandbox/services/index.js';

/** True while a process with this pid exists (a zombie counts until its parent reaps it). */
export function isProcessAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the directory is gone. */
export function isRemoved(path: string): boolean {
  return !existsSync(path);
}
