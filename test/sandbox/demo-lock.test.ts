import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { acquireDemoLock, demoLockHolder } from '../../src/sandbox/demo-stack/demo-lock.js';
import { readableLogLine } from '../../src/sandbox/demo-stack/log-lines.js';

describe('one demo at a time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-demo-lock-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells a second demo which one runs and where its console is, and frees the lock on release', () => {
    const path = join(dir, 'held.lock');
    const first = acquireDemoLock(path);
    if ('heldBy' in first) throw new Error('the first demo should get the lock');
    first.update('http://127.0.0.1:4321/console');
    expect(acquireDemoLock(path)).toEqual({
      heldBy: { pid: process.pid, consoleUrl: 'http://127.0.0.1:4321/console' },
    });
    first.release();
    expect(demoLockHolder(path)).toBeUndefined();
    const again = acquireDemoLock(path);
    expect('heldBy' in again).toBe(false);
    if (!('heldBy' in again)) again.release();
  });

  it('takes over a lock whose demo died without releasing it', async () => {
    const path = join(dir, 'stale.lock');
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid as number;
    await new Promise((resolve) => child.once('exit', resolve));
    writeFileSync(path, JSON.stringify({ pid, consoleUrl: 'http://127.0.0.1:1/console' }));
    const lock = acquireDemoLock(path);
    expect('heldBy' in lock).toBe(false);
    if (!('heldBy' in lock)) lock.release();
  });
});

describe('readable log lines', () => {
  it.each([
    [
      'bot',
      '{"level":30,"time":1,"pid":2,"hostname":"h","name":"quorum-bot","msg":"bot listening","url":"http://x"}',
      'bot       info  bot listening  url=http://x',
    ],
    [
      'worker',
      '{"level":50,"msg":"failed","err":{"message":"boom","stack":"…"}}',
      'worker    error failed  err="boom"',
    ],
    ['executor', 'not json at all', 'executor  not json at all'],
  ])('%s: %s', (role, line, expected) => {
    expect(readableLogLine(role, line)).toBe(expected);
  });
});
