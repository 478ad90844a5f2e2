#!/usr/bin/env node
// Runs the compiled CLI when `npm run build` has produced it, else the TypeScript sources through tsx, so
// `npx quorum` works on a fresh clone without a build step. `demo` and `bench` run from the sources whenever they are
// here (see entry-point.js).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chooseEntryPoint } from './entry-point.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'cli', 'main.js');
const sources = join(root, 'src', 'cli', 'main.ts');

/** Registers tsx's loader; false when tsx is absent (a development dependency: `--omit=dev` has the build only). */
async function registerTsx() {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    return true;
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return false;
    throw error;
  }
}

const entry = chooseEntryPoint({
  args: process.argv.slice(2),
  fromSourceEnv: Boolean(process.env.QUORUM_FROM_SOURCE),
  hasSources: existsSync(sources),
  hasCompiled: existsSync(compiled),
});
if (entry === 'sources' && (await registerTsx())) {
  await import(pathToFileURL(sources).href);
} else if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  console.error('quorum: no build in dist/ and no way to run the sources: run "npm install", then "npm run build".');
  process.exitCode = 3;
}
