import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const ROOT = process.cwd();

/** `npm run depcheck` in `directory`, as CI runs it; `err` output names each violation's rule and modules. */
function depcheck(directory: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'npm',
      ['run', '--silent', 'depcheck'],
      { cwd: directory, timeout: 120_000, env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(new Error(`npm run depcheck: ${error.message}`));
        else resolve({ code: typeof error?.code === 'number' ? error.code : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** Files planted into a copy of src/, one violation of each kind of rule. */
const PLANTED: Record<string, string> = {
  // A check that reaches bullmq through a helper: the helper's import alone would pass ESLint's per-file rule.
  'src/checks/planted-check.ts':
    "import { helper } from '../core/planted-queue-helper.js';\nexport const x = helper;\n",
  'src/core/planted-queue-helper.ts': "import { Queue } from 'bullmq';\nexport const helper = Queue;\n",
  // A cycle closed by a type-only import.
  'src/core/planted-a.ts': "import type { B } from './planted-b.js';\nexport interface A {\n  b?: B;\n}\n",
  'src/core/planted-b.ts': "import type { A } from './planted-a.js';\nexport interface B {\n  a?: A;\n}\n",
  // Production code that imports the sandbox.
  'src/diagnosis/planted-demo.ts': "export { startSimulator } from '../sandbox/simulator/index.js';\n",
  // A type-only import of the Kubernetes SDK outside its adapter.
  'src/render/planted-kube-types.ts': "import type { V1Pod } from '@kubernetes/client-node';\nexport type P = V1Pod;\n",
};

describe('npm run depcheck (dependency-cruiser)', () => {
  let copy: string;

  beforeAll(async () => {
    copy = await mkdtemp(join(tmpdir(), 'quorum-depcheck-'));
    for (const file of ['src', 'package.json', 'tsconfig.json', '.dependency-cruiser.mjs'])
      await cp(join(ROOT, file), join(copy, file), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    for (const [file, text] of Object.entries(PLANTED)) await writeFile(join(copy, file), text);
  });
  afterAll(async () => {
    await rm(copy, { recursive: true, force: true });
  });

  it('passes on the real tree', async () => {
    const result = await depcheck(ROOT);
    expect(result.output).toContain('no dependency violations found');
    expect(result.code).toBe(0);
  });

  it('fails on planted violations, naming the rule and the planted module of each', async () => {
    const result = await depcheck(copy);
    expect(result.code).not.toBe(0);
    const violations = result.output.split('\n').filter((line) => /^\s*error /.test(line));
    const named = (rule: string, from: string) =>
      violations.some((line) => line.includes(`error ${rule}: `) && line.includes(from));
    expect({
      transitive: named('diagnostics-not-to-services', 'src/checks/planted-check.ts'),
      sdkOwner: named('bullmq-only-in-queue', 'src/core/planted-queue-helper.ts'),
      cycle: named('no-circular', 'src/core/planted-a.ts'),
      sandbox: named('production-not-to-sandbox', 'src/diagnosis/planted-demo.ts'),
      typeOnlySdk: named('kube-sdk-only-in-adapter', 'src/render/planted-kube-types.ts'),
    }).toEqual({ transitive: true, sdkOwner: true, cycle: true, sandbox: true, typeOnlySdk: true });
    // Nothing else: the copy is the real tree plus the planted files.
    expect(violations.filter((line) => !line.includes('planted'))).toEqual([]);
  });
});
