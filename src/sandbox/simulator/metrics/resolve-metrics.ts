import type { z } from 'zod';
import type { DistributionSpec, MetricFamilySpec } from '../scenario/metric-schema.js';
import { lognormalDistribution, weightedDistribution } from './distribution.js';
import type { Distribution, MetricFamily } from './metric-model.js';

type Labels = Record<string, string>;

function expandLabels(
  labels: Labels,
  each: Record<string, string[]> | Array<Record<string, string>> | undefined,
): Labels[] {
  if (each === undefined) return [labels];
  if (Array.isArray(each)) return each.map((entry) => ({ ...labels, ...entry }));
  let result: Labels[] = [labels];
  for (const [name, values] of Object.entries(each)) {
    result = result.flatMap((entry) => values.map((value) => ({ ...entry, [name]: value })));
  }
  return result;
}

function distribution(buckets: readonly number[], spec: z.infer<typeof DistributionSpec>, where: string): Distribution {
  if ('weights' in spec) {
    if (spec.weights.length !== buckets.length + 1) {
      throw new Error(
        `${where}.weights: needs ${buckets.length + 1} weights (one per bucket and one for +Inf), got ${spec.weights.length}`,
      );
    }
    if (spec.weights.every((weight) => weight === 0))
      throw new Error(`${where}.weights: at least one weight must be positive`);
    return weightedDistribution(buckets, spec.weights);
  }
  return lognormalDistribution(buckets, spec.median, spec.p99);
}

/** Turns validated metric declarations into the model `renderMetrics` reads. Throws with a path on bad weights. */
export function resolveMetrics(specs: readonly MetricFamilySpec[]): MetricFamily[] {
  return specs.map((spec, familyIndex) => {
    const where = (seriesIndex: number): string => `metrics[${familyIndex}].series[${seriesIndex}]`;
    switch (spec.type) {
      case 'counter':
        return {
          name: spec.name,
          help: spec.help,
          type: 'counter',
          series: spec.series.flatMap((series) =>
            expandLabels(series.labels, series.each).map((labels) => ({
              labels,
              value: series.value,
              perSecond: series.perSecond,
              fractional: series.fractional,
            })),
          ),
        };
      case 'gauge':
        return {
          name: spec.name,
          help: spec.help,
          type: 'gauge',
          series: spec.series.flatMap((series) =>
            expandLabels(series.labels, series.each).map((labels) => ({
              labels,
              value: series.value,
              perSecond: series.perSecond,
              ...(series.min === undefined ? {} : { min: series.min }),
              ...(series.max === undefined ? {} : { max: series.max }),
            })),
          ),
        };
      case 'histogram':
        return {
          name: spec.name,
          help: spec.help,
          type: 'histogram',
          buckets: spec.buckets,
          series: spec.series.flatMap((series, seriesIndex) => {
            const initial = distribution(spec.buckets, series.latency, `${where(seriesIndex)}.latency`);
            const recent = series.recent
              ? distribution(spec.buckets, series.recent, `${where(seriesIndex)}.recent`)
              : initial;
            return expandLabels(series.labels, series.each).map((labels) => ({
              labels,
              count: series.count,
              sum: series.sum ?? series.count * initial.mean,
              initial,
              perSecond: series.perSecond,
              recent,
            }));
          }),
        };
    }
    return spec satisfies never;
  });
}
