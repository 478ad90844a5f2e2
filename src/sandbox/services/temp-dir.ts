import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './exit-cleanup.js';

/** Every directory we create is `quorum-svc-<kind>-<pid>-XXXXXX`, so a later run can tell whose it was. */
const PREFIX = 'quorum-svc-';
const OWNED = /^quorum-svc-[a-z0-9-]+?-(\d+)-[A-Za-z0-9]{6}$/;

export interface TempDir {
  readonly path: string;
  /** Removes the directory and everything in it; safe to call twice. */
  remove(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes directories left by earlier runs whose process is gone (a test runner killed with SIGKILL cannot clean up
 * after itself). Only names matching our own pattern are touched.
 */
export function sweepStaleTempDirs(root: string = tmpdir()): string[] {
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const pid = OWNED.exec(entry)?.[1];
    if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue;
    rmSync(join(root, entry), { recursive: true, force: true });
    removed.push(entry);
  }
  return removed;
}

/** A fresh private (0700) directory under the OS temp dir, removed on `remove()` or, failing that, at process exit. */
export function createTempDir(kind: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `${PREFIX}${kind}-${process.pid}-`));
  const cancelExitCleanup = onProcessExit(() => rmSync(path, { recursive: true, force: true }));
  return {
    path,
    async remove() {
      cancelExitCleanup();
      await rm(path, { recursive: true, force: true });
    },
  };
}
