import { z } from 'zod';

type Scalar = string | number | boolean;
type Bindings = Readonly<Record<string, Scalar>>;

const VariableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are letters, digits and "_"');
const ScalarValue = z.union([z.string(), z.number(), z.boolean()]);
const Range = z
  .strictObject({ from: z.number().int(), to: z.number().int() })
  .refine((range) => range.to >= range.from && range.to - range.from < 100_000, {
    message: 'need from <= to, at most 100000 values',
  });

/**
 * An entry that stands for objects made from a template: `with` binds variables, `each` multiplies the entry (a map
 * of variable → values or range gives every combination; a list of maps gives one object per map), `patch` is
 * deep-merged over the result (objects merge, lists and scalars replace).
 */
export const TemplateUseSchema = z.strictObject({
  template: z.string(),
  with: z.record(VariableName, ScalarValue).default({}),
  each: z
    .union([
      z.record(VariableName, z.union([z.array(ScalarValue).min(1), Range])),
      z.array(z.record(VariableName, ScalarValue)).min(1),
    ])
    .optional(),
  patch: z.record(z.string(), z.unknown()).optional(),
});

/** An object made from a list entry, with where it came from for error messages. */
export interface ExpandedItem {
  object: unknown;
  /** `pods[3]` or `pods[3]{node=cp-2}`. */
  origin: string;
}

/** A template use that cannot expand; the message starts with the entry's path. */
export class TemplateError extends Error {}

function combinations(each: z.infer<typeof TemplateUseSchema>['each']): Bindings[] {
  if (each === undefined) return [{}];
  if (Array.isArray(each)) return each;
  let result: Array<Record<string, Scalar>> = [{}];
  for (const [name, values] of Object.entries(each)) {
    const list: Scalar[] = Array.isArray(values)
      ? values
      : Array.from({ length: values.to - values.from + 1 }, (_, index) => values.from + index);
    result = result.flatMap((binding) => list.map((value) => ({ ...binding, [name]: value })));
  }
  return result;
}

const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const INNER = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces `${name}` in every string; a string that is exactly `${name}` takes the variable's own type. */
export function substitute(value: unknown, bindings: Bindings, where: string): unknown {
  if (typeof value === 'string') {
    const lookup = (name: string): Scalar => {
      const bound = bindings[name];
      if (bound === undefined) throw new TemplateError(`${where}: \${${name}} is not defined by "with" or "each"`);
      return bound;
    };
    const whole = WHOLE.exec(value);
    if (whole) return lookup(whole[1] ?? '');
    return value.replace(INNER, (_match, name: string | undefined) =>
      name === undefined ? '${' : String(lookup(name)),
    );
  }
  if (Array.isArray(value)) return value.map((entry) => substitute(entry, bindings, where));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, substitute(entry, bindings, where)]));
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Merges `patch` into `base` recursively; lists and scalars in the patch replace. */
export function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return structuredClone(patch);
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch))
    merged[key] = key in base ? deepMerge(base[key], value) : structuredClone(value);
  return merged;
}

/**
 * Expands a list of objects and template uses into objects. Plain objects pass through; an entry with a `template`
 * key is validated as a {@link TemplateUseSchema}. `builtins` are variables every template and patch may use
 * (`with` and `each` override them). Throws {@link TemplateError} with the entry's path.
 */
export function expandList(
  list: readonly unknown[],
  templates: Readonly<Record<string, unknown>>,
  listName: string,
  builtins: Bindings = {},
): ExpandedItem[] {
  const items: ExpandedItem[] = [];
  list.forEach((entry, index) => {
    const where = `${listName}[${index}]`;
    if (!isPlainObject(entry) || !('template' in entry)) {
      items.push({ object: entry, origin: where });
      return;
    }
    const parsed = TemplateUseSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TemplateError(
        `${where}${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid template use'}`,
      );
    }
    const use = parsed.data;
    const template = templates[use.template];
    if (template === undefined) {
      const known = Object.keys(templates);
      throw new TemplateError(
        `${where}.template: no template "${use.template}"; defined: ${known.length ? known.join(', ') : '(none)'}`,
      );
    }
    for (const combination of combinations(use.each)) {
      // `with` values may themselves use the built-ins: `image: "registry.k8s.io/kube-apiserver:${kubernetesVersion}"`.
      const fixed = substitute(use.with, builtins, `${where}.with`) as Bindings;
      const bindings = { ...builtins, ...fixed, ...combination };
      const label = Object.keys(combination).length
        ? `${where}{${Object.entries(combination)
            .map(([name, value]) => `${name}=${String(value)}`)
            .join(',')}}`
        : where;
      let object = substitute(template, bindings, `${label} (template "${use.template}")`);
      if (use.patch) object = deepMerge(object, substitute(use.patch, bindings, `${label}.patch`));
      items.push({ object, origin: label });
    }
  });
  return items;
}
