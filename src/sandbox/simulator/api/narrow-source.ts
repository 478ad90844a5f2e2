import type { ObjectSource } from '../scenario/object-source.js';
import { emptySource } from '../scenario/source-combinators.js';
import type { FieldRequirement } from './field-selector.js';

/**
 * The narrowest source a list with these field requirements needs to walk: for each field the source indexes, the
 * index's candidates for `field=value`, or for `field!=a,field!=b` the candidates of the one value left. The list
 * still checks every object it walks against the whole selector, so this only saves work; it never changes which
 * objects are served, nor their order.
 */
export function narrowSource(source: ObjectSource, requirements: readonly FieldRequirement[]): ObjectSource {
  if (!source.index || requirements.length === 0) return source;
  const byField = new Map<string, FieldRequirement[]>();
  for (const requirement of requirements) {
    byField.set(requirement.field, [...(byField.get(requirement.field) ?? []), requirement]);
  }
  let best = source;
  for (const [field, terms] of byField) {
    const index = source.index(field);
    if (!index) continue;
    const wanted = new Set(terms.filter((term) => term.operator === '=').map((term) => term.value));
    const excluded = new Set(terms.filter((term) => term.operator === '!=').map((term) => term.value));
    let candidate: ObjectSource | undefined;
    if (wanted.size > 1) {
      // `phase=Pending,phase=Running`: nothing has two values.
      candidate = emptySource();
    } else if (wanted.size === 1) {
      const [value = ''] = wanted;
      candidate = excluded.has(value) ? emptySource() : index.candidates(value);
    } else if (index.values) {
      const left = index.values.filter((value) => !excluded.has(value));
      if (left.length === 0) candidate = emptySource();
      else if (left.length === 1) candidate = index.candidates(left[0] ?? '');
    }
    if (candidate && candidate.size < best.size) best = candidate;
  }
  return best;
}
