#!/usr/bin/env node
// `npm run build [-- tsc options]`: compiles (tsconfig.build.json unless -p is given), then writes the validated
// playbook catalog beside the compiled modules, so that listing playbooks starts without zod or the YAML parser.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const tscArgs = args.includes('-p') || args.includes('--project') ? args : ['-p', 'tsconfig.build.json', ...args];
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), ...tscArgs], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const outFlag = args.indexOf('--outDir');
const outDir = resolve(root, outFlag >= 0 ? args[outFlag + 1] : 'dist');
// From the sources (tsx is a build-time dependency): an outDir outside the checkout cannot resolve node_modules.
const { register } = await import('tsx/esm/api');
register();
const { writePlaybookCatalog } = await import(
  pathToFileURL(join(root, 'src', 'playbooks', 'write-playbook-catalog.ts')).href
);
await writePlaybookCatalog(join(root, 'playbooks'), join(outDir, 'playbooks', 'catalog.json'));
