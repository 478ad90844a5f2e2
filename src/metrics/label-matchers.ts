/**
 * PromQL label matchers (`cluster="prod-eu",job=~"apiserver|kube-apiserver"`): parsed from the operator's
 * `prometheus.selector`, and written back into every metric selector Quorum sends, so that a Prometheus shared by
 * many clusters and jobs answers for one of them only.
 */

/** The four PromQL match operators. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

/** One matcher: `name op "value"`, with `value` decoded (escapes resolved). */
export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
}

/** What the text is, or why it is not a list of matchers. */
export type ParsedLabelMatchers = { matchers: LabelMatcher[] } | { problem: string };

const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const OPS: readonly MatchOp[] = ['=~', '!~', '!=', '='];
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};
const HEX_ESCAPE_DIGITS: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };
const EXAMPLE = 'write label matchers such as cluster="prod-eu",job="apiserver"';

class Problem extends Error {}

/** A cursor over the selector text; every failure names the 1-based column, as PromQL's own errors do. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  fail(problem: string): never {
    throw new Problem(`${problem} at column ${this.pos + 1}`);
  }

  skipBlanks(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  eat(literal: string): boolean {
    if (!this.text.startsWith(literal, this.pos)) return false;
    this.pos += literal.length;
    return true;
  }

  labelName(): string {
    LABEL_NAME.lastIndex = this.pos;
    const match = LABEL_NAME.exec(this.text);
    if (!match) this.fail('expected a label name');
    const name = match[0];
    if (name === '__name__') {
      this.fail('__name__ cannot be matched (Quorum chooses the metric names)');
    }
    this.pos += name.length;
    return name;
  }

  op(): MatchOp {
    const op = OPS.find((candidate) => this.eat(candidate));
    if (!op) this.fail('expected one of =, !=, =~, !~');
    return op;
  }

  /** A PromQL string literal: "…" or '…' with Go escapes, or `…` taken as it is. */
  string(): string {
    const quote = this.peek();
    if (quote !== '"' && quote !== "'" && quote !== '`') this.fail('expected a quoted value');
    this.pos++;
    let value = '';
    for (;;) {
      if (this.atEnd()) this.fail(`unterminated value (no closing ${quote})`);
      const char = this.peek();
      this.pos++;
      if (char === quote) return value;
      if (quote !== '`' && char === '\n') this.fail('newline in a quoted value');
      value += quote !== '`' && char === '\\' ? this.escape(quote) : char;
    }
  }

  private escape(quote: string): string {
    if (this.atEnd()) this.fail(`unterminated value (no closing ${quote})`);
    const char = this.peek();
    this.pos++;
    if (char === quote) return quote;
    const simple = SIMPLE_ESCAPES[char];
    if (simple !== undefined) return simple;
    const digits = HEX_ESCAPE_DIGITS[char];
    if (digits !== undefined) return this.codePoint(this.text.slice(this.pos, this.pos + digits), 16, digits, 'hex');
    if (/[0-7]/.test(char)) {
      this.pos--;
      return this.codePoint(this.text.slice(this.pos, this.pos + 3), 8, 3, 'octal');
    }
    this.pos--;
    return this.fail(`unknown escape \\${char}`);
  }

  private codePoint(digits: string, radix: 8 | 16, length: number, kind: string): string {
    const valid = radix === 16 ? /^[0-9a-fA-F]+$/ : /^[0-7]+$/;
    if (digits.length !== length || !valid.test(digits)) this.fail(`expected ${length} ${kind} digits in an escape`);
    const code = Number.parseInt(digits, radix);
    // \x and octal escapes are single bytes in Go, and one byte of a UTF-8 sequence is not a character.
    if (length <= 3 && code > 0x7f) this.fail('escapes above \\x7f are bytes, not characters: use \\u');
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) this.fail('escape is not a Unicode character');
    this.pos += length;
    return String.fromCodePoint(code);
  }
}

function scan(text: string): LabelMatcher[] {
  const scanner = new Scanner(text);
  scanner.skipBlanks();
  const braced = scanner.eat('{');
  const matchers: LabelMatcher[] = [];
  for (;;) {
    scanner.skipBlanks();
    if (scanner.atEnd() || scanner.peek() === '}') break;
    const name = scanner.labelName();
    scanner.skipBlanks();
    if (scanner.peek() === '{') scanner.fail(`give the label matchers only, without the metric name "${name}"`);
    const op = scanner.op();
    scanner.skipBlanks();
    matchers.push({ name, op, value: scanner.string() });
    scanner.skipBlanks();
    // PromQL accepts a trailing comma.
    if (!scanner.eat(',')) break;
  }
  if (braced && !scanner.eat('}')) scanner.fail('expected , or }');
  scanner.skipBlanks();
  if (!scanner.atEnd()) scanner.fail(braced ? 'unexpected text after }' : 'expected , between matchers');
  if (matchers.length === 0) throw new Problem('no label matchers');
  return matchers;
}

/**
 * Parses `name op "value"` matchers separated by commas, optionally inside `{…}`. Regular expressions are not
 * checked here: Prometheus (Go's RE2) judges them, and refuses the query with its own message.
 */
export function tryParseLabelMatchers(text: string): ParsedLabelMatchers {
  try {
    return { matchers: scan(text) };
  } catch (error) {
    if (error instanceof Problem) return { problem: `${error.message}: ${EXAMPLE}` };
    throw error;
  }
}

/**
 * Like {@link tryParseLabelMatchers}, for text already validated (the config's refinement).
 *
 * @throws Error naming the problem when the text is not a list of label matchers.
 */
export function parseLabelMatchers(text: string): LabelMatcher[] {
  const parsed = tryParseLabelMatchers(text);
  if ('problem' in parsed) throw new Error(`not a list of label matchers (${parsed.problem})`);
  return parsed.matchers;
}

/** A double-quoted PromQL string literal for any value. */
function quote(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
  const escaped = value.replace(/[\\"\u0000-\u001f\u007f]/g, (char) => {
    if (char === '\\' || char === '"') return `\\${char}`;
    if (char === '\n') return '\\n';
    if (char === '\t') return '\\t';
    if (char === '\r') return '\\r';
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

/** `cluster="a",job=~"api.*"`: the matchers as PromQL writes them (empty for none). */
export function formatLabelMatchers(matchers: readonly LabelMatcher[]): string {
  return matchers.map((matcher) => `${matcher.name}${matcher.op}${quote(matcher.value)}`).join(',');
}

/** `metric{cluster="a"}`, or the bare metric name when there are no matchers. */
export function selectSeries(metric: string, matchers: readonly LabelMatcher[]): string {
  return matchers.length === 0 ? metric : `${metric}{${formatLabelMatchers(matchers)}}`;
}
