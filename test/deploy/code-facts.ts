/**
 * Facts the deploy files must agree with, read from the code rather than written down a second time: which
 * environment variables Quorum reads, and which metrics it exports.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Production sources: src/ without the sandbox (not in the image), plus the bin/ launcher. */
export function productionSources(): { file: string; text: string }[] {
  const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.startsWith('sandbox/'))
    .map((file) => join(ROOT, 'src', file));
  files.push(join(ROOT, 'bin', 'quorum.js'));
  return files.map((file) => ({ file: relative(ROOT, file), text: readFileSync(file, 'utf8') }));
}

/** The shapes a variable is read in: `env.NAME`, `env['NAME']`, `read('NAME')` (secrets), `number(env, 'NAME')`. */
const ENV_READS = [
  /\benv\.([A-Z][A-Z0-9_]*)\b/g,
  /\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]/g,
  /\bread\(['"]([A-Z][A-Z0-9_]*)['"]\)/g,
  /\bnumber\([\w.]+,\s*['"]([A-Z][A-Z0-9_]*)['"]\)/g,
];

/** Every environment variable the production code reads. */
export function envVariablesReadByCode(): Set<string> {
  const names = new Set<string>();
  for (const { text } of productionSources()) {
    for (const pattern of ENV_READS) for (const match of text.matchAll(pattern)) names.add(match[1]!);
  }
  return names;
}

/** Every metric name registered through prom-client (`name: 'quorum_…'`), with the default-metrics prefix. */
export function exportedMetricNames(): Set<string> {
  const names = new Set<string>();
  for (const { text } of productionSources()) {
    if (!text.includes("from 'prom-client'")) continue;
    for (const match of text.matchAll(/\bname:\s*'(quorum_[a-z0-9_]+)'/g)) names.add(match[1]!);
  }
  return names;
}

/** `NAME=value` and commented `# NAME=` lines of an env file. */
export function envFileNames(text: string): string[] {
  return [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!);
}
