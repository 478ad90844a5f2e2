import { closestMatches } from '../core/closest-match.js';
import { UsageError } from '../core/errors.js';
import type { Playbook } from './playbook-schema.js';
import type { ParamValues } from './check-args.js';

/** `["windowSeconds=5"]` → `{ windowSeconds: "5" }`: what people type, before it is typed by the playbook. */
export function parseAssignments(assignments: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const assignment of assignments) {
    const separator = assignment.indexOf('=');
    if (separator <= 0) throw new UsageError(`Parameter "${assignment}" must look like name=value.`);
    values[assignment.slice(0, separator)] = assignment.slice(separator + 1);
  }
  return values;
}

function coerce(playbook: Playbook, name: string, value: string | number | boolean): string | number | boolean {
  const parameter = playbook.parameters.find((candidate) => candidate.name === name);
  if (!parameter) {
    const known = playbook.parameters.map((candidate) => candidate.name);
    const near = closestMatches(name, known);
    throw new UsageError(
      `${playbook.id} has no parameter "${name}".${near.length > 0 ? ` Did you mean ${near.join(' or ')}?` : ''} Its parameters: ${known.join(', ') || 'none'}.`,
    );
  }
  const text = String(value);
  if (parameter.type === 'number') {
    const number = typeof value === 'number' ? value : Number(text);
    if (text.trim() === '' || !Number.isFinite(number)) {
      throw new UsageError(`Parameter ${name} must be a number, not "${text}".`);
    }
    return number;
  }
  if (parameter.type === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (text !== 'true' && text !== 'false')
      throw new UsageError(`Parameter ${name} must be true or false, not "${text}".`);
    return text === 'true';
  }
  // An empty namespace means all of them (the declared default); anything else must be a name Kubernetes allows.
  if (parameter.format === 'namespace' && text !== '' && !NAMESPACE.test(text))
    throw new UsageError(
      `Parameter ${name} must be a namespace name (lower-case letters, digits and "-", at most 63), not "${text}".`,
    );
  return text;
}

/** A DNS-1123 label, as Kubernetes requires of namespace names. */
const NAMESPACE = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The run's parameter values typed by the playbook's declarations: what a front end sends (text someone typed, or
 * already typed values) checked against the declared names and types.
 *
 * @throws UsageError naming the parameter, the near misses and the expected type.
 */
export function coerceParams(
  playbook: Playbook,
  values: Readonly<Record<string, string | number | boolean>>,
): ParamValues {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, coerce(playbook, name, value)]));
}
