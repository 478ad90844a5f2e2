import { badRequest } from '../server/status-error.js';

/** One `field=value` or `field!=value` term of a field selector. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** Splits on separators not preceded by a backslash, as apimachinery's `fields.ParseSelector` does. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let current = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '\\' && index + 1 < text.length) {
      current += char + text[index + 1];
      index++;
    } else if (char === ',') {
      terms.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  terms.push(current);
  return terms;
}

function unescape(text: string, selector: string): string {
  let out = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = text[index + 1];
    if (next === undefined || !'\\,=!'.includes(next)) {
      throw badRequest(`invalid field selector: '${selector}'; invalid escape sequence in '${text}'`);
    }
    out += next;
    index++;
  }
  return out;
}

/**
 * Parses `status.phase=Pending,spec.nodeName!=cp-1`. The first operator found left to right wins (`!=`, then `==`,
 * then `=`), and `\,` `\=` `\!` `\\` escape, like the API server. Throws a 400 Status on malformed input.
 */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  if (selector.trim() === '') return [];
  return splitTerms(selector).map((term) => {
    for (let index = 0; index < term.length; index++) {
      if (term[index] === '\\') {
        index++;
        continue;
      }
      for (const op of ['!=', '==', '='] as const) {
        if (term.startsWith(op, index)) {
          const field = unescape(term.slice(0, index), selector);
          const value = unescape(term.slice(index + op.length), selector);
          if (field === '') break;
          return { field, operator: op === '!=' ? '!=' : '=', value };
        }
      }
    }
    throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
  });
}

/** True when the object's selectable fields satisfy every requirement; a missing field reads as "". */
export function matchesFields(
  requirements: readonly FieldRequirement[],
  fieldValue: (field: string) => string,
): boolean {
  return requirements.every((requirement) => {
    const actual = fieldValue(requirement.field);
    return requirement.operator === '=' ? actual === requirement.value : actual !== requirement.value;
  });
}
