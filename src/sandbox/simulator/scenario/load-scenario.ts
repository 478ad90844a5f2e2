import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { ScenarioError } from '../../../core/errors.js';
import { GENERATED_SCENARIOS } from '../generators/generated-scenarios.js';
import { buildScenario } from './build-scenario.js';
import { extendScenario } from './extend-scenario.js';
import type { Scenario } from './scenario.js';

/**
 * Where scenario files live: `src/sandbox/scenarios/`. Found from this module so it works under ts-jest and tsx;
 * from a `dist/` build it falls back to the source tree, as tsc does not copy YAML.
 */
export function defaultScenariosDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = resolve(here, '../../scenarios');
  if (existsSync(beside)) return beside;
  // dist/sandbox/simulator/scenario → the package root is four levels up.
  return resolve(here, '../../../../src/sandbox/scenarios');
}

/** The names of the scenario files in `dir` and of the generated scenarios, sorted. */
export async function listScenarios(dir = defaultScenariosDir()): Promise<string[]> {
  const entries = await readdir(dir);
  const files = entries.filter((entry) => /\.ya?ml$/.test(entry)).map((entry) => entry.replace(/\.ya?ml$/, ''));
  return [...new Set([...files, ...Object.keys(GENERATED_SCENARIOS)])].sort();
}

function parseYaml(text: string, file: string): Record<string, unknown> {
  // YAML 1.1 merge keys (`<<: *defaults`) help keep scenarios short.
  const document = parseDocument(text, { prettyErrors: true, merge: true });
  if (document.errors.length > 0) {
    throw new ScenarioError(
      `Scenario file ${file} is not valid YAML:\n  - ${document.errors.map((error) => error.message.split('\n')[0]).join('\n  - ')}`,
    );
  }
  const content: unknown = document.toJS({ maxAliasCount: 10_000 });
  if (content === null || typeof content !== 'object' || Array.isArray(content)) {
    throw new ScenarioError(
      `Scenario file ${file} is invalid:\n  - the file must hold a mapping (name, description, cluster, ...)`,
    );
  }
  return content as Record<string, unknown>;
}

/** Follows `extends: <scenario name>` (looked up beside the file), refusing cycles. */
async function resolveExtends(
  content: Record<string, unknown>,
  file: string,
  seen: readonly string[],
): Promise<Record<string, unknown>> {
  const base = content.extends;
  if (base === undefined) return content;
  if (typeof base !== 'string' || !/^[a-z][a-z0-9-]*$/.test(base)) {
    throw new ScenarioError(
      `Scenario file ${file} is invalid:\n  - extends: name another scenario in the same directory, like "healthy"`,
    );
  }
  const baseFile = join(dirname(file), `${base}.yaml`);
  if (seen.includes(baseFile))
    throw new ScenarioError(
      `Scenario file ${file} is invalid:\n  - extends: "${base}" extends itself (${[...seen, baseFile].map((entry) => basename(entry)).join(' → ')})`,
    );
  let text: string;
  try {
    text = await readFile(baseFile, 'utf8');
  } catch (error) {
    throw new ScenarioError(
      `Scenario file ${file} is invalid:\n  - extends: cannot read ${baseFile}: ${(error as Error).message}`,
      error,
    );
  }
  const baseContent = await resolveExtends(parseYaml(text, baseFile), baseFile, [...seen, baseFile]);
  return extendScenario(baseContent, content);
}

/** Parses and validates scenario YAML text; `file` names it in errors and locates the scenario it `extends`. */
export async function parseScenario(text: string, file: string): Promise<Scenario> {
  const content = await resolveExtends(parseYaml(text, file), file, [file]);
  const scenario = buildScenario(content, file);
  const expected = basename(file).replace(/\.ya?ml$/, '');
  if (scenario.name !== expected) {
    throw new ScenarioError(
      `Scenario file ${file} is invalid:\n  - name: "${scenario.name}" must match the file name "${expected}"`,
    );
  }
  return scenario;
}

/**
 * Loads a scenario by name (`healthy` → `<dir>/healthy.yaml`, or a generated one like `scale` when no such file
 * exists) or by path (anything containing `/` or ending in `.yaml`). Throws {@link ScenarioError} listing the known
 * scenarios when the name is unknown.
 */
export async function loadScenario(nameOrPath: string, dir = defaultScenariosDir()): Promise<Scenario> {
  const isPath = nameOrPath.includes('/') || /\.ya?ml$/.test(nameOrPath);
  const file = isPath ? resolve(nameOrPath) : join(dir, `${nameOrPath}.yaml`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !isPath) {
      const generated = Object.hasOwn(GENERATED_SCENARIOS, nameOrPath) ? GENERATED_SCENARIOS[nameOrPath] : undefined;
      if (generated) return generated.generate();
      const known = await listScenarios(dir).catch(() => []);
      throw new ScenarioError(
        `Unknown scenario "${nameOrPath}". Available scenarios: ${known.join(', ') || '(none)'}.`,
        error,
      );
    }
    throw new ScenarioError(`Cannot read scenario file ${file}: ${(error as Error).message}`, error);
  }
  return parseScenario(text, file);
}
