/**
 * The resolved metric model: every value is a function of the seconds elapsed since the simulator started, so two
 * scrapes at known clock readings differ by exactly what the scenario declares.
 */

/** How observations spread over a histogram's buckets. */
export interface Distribution {
  /** Cumulative fraction of observations at or below each bucket bound, then 1 for `+Inf`. Non-decreasing. */
  cumulative: readonly number[];
  /** Mean observed value, which makes `_sum` advance consistently with `_count`. */
  mean: number;
}

export interface CounterSeries {
  labels: Readonly<Record<string, string>>;
  /** Value when the simulator starts. */
  value: number;
  /** Increase per second of simulator clock. */
  perSecond: number;
  /** Counters of events are whole numbers: the value is rounded down unless this is set. */
  fractional: boolean;
}

export interface GaugeSeries {
  labels: Readonly<Record<string, string>>;
  value: number;
  /** Change per second (0 for a static gauge). */
  perSecond: number;
  min?: number;
  max?: number;
}

export interface HistogramSeries {
  labels: Readonly<Record<string, string>>;
  /** Observations recorded before the simulator started. */
  count: number;
  /** Their sum, in the metric's unit. */
  sum: number;
  /** How the observations before start are spread. */
  initial: Distribution;
  /** New observations per second of simulator clock. */
  perSecond: number;
  /** How new observations are spread: a scenario's "current" latency, which a windowed reader should see. */
  recent: Distribution;
}

export type MetricFamily =
  | { name: string; help: string; type: 'counter'; series: CounterSeries[] }
  | { name: string; help: string; type: 'gauge'; series: GaugeSeries[] }
  | { name: string; help: string; type: 'histogram'; buckets: readonly number[]; series: HistogramSeries[] };
