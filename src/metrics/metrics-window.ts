import type { ParsedMetrics } from './metric-family.js';

/**
 * Counters and histograms over a known window: two scrapes of `/metrics` `seconds` apart, or one PromQL
 * `increase(…[range])` as `after` with an empty `before`. Either way, `after - before` is what happened in the window.
 */
export interface MetricsWindow {
  before: ParsedMetrics;
  after: ParsedMetrics;
  seconds: number;
  /** Where the numbers come from, for evidence. */
  source: string;
}
