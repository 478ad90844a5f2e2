import { z } from 'zod';
import type { PodFootprint } from '../ports/kube-types.js';

/**
 * The edge check of a {@link PodFootprint}, for lists of every pod of a large cluster. It reads only the fields the
 * footprint names and hands back the parsed item itself: zod's object schemas build a new object at every level, and
 * over 100,000 pods those copies (and the garbage they leave) cost more than reading the answer. A field that is
 * read but has the wrong type still fails, with its path, through `validate()` like any other schema; `null` passes
 * wherever the footprint allows it (Go writes it for absent).
 */
export const PodFootprintSchema = z.custom<PodFootprint>().check((context) => {
  const problem = footprintProblem(context.value);
  if (problem) {
    context.issues.push({ code: 'custom', input: problem.value, path: problem.path, message: problem.message });
  }
});

interface Problem {
  path: PropertyKey[];
  message: string;
  value: unknown;
}

type Shape = 'object' | 'string' | 'array';

function kind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** Whether `value` has the shape; `null` and absent count when `optional`. Allocates nothing. */
function fits(value: unknown, shape: Shape, optional: boolean): boolean {
  if (value === undefined || value === null) return optional;
  return shape === 'array' ? Array.isArray(value) : typeof value === shape && !Array.isArray(value);
}

/** What is wrong, in zod's words; built only on failure, so a valid pod costs no path arrays. */
function problem(value: unknown, shape: Shape, path: PropertyKey[]): Problem {
  return { path, value, message: `Invalid input: expected ${shape}, received ${kind(value)}` };
}

function stringMap(value: unknown, path: () => PropertyKey[]): Problem | undefined {
  if (!fits(value, 'object', true)) return problem(value, 'object', path());
  if (value === undefined || value === null) return undefined;
  for (const key in value) {
    const entry = (value as Record<string, unknown>)[key];
    if (typeof entry !== 'string') return problem(entry, 'string', [...path(), key]);
  }
  return undefined;
}

function containers(value: unknown, field: string): Problem | undefined {
  if (!fits(value, 'array', true)) return problem(value, 'array', ['spec', field]);
  if (!Array.isArray(value)) return undefined;
  for (let index = 0; index < value.length; index++) {
    const container: unknown = value[index];
    const at = (): PropertyKey[] => ['spec', field, index];
    if (!fits(container, 'object', false)) return problem(container, 'object', at());
    const { restartPolicy, resources } = container as Record<string, unknown>;
    if (!fits(restartPolicy, 'string', true)) return problem(restartPolicy, 'string', [...at(), 'restartPolicy']);
    if (!fits(resources, 'object', true)) return problem(resources, 'object', [...at(), 'resources']);
    if (resources === undefined || resources === null) continue;
    const requests = stringMap((resources as Record<string, unknown>).requests, () => [
      ...at(),
      'resources',
      'requests',
    ]);
    if (requests) return requests;
  }
  return undefined;
}

function footprintProblem(value: unknown): Problem | undefined {
  if (!fits(value, 'object', false)) return problem(value, 'object', []);
  const { metadata, spec } = value as Record<string, unknown>;
  if (!fits(metadata, 'object', false)) return problem(metadata, 'object', ['metadata']);
  const { name, namespace } = metadata as Record<string, unknown>;
  if (!fits(name, 'string', false)) return problem(name, 'string', ['metadata', 'name']);
  if (!fits(namespace, 'string', true)) return problem(namespace, 'string', ['metadata', 'namespace']);
  if (!fits(spec, 'object', true)) return problem(spec, 'object', ['spec']);
  if (spec === undefined || spec === null) return undefined;
  const { nodeName, containers: app, initContainers, overhead } = spec as Record<string, unknown>;
  if (!fits(nodeName, 'string', true)) return problem(nodeName, 'string', ['spec', 'nodeName']);
  return (
    containers(app, 'containers') ??
    containers(initContainers, 'initContainers') ??
    stringMap(overhead, () => ['spec', 'overhead'])
  );
}
