import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceStartError } from '../../../src/core/errors.js';
import { spawnServer } from '../../../src/sandbox/services/spawn-server.js';
import { assertStillRunning } from '../../../src/sandbox/services/start-error.js';
import { waitUntil } from '../../../src/sandbox/services/wait-until.js';
import { requireBinary, sweepStaleTempDirs } from '../../helpers/services.js';

describe('requireBinary', () => {
  it.each([
    ['etcd', 'apt-get install -y etcd-server'],
    ['redis-server', 'apt-get install -y redis-server'],
    ['prometheus', 'apt-get install -y prometheus'],
  ] as const)('says how to install a missing %s', (binary, install) => {
    const attempt = () => requireBinary(binary, ['/nonexistent/bin']);
    expect(attempt).toThrow(ServiceStartError);
    expect(attempt).toThrow('npm run bootstrap');
    expect(attempt).toThrow(install);
  });

  it('finds the installed servers', () => {
    expect(requireBinary('etcd')).toMatch(/\/etcd$/);
    expect(requireBinary('redis-server')).toMatch(/\/redis-server$/);
    expect(requireBinary('prometheus')).toMatch(/\/prometheus$/);
  });
});

describe('start errors', () => {
  it('carry the exit status and the last output of a server that died while starting', async () => {
    const server = spawnServer({
      name: 'doomed',
      command: '/bin/sh',
      args: ['-c', 'echo "bind: address in orbit" >&2; exit 3'],
    });
    await server.exited;
    const attempt = () => assertStillRunning(server);
    expect(attempt).toThrow(ServiceStartError);
    expect(attempt).toThrow(/doomed exited with code 3/);
    expect(attempt).toThrow(/Last output of doomed:\nbind: address in orbit/);
  });

  it('stop() escalates to SIGKILL when a server ignores SIGTERM', async () => {
    const server = spawnServer({
      name: 'stubborn',
      command: '/bin/sh',
      args: ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done'],
    });
    await waitUntil(() => server.outputTail().includes('ready'), { what: 'the shell to trap TERM', timeoutMs: 5_000 });
    const started = Date.now();
    await server.stop({ timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(server.exitInfo()).toMatchObject({ signal: 'SIGKILL' });
  });

  it('waitUntil names what it waited for and the last failure', async () => {
    await expect(
      waitUntil(() => Promise.reject(new Error('connection refused')), {
        what: 'the moon',
        timeoutMs: 100,
        intervalMs: 20,
      }),
    ).rejects.toThrow('timed out after 100 ms waiting for the moon: connection refused');
  });
});

describe('sweepStaleTempDirs', () => {
  it('removes only our directories whose owner process is gone', () => {
    const root = mkdtempSync(join(tmpdir(), 'sweep-test-'));
    try {
      const dead = 'quorum-svc-etcd-999999999-AbC123';
      const mine = `quorum-svc-redis-${process.pid}-xYz789`;
      const foreign = 'someone-elses-999999999-AbC123';
      for (const name of [dead, mine, foreign]) mkdirSync(join(root, name, 'member'), { recursive: true });
      expect(sweepStaleTempDirs(root)).toEqual([dead]);
      expect(readdirSync(root).sort()).toEqual([foreign, mine].sort());
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
