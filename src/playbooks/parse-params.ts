import { UsageError } from '../core/errors.js';
import type { Playbook } from './playbook-schema.js';
import type { ParamValues } from './run-playbook.js';

/** `["windowSeconds=5"]` → `{ windowSeconds: 5 }`, typed by the playbook's declarations. */
export function parseParams(playbook: Playbook, assignments: readonly string[]): ParamValues {
  const values: ParamValues = {};
  const declared = new Map(playbook.parameters.map((parameter) => [parameter.name, parameter]));
  const known = [...declared.keys()].join(', ') || 'none';
  for (const assignment of assignments) {
    const separator = assignment.indexOf('=');
    if (separator <= 0)
      throw new UsageError(
        `--param "${assignment}" must look like name=value (parameters of ${playbook.id}: ${known}).`,
      );
    const name = assignment.slice(0, separator);
    const text = assignment.slice(separator + 1);
    const parameter = declared.get(name);
    if (!parameter) throw new UsageError(`${playbook.id} has no parameter "${name}"; its parameters: ${known}.`);
    if (parameter.type === 'number') {
      const value = Number(text);
      if (text === '' || !Number.isFinite(value))
        throw new UsageError(`--param ${name} must be a number, not "${text}".`);
      values[name] = value;
    } else if (parameter.type === 'boolean') {
      if (text !== 'true' && text !== 'false')
        throw new UsageError(`--param ${name} must be true or false, not "${text}".`);
      values[name] = text === 'true';
    } else {
      values[name] = text;
    }
  }
  return values;
}
