import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { InvalidPlaybookError, UnknownPlaybookError, UsageError } from '../core/errors.js';
import { closestMatches } from '../core/closest-match.js';
import { formatIssuePath } from '../core/issue-path.js';
import type { CheckRegistry } from '../checks/registry.js';
import { PlaybookSchema, type Playbook } from './playbook-schema.js';
import { checkArgs, type ParamValues } from './check-args.js';

export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: ReadonlyArray<PropertyKey> = []): string[] {
  return issues.map((issue) => {
    const path = formatIssuePath([...prefix, ...issue.path]);
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}

/** Parses and validates one playbook file, including every check's arguments against the check's own schema. */
export function parsePlaybook(file: string, text: string, registry: CheckRegistry): Playbook {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new InvalidPlaybookError(
      file,
      document.errors.map((error) => `YAML: ${error.message.split('\n')[0]}`),
    );
  }
  const parsed = PlaybookSchema.safeParse(document.toJS());
  if (!parsed.success) throw new InvalidPlaybookError(file, describeIssues(parsed.error.issues));

  const playbook = parsed.data;
  const problems: string[] = [];
  const expectedId = basename(file).replace(/\.ya?ml$/, '');
  if (playbook.id !== expectedId) problems.push(`id: "${playbook.id}" must match the file name "${expectedId}"`);
  playbook.checks.forEach((entry, index) => {
    const definition = registry.get(entry.check);
    if (!definition) {
      problems.push(
        `checks[${index}].check: unknown check "${entry.check}"; known checks: ${registry.ids().join(', ')}`,
      );
      return;
    }
    const args = checkArgs(playbook, entry, definition);
    if ('reference' in args) problems.push(`checks[${index}].args: ${args.reference}`);
    else if ('issues' in args) problems.push(...describeIssues(args.issues, ['checks', index, 'args']));
  });
  if (problems.length > 0) throw new InvalidPlaybookError(file, problems);
  return playbook;
}

/** Every `*.yaml` playbook in `directory`, validated; the first invalid file stops the load with its problems. */
export async function loadPlaybooks(directory: string, registry: CheckRegistry): Promise<Map<string, Playbook>> {
  const files = (await readdir(directory)).filter((name) => /\.ya?ml$/.test(name)).sort();
  const playbooks = new Map<string, Playbook>();
  for (const name of files) {
    const file = join(directory, name);
    const playbook = parsePlaybook(file, await readFile(file, 'utf8'), registry);
    playbooks.set(playbook.id, playbook);
  }
  return playbooks;
}

export function findPlaybook(playbooks: ReadonlyMap<string, Playbook>, id: string): Playbook {
  const playbook = playbooks.get(id);
  if (!playbook) {
    const known = [...playbooks.keys()];
    throw new UnknownPlaybookError(id, known, closestMatches(id, known));
  }
  return playbook;
}

/**
 * Checks the operator's parameter values against every check before anything connects, so a bad value is a usage
 * error naming the parameter, not six "could not check" findings after the fact.
 */
export function validateRunArgs(playbook: Playbook, registry: CheckRegistry, params: ParamValues): void {
  const problems = new Set<string>();
  for (const entry of playbook.checks) {
    const definition = registry.get(entry.check);
    if (!definition) continue;
    const args = checkArgs(playbook, entry, definition, params);
    if ('reference' in args) problems.add(args.reference);
    else if ('issues' in args) {
      for (const line of describeIssues(args.issues)) problems.add(`${entry.check}: ${line}`);
    }
  }
  if (problems.size > 0) {
    const given = Object.entries(params)
      .map(([name, value]) => `${name}=${String(value)}`)
      .join(' ');
    throw new UsageError(
      `Parameters ${given} do not suit playbook ${playbook.id}:\n  - ${[...problems].join('\n  - ')}`,
    );
  }
}
