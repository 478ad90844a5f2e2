/**
 * Metrics: a strict parser of the Prometheus text format, classic histograms and their deltas between scrapes,
 * `histogram_quantile` as PromQL computes it, and the API server's windowed request latency. All pure.
 */
export {
  aggregate,
  collectHistograms,
  histogramDelta,
  labelKey,
  type AggregatedHistogram,
  type Bucket,
  type HistogramDelta,
  type HistogramDeltaResult,
  type HistogramSeries,
} from './histogram.js';
export { bucketQuantile, histogramQuantile, type QuantileEstimate } from './histogram-quantile.js';
export { MetricType, type MetricFamily, type ParsedMetrics, type Sample } from './metric-family.js';
export type { MetricsWindow } from './metrics-window.js';
export { MetricsErrorCode, MetricsParseError } from './metrics-errors.js';
export { parsePrometheusText, type ParseOptions } from './parse-prometheus-text.js';
export {
  isLongRunning,
  LONG_RUNNING_SUBRESOURCES,
  LONG_RUNNING_VERBS,
  REQUEST_DURATION_METRIC,
  requestLatency,
  type RequestLatency,
} from './request-latency.js';
export {
  formatLabelMatchers,
  parseLabelMatchers,
  selectSeries,
  tryParseLabelMatchers,
  type LabelMatcher,
  type MatchOp,
  type ParsedLabelMatchers,
} from './label-matchers.js';
