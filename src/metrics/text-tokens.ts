/**
 * Character-level scanners for the Prometheus text format. They work on `[start, end)` ranges of the whole text and
 * allocate nothing, so lines of families the caller skips are checked without creating strings.
 */

const TAB = 9;
const SPACE = 32;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const COLON = 58;
const UNDERSCORE = 95;
const BACKSLASH = 92;
const QUOTE = 34;
const LOWER_N = 110;

/** Space or tab: the only separators the format allows inside a line. */
export function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

/** The first index at or after `pos` that is not a blank, or `end`. */
export function skipBlanks(text: string, pos: number, end: number): number {
  while (pos < end && isBlank(text.charCodeAt(pos))) pos++;
  return pos;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function skipDigits(text: string, pos: number, end: number): number {
  while (pos < end && isDigit(text.charCodeAt(pos))) pos++;
  return pos;
}

/** End of a metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`) starting at `pos`; `pos` itself when there is none. */
export function scanMetricName(text: string, pos: number, end: number): number {
  return scanName(text, pos, end, true);
}

/** End of a label name (`[a-zA-Z_][a-zA-Z0-9_]*`) starting at `pos`; `pos` itself when there is none. */
export function scanLabelName(text: string, pos: number, end: number): number {
  return scanName(text, pos, end, false);
}

function scanName(text: string, pos: number, end: number, colon: boolean): number {
  const start = pos;
  while (pos < end) {
    const code = text.charCodeAt(pos);
    const ok = isLetter(code) || code === UNDERSCORE || (colon && code === COLON) || (pos > start && isDigit(code));
    if (!ok) break;
    pos++;
  }
  return pos;
}

/** The end of a token: the first blank at or after `pos`, or `end`. */
export function tokenEnd(text: string, pos: number, end: number): number {
  while (pos < end && !isBlank(text.charCodeAt(pos))) pos++;
  return pos;
}

/** True when `[start, end)` equals `word`, ignoring ASCII case. */
function equalsIgnoreCase(text: string, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    if ((text.charCodeAt(start + i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** Infinity / -Infinity / NaN for the special spellings Go's ParseFloat accepts, else undefined. */
function specialFloat(text: string, start: number, end: number): number | undefined {
  if (equalsIgnoreCase(text, start, end, 'nan')) return NaN;
  const first = text.charCodeAt(start);
  const signed = first === PLUS || first === MINUS;
  const from = signed ? start + 1 : start;
  if (equalsIgnoreCase(text, from, end, 'inf') || equalsIgnoreCase(text, from, end, 'infinity')) {
    return first === MINUS ? -Infinity : Infinity;
  }
  return undefined;
}

/**
 * True when `[start, end)` is a float as Go's `strconv.ParseFloat` reads the format's values: `[+-]digits[.digits][e[+-]digits]`
 * (also `.5` and `1.`), `NaN`, `+Inf`, `-Inf`, `Inf`, `Infinity`, case-insensitive. Hexadecimal floats are refused:
 * no exporter writes them.
 */
export function isFloatToken(text: string, start: number, end: number): boolean {
  if (start >= end) return false;
  if (specialFloat(text, start, end) !== undefined) return true;
  let pos = start;
  const first = text.charCodeAt(pos);
  if (first === PLUS || first === MINUS) pos++;
  const integerEnd = skipDigits(text, pos, end);
  let digits = integerEnd - pos;
  pos = integerEnd;
  if (pos < end && text.charCodeAt(pos) === DOT) {
    const fractionEnd = skipDigits(text, pos + 1, end);
    digits += fractionEnd - pos - 1;
    pos = fractionEnd;
  }
  if (digits === 0) return false;
  if (pos < end && (text.charCodeAt(pos) | 0x20) === 0x65 /* e or E */) {
    pos++;
    const sign = pos < end ? text.charCodeAt(pos) : -1;
    if (sign === PLUS || sign === MINUS) pos++;
    const exponentEnd = skipDigits(text, pos, end);
    if (exponentEnd === pos) return false;
    pos = exponentEnd;
  }
  return pos === end;
}

/** The value of a token that passed {@link isFloatToken}. */
export function floatValue(text: string, start: number, end: number): number {
  return specialFloat(text, start, end) ?? Number(text.slice(start, end));
}

/** True when `[start, end)` is a base-10 integer with an optional sign (a sample timestamp). */
export function isIntegerToken(text: string, start: number, end: number): boolean {
  if (start >= end) return false;
  let pos = start;
  const first = text.charCodeAt(pos);
  if (first === PLUS || first === MINUS) pos++;
  return pos < end && skipDigits(text, pos, end) === end;
}

/** The value of a token that passed {@link isIntegerToken}, computed without a string; beyond 2^53 it is inexact. */
export function integerValue(text: string, start: number, end: number): number {
  const first = text.charCodeAt(start);
  let value = 0;
  for (let pos = first === PLUS || first === MINUS ? start + 1 : start; pos < end; pos++) {
    value = value * 10 + (text.charCodeAt(pos) - 48);
  }
  return first === MINUS ? -value : value;
}

/**
 * Finds the closing quote of a label value whose first character is at `pos`, checking escapes: only `\\`, `\"` and
 * `\n` exist. Returns the index of the closing quote, or a negative number: -1 when the line ends first, -2 - i for
 * an invalid escape at index i.
 */
export function scanQuoted(text: string, pos: number, end: number): number {
  while (pos < end) {
    const code = text.charCodeAt(pos);
    if (code === QUOTE) return pos;
    if (code === BACKSLASH) {
      const next = pos + 1 < end ? text.charCodeAt(pos + 1) : -1;
      if (next !== BACKSLASH && next !== QUOTE && next !== LOWER_N) return -2 - pos;
      pos += 2;
    } else pos++;
  }
  return -1;
}

/**
 * Checks the escapes of a `# HELP` docstring: only `\\` and `\n` exist there. Returns -1 when they are all valid,
 * else the index of the bad backslash.
 */
export function badHelpEscape(text: string, pos: number, end: number): number {
  for (; pos < end; pos++) {
    if (text.charCodeAt(pos) !== BACKSLASH) continue;
    const next = pos + 1 < end ? text.charCodeAt(pos + 1) : -1;
    if (next !== BACKSLASH && next !== LOWER_N) return pos;
    pos++;
  }
  return -1;
}

/**
 * The text of `[start, end)` with escapes (already checked) replaced: `\\` → `\`, `\"` → `"`, `\n` → newline.
 * Searches stay inside the range: an unbounded `indexOf` would make a whole scrape quadratic.
 */
export function unescape(text: string, start: number, end: number): string {
  let pos = start;
  while (pos < end && text.charCodeAt(pos) !== BACKSLASH) pos++;
  if (pos === end) return text.slice(start, end);
  let out = text.slice(start, pos);
  while (pos < end) {
    const escaped = text.charCodeAt(pos + 1);
    out += escaped === LOWER_N ? '\n' : String.fromCharCode(escaped);
    const from = pos + 2;
    pos = from;
    while (pos < end && text.charCodeAt(pos) !== BACKSLASH) pos++;
    out += text.slice(from, pos);
  }
  return out;
}
