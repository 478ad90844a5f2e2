import type { z } from 'zod';
import type { CheckDefinition } from '../checks/check.js';
import type { Playbook, PlaybookCheck } from './playbook-schema.js';
import { resolveArgs } from './resolve-args.js';

export type ParamValues = Record<string, string | number | boolean>;

export type CheckArgs =
  { ok: true; value: unknown } | { ok: false; reference: string } | { ok: false; issues: readonly z.core.$ZodIssue[] };

/**
 * One check's arguments as it will run them: parameter references resolved (operator values over the playbook's
 * defaults), then validated by the check's own schema. Shared by the loader, the pre-run validation and the runner.
 */
export function checkArgs(
  playbook: Playbook,
  entry: PlaybookCheck,
  definition: CheckDefinition,
  params: ParamValues = {},
): CheckArgs {
  const values = {
    ...Object.fromEntries(playbook.parameters.map((parameter) => [parameter.name, parameter.default])),
    ...params,
  };
  const resolved = resolveArgs(entry.args, values, new Set(playbook.parameters.map((parameter) => parameter.name)));
  if (!resolved.ok) return { ok: false, reference: resolved.error };
  const parsed = definition.args.safeParse(resolved.value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, issues: parsed.error.issues };
}
