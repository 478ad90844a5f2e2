import { formatGoFloat } from './go-float.js';
import type { MetricFamily } from './metric-model.js';

/** Label values escaped as the text format requires: backslash, double quote and newline. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** `{a="1",b="2"}` with names sorted, as client_golang writes them; `le` always last. */
function labelText(labels: Readonly<Record<string, string>>, le?: string): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}="${escapeLabel(labels[name] ?? '')}"`);
  if (le !== undefined) parts.push(`le="${le}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** Sort key for series: label values in label-name order, as client_golang sorts a family's metrics. */
function seriesKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}\u0000${labels[name] ?? ''}`)
    .join('\u0001');
}

function sortedSeries<T extends { labels: Readonly<Record<string, string>> }>(series: readonly T[]): T[] {
  return [...series].sort((a, b) => {
    const left = seriesKey(a.labels);
    const right = seriesKey(b.labels);
    return left < right ? -1 : left > right ? 1 : 0;
  });
}

/**
 * Renders metric families in the Prometheus text exposition format (0.0.4) at `elapsedSeconds` after start.
 * Counts are whole numbers and bucket counts are cumulative and never decrease, between buckets or over time.
 */
export function renderMetrics(families: readonly MetricFamily[], elapsedSeconds: number): string {
  const elapsed = Math.max(0, elapsedSeconds);
  const lines: string[] = [];
  const sorted = [...families].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const family of sorted) {
    if (family.series.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    switch (family.type) {
      case 'counter':
        for (const series of sortedSeries(family.series)) {
          const raw = series.value + series.perSecond * elapsed;
          lines.push(
            `${family.name}${labelText(series.labels)} ${formatGoFloat(series.fractional ? raw : Math.floor(raw))}`,
          );
        }
        break;
      case 'gauge':
        for (const series of sortedSeries(family.series)) {
          let value = series.value + series.perSecond * elapsed;
          if (series.min !== undefined) value = Math.max(series.min, value);
          if (series.max !== undefined) value = Math.min(series.max, value);
          lines.push(`${family.name}${labelText(series.labels)} ${formatGoFloat(value)}`);
        }
        break;
      case 'histogram':
        for (const series of sortedSeries(family.series)) {
          const added = series.perSecond * elapsed;
          const bounds = [...family.buckets.map(formatGoFloat), '+Inf'];
          // Whole observations: the history and the new ones (so far) are counted apart, and each is spread over
          // the buckets by rounding its cumulative fractions. Rounding is monotonic, so buckets never decrease in
          // `le` nor in time; a bucket whose fraction is all but 1 holds every observation, so a window's deltas
          // have no stray observation in `+Inf` from rounding; and the history's part never changes, so deltas come
          // from the new observations alone.
          const observed = Math.floor(added + 1e-9);
          const counts = bounds.map(
            (_, index) =>
              Math.round(series.count * (series.initial.cumulative[index] ?? 1)) +
              Math.round(observed * (series.recent.cumulative[index] ?? 1)),
          );
          const total = counts[counts.length - 1] ?? 0;
          bounds.forEach((le, index) => {
            lines.push(`${family.name}_bucket${labelText(series.labels, le)} ${counts[index] ?? 0}`);
          });
          lines.push(
            `${family.name}_sum${labelText(series.labels)} ${formatGoFloat(series.sum + observed * series.recent.mean)}`,
          );
          lines.push(`${family.name}_count${labelText(series.labels)} ${total}`);
        }
        break;
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
