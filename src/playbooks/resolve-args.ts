type ParamValue = string | number | boolean | undefined;
export type ResolveResult = { ok: true; value: unknown } | { ok: false; error: string };

const REFERENCE = /^\$\{([a-zA-Z][a-zA-Z0-9]*)\}$/;

/**
 * Replaces every string arg that is exactly `${name}` with that parameter's value, keeping its type, so a
 * playbook's `window: ${windowSeconds}` becomes a number. Partial interpolation is deliberately unsupported.
 */
export function resolveArgs(
  args: unknown,
  values: Readonly<Record<string, ParamValue>>,
  declared: ReadonlySet<string>,
): ResolveResult {
  const missing: string[] = [];
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const match = REFERENCE.exec(value);
      if (!match) return value;
      const name = match[1] ?? '';
      if (!declared.has(name)) {
        missing.push(`\${${name}} is not a declared parameter`);
        return value;
      }
      const resolved = values[name];
      if (resolved === undefined) missing.push(`parameter "${name}" has no value and no default`);
      return resolved;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, walk(inner)]));
    }
    return value;
  };
  const value = walk(args);
  return missing.length > 0 ? { ok: false, error: missing.join('; ') } : { ok: true, value };
}
