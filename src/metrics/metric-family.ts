/** The metric types of the Prometheus text format 0.0.4 (`# TYPE name <type>`). */
export const MetricType = {
  Counter: 'counter',
  Gauge: 'gauge',
  Histogram: 'histogram',
  Summary: 'summary',
  Untyped: 'untyped',
} as const;
export type MetricType = (typeof MetricType)[keyof typeof MetricType];

/**
 * Label sets inherit from an empty object without a prototype: any label name (even `__proto__` or `constructor`) is
 * a plain own key, and V8 still gives the objects compact hidden classes, unlike `Object.create(null)` (about 100
 * instead of 480 bytes for nine labels).
 */
const LabelSet = function LabelSet() {} as unknown as new () => Record<string, string>;
LabelSet.prototype = Object.freeze(Object.create(null) as object);

/** A new, empty label set for {@link Sample.labels} and the like. */
export function newLabels(): Record<string, string> {
  return new LabelSet();
}

/** One sample line: `name{label="value",...} value [timestamp]`. */
export interface Sample {
  /** The full sample name, with any `_bucket`, `_sum` or `_count` suffix. */
  readonly name: string;
  /** Label values, unescaped. Made by {@link newLabels}: any label name is a plain key, nothing is inherited. */
  readonly labels: Readonly<Record<string, string>>;
  /** The value; `NaN`, `Infinity` and `-Infinity` are possible. */
  readonly value: number;
  /** The optional timestamp, in ms since the Unix epoch. */
  readonly timestampMs: number | undefined;
  /** 1-based line number in the parsed text, for error messages. */
  readonly line: number;
}

/** A metric family: the samples of one `# TYPE` (histogram samples under the name without their suffixes). */
export interface MetricFamily {
  readonly name: string;
  /** `untyped` when the text has no `# TYPE` line for the family. */
  readonly type: MetricType;
  /** The `# HELP` text, unescaped; undefined without a `# HELP` line. */
  readonly help: string | undefined;
  /** In text order. */
  readonly samples: readonly Sample[];
}

/** A parsed scrape: metric families by name, in the order they first appear in the text. */
export type ParsedMetrics = ReadonlyMap<string, MetricFamily>;
