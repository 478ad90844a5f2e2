import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const RUN_JEST = join(process.cwd(), 'scripts', 'run-jest.mjs');

/** Runs scripts/run-jest.mjs on the throwaway test directory, as CI runs it on test/. */
function runJest(directory: string, env: Record<string, string>): Promise<{ code: number; lines: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [RUN_JEST, '--roots', directory, '--testMatch', '**/*.test.mjs'],
      { timeout: 60_000, env: { ...process.env, ...env } },
      (error, stdout) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: typeof error?.code === 'number' ? error.code : 0, lines: stdout.trim().split('\n') });
      },
    );
  });
}

describe('scripts/run-jest.mjs', () => {
  let directory: string;
  let allowList: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'quorum-run-jest-'));
    allowList = join(directory, 'allowed-skips.json');
    // Plain ES modules with Jest's injected globals: no transform, nothing to resolve outside the directory.
    await writeFile(
      join(directory, 'sample.test.mjs'),
      [
        "describe('sample', () => {",
        "  it('runs', () => {});",
        "  it.skip('needs kubectl', () => {});",
        "  it.todo('some day');",
        '});',
      ].join('\n'),
    );
    await writeFile(allowList, JSON.stringify({ 'sample needs kubectl': 'kubectl is optional on laptops' }));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('under CI fails on a skip that is not allowed, names it, and ends with honest counts', async () => {
    const result = await runJest(directory, { CI: 'true', QUORUM_ALLOWED_SKIPS: allowList });
    expect(result.code).toBe(1);
    expect(result.lines.at(-1)).toBe('tests: 1 passed, 0 failed, 2 skipped');
    expect(result.lines).toContain('  - sample some day');
    expect(result.lines).not.toContain('  - sample needs kubectl');
  });

  it('outside CI reports the same counts and passes', async () => {
    const result = await runJest(directory, { CI: 'false', QUORUM_ALLOWED_SKIPS: allowList });
    expect(result.code).toBe(0);
    expect(result.lines.at(-1)).toBe('tests: 1 passed, 0 failed, 2 skipped');
  });
});
