import { MetricType, newLabels, type MetricFamily, type ParsedMetrics, type Sample } from './metric-family.js';
import { MetricsParseError } from './metrics-errors.js';
import {
  badHelpEscape,
  floatValue,
  integerValue,
  isBlank,
  isFloatToken,
  isIntegerToken,
  scanLabelName,
  scanMetricName,
  scanQuoted,
  skipBlanks,
  tokenEnd,
  unescape,
} from './text-tokens.js';

/** Options of {@link parsePrometheusText}. */
export interface ParseOptions {
  /**
   * Build only these metric families, by family name (`apiserver_request_duration_seconds`, not `…_bucket`). Lines
   * of other families are still checked, but without creating strings or objects.
   * @defaultValue every family
   */
  families?: ReadonlySet<string>;
}

const TYPES: ReadonlySet<string> = new Set(Object.values(MetricType));

/** What a sample line is within its family: the suffix it carries. */
const Role = { Plain: 0, Bucket: 1, Sum: 2, Count: 3 } as const;
type Role = (typeof Role)[keyof typeof Role];
const SUFFIXES: ReadonlyArray<readonly [string, Role]> = [
  ['_bucket', Role.Bucket],
  ['_sum', Role.Sum],
  ['_count', Role.Count],
];

const HASH = 35;
const EQUALS = 61;
const QUOTE = 34;
const COMMA = 44;
const OPEN = 123;
const CLOSE = 125;
const CR = 13;

interface BuiltFamily {
  name: string;
  type: MetricType;
  help: string | undefined;
  samples: Sample[];
}

interface FamilyState {
  readonly name: string;
  type: MetricType;
  /** Sample names by {@link Role}; only histograms and summaries have suffixed ones. */
  names: readonly string[];
  typed: boolean;
  helped: boolean;
  sampled: boolean;
  /** The family being built; undefined when the caller skips it. */
  readonly built: BuiltFamily | undefined;
}

/**
 * Parses the Prometheus text exposition format 0.0.4, as kube-apiserver, etcd and client_golang serve `/metrics`.
 *
 * One pass over the text, line by line, without splitting it: time and memory are linear in its length, and with
 * `options.families` only the wanted families allocate anything. Histogram and summary samples (`x_bucket`,
 * `x_sum`, `x_count`) belong to family `x` when a `# TYPE x histogram|summary` line came before them; without a
 * `# TYPE` line every sample name is its own untyped family, as in Prometheus' own parser.
 *
 * @throws MetricsParseError on the first malformed line, naming its line number and what is wrong.
 */
export function parsePrometheusText(text: string, options: ParseOptions = {}): ParsedMetrics {
  const parser = new TextParser(text, options.families);
  parser.parse();
  return parser.families;
}

class TextParser {
  readonly families = new Map<string, MetricFamily>();
  private readonly states = new Map<string, FamilyState>();
  /** The family of the previous sample line: consecutive lines almost always share it. */
  private current: FamilyState | undefined;
  private role: Role = Role.Plain;
  /** Label name ranges of the current line, reused to find duplicates without allocating. */
  private readonly labelStarts: number[] = [];
  private readonly labelEnds: number[] = [];
  /** One copy of each label name and value: a scrape repeats the same few hundred strings. */
  private readonly strings = new Map<string, string>();
  private cursor = 0;
  private line = 0;
  private lineStart = 0;
  private lineEnd = 0;

  constructor(
    private readonly text: string,
    private readonly wanted: ReadonlySet<string> | undefined,
  ) {}

  parse(): void {
    const { text } = this;
    for (let start = 0; start < text.length; start = this.lineEnd + 1) {
      const newline = text.indexOf('\n', start);
      this.line++;
      this.lineStart = start;
      this.lineEnd = newline === -1 ? text.length : newline;
      this.parseLine(start, this.lineEnd);
    }
  }

  /**
   * The shared copy of `value`. The first one is copied out of the scrape text, because V8 slices of 13 characters
   * or more keep their whole parent string alive, and the parsed samples should not pin tens of MB of text.
   */
  private intern(value: string): string {
    let known = this.strings.get(value);
    if (known === undefined) {
      known = value.length < 13 ? value : ` ${value}`.slice(1);
      this.strings.set(known, known);
    }
    return known;
  }

  private fail(problem: string): never {
    throw new MetricsParseError(this.line, problem, this.text.slice(this.lineStart, this.lineEnd));
  }

  private parseLine(start: number, end: number): void {
    if (end > start && this.text.charCodeAt(end - 1) === CR) {
      this.fail('the line ends with a carriage return (CRLF): lines must end with \\n alone');
    }
    const pos = skipBlanks(this.text, start, end);
    if (pos === end) return;
    if (this.text.charCodeAt(pos) === HASH) this.parseComment(pos + 1, end);
    else this.parseSample(pos, end);
  }

  private state(name: string): FamilyState {
    let state = this.states.get(name);
    if (state) return state;
    const keep = this.wanted === undefined || this.wanted.has(name);
    const built = keep ? { name, type: MetricType.Untyped, help: undefined, samples: [] } : undefined;
    state = { name, type: MetricType.Untyped, names: [name], typed: false, helped: false, sampled: false, built };
    this.states.set(name, state);
    if (built) this.families.set(name, built);
    return state;
  }

  /** `# HELP name text`, `# TYPE name type`, or a comment, which is ignored. `pos` is just after `#`. */
  private parseComment(pos: number, end: number): void {
    const { text } = this;
    const wordStart = skipBlanks(text, pos, end);
    const wordEnd = tokenEnd(text, wordStart, end);
    const isHelp = wordEnd - wordStart === 4 && text.startsWith('HELP', wordStart);
    if (!isHelp && !(wordEnd - wordStart === 4 && text.startsWith('TYPE', wordStart))) return;
    const keyword = isHelp ? '# HELP' : '# TYPE';
    // Whatever a HELP or TYPE line declares may change how later sample names resolve.
    this.current = undefined;

    const nameStart = skipBlanks(text, wordEnd, end);
    const nameEnd = scanMetricName(text, nameStart, end);
    if (nameEnd === nameStart) this.fail(`${keyword} needs a metric name`);
    if (nameEnd < end && !isBlank(text.charCodeAt(nameEnd))) {
      this.fail(`invalid character ${JSON.stringify(text[nameEnd])} in the metric name of ${keyword}`);
    }
    const state = this.state(text.slice(nameStart, nameEnd));
    const rest = skipBlanks(text, nameEnd, end);
    if (isHelp) this.help(state, rest, end);
    else this.type(state, rest, end);
  }

  private help(state: FamilyState, start: number, end: number): void {
    if (state.helped) this.fail(`second # HELP line for ${state.name}`);
    state.helped = true;
    const bad = badHelpEscape(this.text, start, end);
    if (bad >= 0) {
      this.fail(
        `invalid escape sequence ${JSON.stringify(this.text.slice(bad, bad + 2))} in # HELP (only \\\\ and \\n)`,
      );
    }
    if (state.built) state.built.help = unescape(this.text, start, end);
  }

  private type(state: FamilyState, start: number, end: number): void {
    const typeEnd = tokenEnd(this.text, start, end);
    const type = this.text.slice(start, typeEnd);
    if (!TYPES.has(type)) {
      this.fail(`${type ? `unknown metric type "${type}"` : 'missing metric type'}: expected ${[...TYPES].join(', ')}`);
    }
    if (skipBlanks(this.text, typeEnd, end) < end) this.fail(`unexpected text after the metric type`);
    if (state.typed) this.fail(`second # TYPE line for ${state.name}`);
    if (state.sampled) this.fail(`# TYPE line for ${state.name} comes after its samples`);
    state.typed = true;
    state.type = type as MetricType;
    if (state.type === MetricType.Histogram || state.type === MetricType.Summary) {
      state.names = [state.name, ...SUFFIXES.map(([suffix]) => state.name + suffix)];
    }
    if (state.built) state.built.type = state.type;
  }

  /** `name{label="value",...} value [timestamp]`; `pos` is at the first character of the name. */
  private parseSample(pos: number, end: number): void {
    const { text } = this;
    const nameEnd = scanMetricName(text, pos, end);
    if (nameEnd === pos) {
      this.fail(
        text.charCodeAt(pos) === OPEN
          ? 'the metric name is missing (quoted names in braces are not part of format 0.0.4)'
          : `expected a metric name, found ${JSON.stringify(text[pos])}`,
      );
    }
    if (nameEnd < end && !isBlank(text.charCodeAt(nameEnd)) && text.charCodeAt(nameEnd) !== OPEN) {
      this.fail(`invalid character ${JSON.stringify(text[nameEnd])} in the metric name`);
    }
    const family = this.resolve(pos, nameEnd);
    const role = this.role;
    if (family.type === MetricType.Histogram && role === Role.Plain) {
      this.fail(`samples of histogram ${family.name} must end in _bucket, _sum or _count`);
    }

    let p = skipBlanks(text, nameEnd, end);
    let labels: Record<string, string> | undefined;
    if (p < end && text.charCodeAt(p) === OPEN) {
      labels = this.parseLabels(p + 1, end, family, role);
      p = skipBlanks(text, this.cursor, end);
    } else {
      this.requireLabel(family, role, false);
      if (family.built) labels = newLabels();
    }

    if (p === end) this.fail('the sample has no value');
    const valueEnd = tokenEnd(text, p, end);
    if (!isFloatToken(text, p, valueEnd)) this.fail(`invalid sample value ${JSON.stringify(text.slice(p, valueEnd))}`);
    const valueStart = p;

    let timestampMs: number | undefined;
    p = skipBlanks(text, valueEnd, end);
    if (p < end) {
      const timestampEnd = tokenEnd(text, p, end);
      if (!isIntegerToken(text, p, timestampEnd)) {
        this.fail(`invalid timestamp ${JSON.stringify(text.slice(p, timestampEnd))}: expected integer milliseconds`);
      }
      if (skipBlanks(text, timestampEnd, end) < end) this.fail('unexpected text after the timestamp');
      timestampMs = integerValue(text, p, timestampEnd);
      if (!Number.isSafeInteger(timestampMs)) this.fail('the timestamp is out of range');
    }

    if (family.built && labels) {
      family.built.samples.push({
        name: family.names[role] ?? family.name,
        labels,
        value: floatValue(text, valueStart, valueEnd),
        timestampMs,
        line: this.line,
      });
    }
  }

  /**
   * The family of the sample name at `[start, end)`, setting {@link role}. Lines of the previous sample's family are
   * recognised without allocating; otherwise a suffix of a declared histogram or summary wins over the exact name.
   */
  private resolve(start: number, end: number): FamilyState {
    const { text } = this;
    const current = this.current;
    if (current && text.startsWith(current.name, start)) {
      const suffixStart = start + current.name.length;
      if (suffixStart === end) {
        this.role = Role.Plain;
        return current;
      }
      for (let role = 1; role < current.names.length; role++) {
        const suffix = SUFFIXES[role - 1];
        if (suffix && end - suffixStart === suffix[0].length && text.startsWith(suffix[0], suffixStart)) {
          if (role === Role.Bucket && current.type !== MetricType.Histogram) break;
          this.role = suffix[1];
          return current;
        }
      }
    }

    const name = text.slice(start, end);
    let found: FamilyState | undefined;
    let role: Role = Role.Plain;
    for (const [suffix, suffixRole] of SUFFIXES) {
      if (!name.endsWith(suffix)) continue;
      const base = this.states.get(name.slice(0, -suffix.length));
      const fits =
        base?.type === MetricType.Histogram || (base?.type === MetricType.Summary && suffixRole !== Role.Bucket);
      if (base && fits) {
        found = base;
        role = suffixRole;
      }
      break;
    }
    found ??= this.state(name);
    found.sampled = true;
    this.current = found;
    this.role = role;
    return found;
  }

  /** Reads `label="value",...}` from just after `{`; leaves {@link cursor} just after `}`. */
  private parseLabels(pos: number, end: number, family: FamilyState, role: Role): Record<string, string> | undefined {
    const { text, labelStarts, labelEnds } = this;
    const labels = family.built ? newLabels() : undefined;
    labelStarts.length = 0;
    labelEnds.length = 0;
    let p = pos;
    for (;;) {
      p = skipBlanks(text, p, end);
      if (p >= end) this.fail('the label set is not closed with "}"');
      if (text.charCodeAt(p) === CLOSE) break;
      const nameStart = p;
      const nameEnd = scanLabelName(text, p, end);
      if (nameEnd === nameStart) this.fail(`expected a label name, found ${JSON.stringify(text[p])}`);
      p = skipBlanks(text, nameEnd, end);
      if (p >= end || text.charCodeAt(p) !== EQUALS)
        this.fail(`expected "=" after label name ${text.slice(nameStart, nameEnd)}`);
      p = skipBlanks(text, p + 1, end);
      if (p >= end || text.charCodeAt(p) !== QUOTE)
        this.fail(`the value of label ${text.slice(nameStart, nameEnd)} must be in double quotes`);
      const valueStart = p + 1;
      const close = scanQuoted(text, valueStart, end);
      if (close === -1)
        this.fail(`the value of label ${text.slice(nameStart, nameEnd)} is not closed with a double quote`);
      if (close < -1) {
        const at = -2 - close;
        this.fail(
          `invalid escape sequence ${JSON.stringify(text.slice(at, at + 2))} in the value of label ${text.slice(nameStart, nameEnd)} ` +
            '(only \\\\, \\" and \\n)',
        );
      }
      this.checkLabelName(nameStart, nameEnd);
      if (labels) labels[this.intern(text.slice(nameStart, nameEnd))] = this.intern(unescape(text, valueStart, close));
      p = skipBlanks(text, close + 1, end);
      const next = p < end ? text.charCodeAt(p) : -1;
      if (next === COMMA) p++;
      else if (next !== CLOSE)
        this.fail(`expected "," or "}" after the value of label ${text.slice(nameStart, nameEnd)}`);
    }
    this.cursor = p + 1;
    this.requireLabel(family, role, true);
    return labels;
  }

  /** Refuses `__name__` and a label name already on this line (compared as ranges: no strings are made). */
  private checkLabelName(start: number, end: number): void {
    const { text, labelStarts, labelEnds } = this;
    const length = end - start;
    if (length === 8 && text.startsWith('__name__', start)) this.fail('label name __name__ is reserved');
    for (let i = 0; i < labelStarts.length; i++) {
      const other = labelStarts[i] ?? 0;
      if ((labelEnds[i] ?? 0) - other !== length) continue;
      let same = true;
      for (let k = 0; k < length && same; k++) same = text.charCodeAt(start + k) === text.charCodeAt(other + k);
      if (same) this.fail(`duplicate label name ${text.slice(start, end)}`);
    }
    labelStarts.push(start);
    labelEnds.push(end);
  }

  /** Histogram buckets need a numeric `le`, summary quantiles a numeric `quantile` (checked on the raw value). */
  private requireLabel(family: FamilyState, role: Role, hasLabels: boolean): void {
    const needed =
      family.type === MetricType.Histogram && role === Role.Bucket
        ? 'le'
        : family.type === MetricType.Summary && role === Role.Plain
          ? 'quantile'
          : undefined;
    if (needed === undefined) return;
    const { text, labelStarts, labelEnds } = this;
    for (let i = 0; hasLabels && i < labelStarts.length; i++) {
      const start = labelStarts[i] ?? 0;
      if ((labelEnds[i] ?? 0) - start !== needed.length || !text.startsWith(needed, start)) continue;
      // The raw value starts after `="` (blanks are allowed around `=`), and ends at the closing quote.
      const valueStart = text.indexOf('"', start) + 1;
      const valueEnd = scanQuoted(text, valueStart, this.lineEnd);
      if (!isFloatToken(text, valueStart, valueEnd)) {
        this.fail(`label ${needed}="${text.slice(valueStart, valueEnd)}" is not a number`);
      }
      return;
    }
    this.fail(`${family.type} sample of ${family.name} has no "${needed}" label`);
  }
}
