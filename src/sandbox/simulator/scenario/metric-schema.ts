import { z } from 'zod';

const MetricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'not a valid Prometheus metric name');
const LabelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'not a valid Prometheus label name');
/** `code: 200` in YAML is a number; label values are strings. */
const LabelValue = z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]);
const Labels = z.record(LabelName, LabelValue).default({});

/**
 * Expands one series into many: a map of label → values gives every combination, a list of label maps gives one
 * series per entry. Merged over `labels`.
 */
const Each = z.union([
  z.record(LabelName, z.array(LabelValue).min(1)),
  z.array(z.record(LabelName, LabelValue)).min(1),
]);

/** A latency distribution: log-normal from median and 99th percentile (seconds), or weights per bucket. */
export const DistributionSpec = z.union([
  z
    .strictObject({ median: z.number().positive(), p99: z.number().positive() })
    .refine((spec) => spec.p99 > spec.median, { message: 'p99 must be greater than median' }),
  z.strictObject({ weights: z.array(z.number().nonnegative()).min(2) }),
]);

const CounterSeries = z.strictObject({
  labels: Labels,
  each: Each.optional(),
  /** Value at simulator start. */
  value: z.number().nonnegative().default(0),
  /** Increase per second. */
  perSecond: z.number().nonnegative().default(0),
  fractional: z.boolean().default(false),
});

const GaugeSeries = z.strictObject({
  labels: Labels,
  each: Each.optional(),
  value: z.number(),
  /** Change per second; 0 keeps the gauge static. */
  perSecond: z.number().default(0),
  min: z.number().optional(),
  max: z.number().optional(),
});

const HistogramSeries = z.strictObject({
  labels: Labels,
  each: Each.optional(),
  /** Observations before the simulator started. */
  count: z.number().int().nonnegative().default(0),
  /** Their sum; computed from the distribution's mean when omitted. */
  sum: z.number().nonnegative().optional(),
  /** New observations per second. */
  perSecond: z.number().nonnegative().default(0),
  /** How observations spread over buckets. */
  latency: DistributionSpec,
  /** How new observations spread, when the present differs from the past (a regression in progress). */
  recent: DistributionSpec.optional(),
});

const Base = { name: MetricName, help: z.string().min(1) };

export const MetricFamilySchema = z.discriminatedUnion('type', [
  z.strictObject({ ...Base, type: z.literal('counter'), series: z.array(CounterSeries) }),
  z.strictObject({ ...Base, type: z.literal('gauge'), series: z.array(GaugeSeries) }),
  z.strictObject({
    ...Base,
    type: z.literal('histogram'),
    // Bounds may start at 0: API Priority and Fairness's wait histogram has an `le="0"` bucket.
    buckets: z
      .array(z.number().nonnegative())
      .min(1)
      .refine((buckets) => buckets.every((bound, index) => index === 0 || bound > (buckets[index - 1] ?? 0)), {
        message: 'bucket bounds must increase',
      }),
    series: z.array(HistogramSeries),
  }),
]);
export type MetricFamilySpec = z.infer<typeof MetricFamilySchema>;
