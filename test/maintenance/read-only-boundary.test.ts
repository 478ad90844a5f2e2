import { execFile } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { createEtcdReader } from '../../src/etcd/etcd3-reader.js';
import { ETCD_READER_METHODS } from '../helpers/etcd-reader-methods.js';

/** Every module a command's process loads, by dependency-cruiser, following imports (dynamic ones too). */
function moduleGraph(entry: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'npx',
      ['depcruise', entry, '--config', '.dependency-cruiser.mjs', '--output-type', 'json'],
      { timeout: 120_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '' } },
      (error, stdout) => {
        if (error && !stdout) return reject(error);
        const result = JSON.parse(stdout) as { modules: Array<{ source: string }> };
        resolve(result.modules.map((module) => module.source));
      },
    );
  });
}

/** Names of etcd3 methods and gRPC services that change etcd. */
const MUTATING =
  /put|delete|compact|defrag|disarm|deactivate|txn|lease|lock|elect|moveleader|member(add|remove|update|promote)|snapshot|write|auth/i;

describe('the diagnostics cannot reach a mutating etcd call', () => {
  it.each(['src/cli/worker-command.ts', 'src/cli/bot-command.ts', 'src/cli/diagnose-command.ts'])(
    '%s never loads the executor or its write-capable etcd client',
    async (entry) => {
      const graph = await moduleGraph(entry);
      // The graph is really followed: the worker's process does load the read-only etcd facade.
      if (entry !== 'src/cli/bot-command.ts') expect(graph).toContain('src/etcd/etcd3-reader.ts');
      expect(graph.filter((module) => module.startsWith('src/maintenance/'))).toEqual([]);
    },
    120_000,
  );

  it('the executor command is what loads it', async () => {
    expect(await moduleGraph('src/cli/executor-command.ts')).toContain('src/maintenance/etcd-maintenance-client.ts');
  }, 120_000);

  it('the read-only etcd facade has read methods only, holds no client, and cannot be extended', async () => {
    const reader = createEtcdReader({ endpoints: ['http://127.0.0.1:1'] });
    try {
      const keys = Object.keys(reader).sort();
      expect(keys).toEqual([...ETCD_READER_METHODS]);
      expect(keys.filter((key) => MUTATING.test(key))).toEqual([]);
      // Nothing but functions and the endpoint list: no etcd3 client is reachable from it.
      for (const key of keys) {
        const value = (reader as unknown as Record<string, unknown>)[key];
        expect(typeof value === 'function' || Array.isArray(value)).toBe(true);
      }
      expect(Object.isFrozen(reader)).toBe(true);
      expect(Object.getPrototypeOf(reader)).toBe(Object.prototype);
    } finally {
      await reader.close();
    }
  });
});
