import { badRequest } from '../server/status-error.js';

export type LabelOperator = 'exists' | '!' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

/** One requirement of a label selector, in apimachinery's terms. */
export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

type Token =
  | { kind: 'identifier'; text: string }
  | { kind: ',' | '(' | ')' | '=' | '==' | '!=' | '!' | '<' | '>' | 'in' | 'notin' | 'end'; text: string };

const SPECIAL = new Set([',', '(', ')', '=', '!', '<', '>', ' ', '\t', '\n']);
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === ' ' || char === '\t' || char === '\n') {
      index++;
    } else if (char === '=' && text[index + 1] === '=') {
      tokens.push({ kind: '==', text: '==' });
      index += 2;
    } else if (char === '!' && text[index + 1] === '=') {
      tokens.push({ kind: '!=', text: '!=' });
      index += 2;
    } else if (SPECIAL.has(char)) {
      tokens.push({ kind: char as ',' | '(' | ')' | '=' | '!' | '<' | '>', text: char });
      index++;
    } else {
      let end = index;
      while (end < text.length && !SPECIAL.has(text[end] ?? '')) end++;
      const word = text.slice(index, end);
      tokens.push(word === 'in' || word === 'notin' ? { kind: word, text: word } : { kind: 'identifier', text: word });
      index = end;
    }
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

function validateKey(key: string): void {
  const slash = key.indexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  if (!NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix)))) {
    throw badRequest(
      `unable to parse requirement: key: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

function validateValue(key: string, value: string): void {
  if (value !== '' && !NAME.test(value)) {
    throw badRequest(
      `unable to parse requirement: values[0][${key}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

/**
 * Parses a label selector: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, joined by
 * commas. Throws a 400 Status with the API server's "unable to parse requirement" wording.
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  const tokens = tokenize(selector);
  let position = 0;
  const peek = (): Token => tokens[position] ?? { kind: 'end', text: '' };
  const next = (): Token => tokens[position++] ?? { kind: 'end', text: '' };
  const fail = (found: Token, expected: string): never => {
    throw badRequest(`unable to parse requirement: found '${found.text}', expected: ${expected}`);
  };
  const requirements: LabelRequirement[] = [];
  if (peek().kind === 'end') return requirements;

  for (;;) {
    let negated = false;
    if (peek().kind === '!') {
      next();
      negated = true;
    }
    const keyToken = next();
    if (keyToken.kind !== 'identifier') fail(keyToken, 'identifier');
    const key = keyToken.text;
    validateKey(key);
    const op = peek();
    if (negated) {
      if (op.kind !== ',' && op.kind !== 'end') fail(op, "',' or 'end of string'");
      requirements.push({ key, operator: '!', values: [] });
    } else if (op.kind === ',' || op.kind === 'end') {
      requirements.push({ key, operator: 'exists', values: [] });
    } else if (op.kind === '=' || op.kind === '==' || op.kind === '!=') {
      next();
      const value = peek().kind === 'identifier' ? next().text : '';
      validateValue(key, value);
      requirements.push({ key, operator: op.kind === '!=' ? '!=' : '=', values: [value] });
    } else if (op.kind === 'in' || op.kind === 'notin') {
      next();
      const open = next();
      if (open.kind !== '(') fail(open, "'('");
      const values: string[] = [];
      for (;;) {
        const value = peek().kind === 'identifier' ? next().text : '';
        validateValue(key, value);
        values.push(value);
        const separator = next();
        if (separator.kind === ')') break;
        if (separator.kind !== ',') fail(separator, "',' or ')'");
      }
      requirements.push({ key, operator: op.kind, values });
    } else if (op.kind === '<' || op.kind === '>') {
      next();
      const value = next();
      if (value.kind !== 'identifier' || !/^-?\d+$/.test(value.text)) {
        throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
      }
      requirements.push({ key, operator: op.kind === '>' ? 'gt' : 'lt', values: [value.text] });
    } else {
      fail(op, "'=', '!=', '==', 'in', notin'");
    }
    const after = next();
    if (after.kind === 'end') return requirements;
    if (after.kind !== ',') fail(after, "',' or 'end of string'");
  }
}

/** True when the labels satisfy every requirement. `!=` and `notin` match objects without the label, as in Kubernetes. */
export function matchesLabels(
  requirements: readonly LabelRequirement[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const has = (key: string): boolean => labels !== undefined && Object.hasOwn(labels, key);
  return requirements.every(({ key, operator, values }) => {
    const value = labels?.[key];
    switch (operator) {
      case 'exists':
        return has(key);
      case '!':
        return !has(key);
      case '=':
      case 'in':
        return has(key) && values.includes(value ?? '');
      case '!=':
      case 'notin':
        return !has(key) || !values.includes(value ?? '');
      case 'gt':
      case 'lt': {
        if (!has(key) || !/^-?\d+$/.test(value ?? '')) return false;
        const actual = Number(value);
        const bound = Number(values[0]);
        return operator === 'gt' ? actual > bound : actual < bound;
      }
    }
    return false;
  });
}
