import type { ParsedMetrics } from '../metrics/index.js';
import { gaugeValues, windowedIncrease, type MetricsWindow } from './metrics-window.js';

/**
 * Priority levels whose requests keep the cluster itself alive: node heartbeats and status (`system`, `node-high`),
 * controllers' and schedulers' leases (`leader-election`), the controllers themselves (`workload-high`). Load shed
 * there is critical at any rate.
 */
export const CRITICAL_PRIORITY_LEVELS: readonly string[] = ['system', 'node-high', 'leader-election', 'workload-high'];

/**
 * Why API Priority and Fairness rejected a request (`apiserver_flowcontrol_rejected_requests_total{reason}`):
 * `queue-full` and `concurrency-limit` are load shed at once (the queue was full, or the level does not queue);
 * `time-out` means the request waited in a queue until the queue-wait limit; `cancelled` that the client gave up
 * (or its context ended) while it waited.
 */
export type RejectionKind = 'shed' | 'timed-out' | 'cancelled';

export function rejectionKind(reason: string | undefined): RejectionKind {
  if (reason === 'time-out') return 'timed-out';
  if (reason === 'cancelled') return 'cancelled';
  // queue-full, concurrency-limit, and any reason a later release adds: rejected without waiting.
  return 'shed';
}

/** Rejections of one kind at one priority level over the window. */
export interface LevelRejections {
  priorityLevel: string;
  kind: RejectionKind;
  /** Reasons seen, e.g. `queue-full`, `concurrency-limit`. */
  reasons: string[];
  rejected: number;
  perSecond: number;
  /** The flow schema with the most rejections of this kind at this level. */
  topFlowSchema: string;
  /** Rejected (any reason) plus dispatched requests at this level in the window; absent without the dispatched counter. */
  levelRequests?: number;
}

/** Rejections in the window grouped by priority level and kind, the most per second first. */
export function levelRejections(window: MetricsWindow): LevelRejections[] {
  const rows = windowedIncrease(window, 'apiserver_flowcontrol_rejected_requests_total', [
    'priority_level',
    'flow_schema',
    'reason',
  ]).filter((row) => row.increase > 0);
  const hasDispatched = (window.after.get('apiserver_flowcontrol_dispatched_requests_total')?.samples.length ?? 0) > 0;
  const dispatched = new Map(
    windowedIncrease(window, 'apiserver_flowcontrol_dispatched_requests_total', ['priority_level']).map((row) => [
      row.labels.priority_level ?? '',
      row.increase,
    ]),
  );
  const rejectedAtLevel = new Map<string, number>();
  for (const row of rows) {
    const level = row.labels.priority_level ?? '';
    rejectedAtLevel.set(level, (rejectedAtLevel.get(level) ?? 0) + row.increase);
  }
  const groups = new Map<string, LevelRejections & { byFlow: Map<string, number> }>();
  for (const row of rows) {
    const level = row.labels.priority_level ?? '';
    const reason = row.labels.reason ?? '';
    const kind = rejectionKind(reason);
    const key = `${level}\u0000${kind}`;
    const group = groups.get(key) ?? {
      priorityLevel: level,
      kind,
      reasons: [],
      rejected: 0,
      perSecond: 0,
      topFlowSchema: '',
      byFlow: new Map<string, number>(),
    };
    if (!group.reasons.includes(reason)) group.reasons.push(reason);
    group.rejected += row.increase;
    const flow = row.labels.flow_schema ?? '';
    group.byFlow.set(flow, (group.byFlow.get(flow) ?? 0) + row.increase);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ byFlow, ...group }) => {
      const [topFlowSchema = ''] = [...byFlow].sort((a, b) => b[1] - a[1])[0] ?? [];
      const result: LevelRejections = {
        ...group,
        perSecond: window.seconds > 0 ? group.rejected / window.seconds : 0,
        topFlowSchema,
      };
      if (hasDispatched) {
        result.levelRequests =
          (rejectedAtLevel.get(group.priorityLevel) ?? 0) + (dispatched.get(group.priorityLevel) ?? 0);
      }
      return result;
    })
    .sort((a, b) => b.perSecond - a.perSecond);
}

/** Seats (or requests, in older releases) a priority level may use and uses now. */
export interface LevelConcurrency {
  priorityLevel: string;
  limit: number;
  inUse: number;
  ratio: number;
}

/** Which metric families gave a level's limit and its use. */
export interface ConcurrencySource {
  limitMetric: string;
  inUseMetric: string;
  unit: 'seats' | 'requests';
}

/**
 * The limit of each priority level, best first: `current_limit_seats` (1.26+: the nominal seats after borrowing and
 * lending, what the level may use now), `nominal_limit_seats` (1.26+: from its shares), `request_concurrency_limit`
 * (1.20–1.30, in requests).
 */
const LIMITS = [
  'apiserver_flowcontrol_current_limit_seats',
  'apiserver_flowcontrol_nominal_limit_seats',
  'apiserver_flowcontrol_request_concurrency_limit',
] as const;
/** What executes now: seats (1.26+) or requests (1.20–1.30). */
const IN_USE = ['apiserver_flowcontrol_current_executing_seats', 'apiserver_flowcontrol_request_concurrency_in_use'];

const has = (metrics: ParsedMetrics, name: string) => (metrics.get(name)?.samples.length ?? 0) > 0;

/**
 * Concurrency per priority level under API Priority and Fairness, from whichever spelling the API server exposes,
 * busiest first; `undefined` when it exposes none (APF off, or a release before 1.20). Levels with no limit
 * (`exempt`) are left out.
 */
export function levelConcurrency(
  metrics: ParsedMetrics,
): { levels: LevelConcurrency[]; source: ConcurrencySource } | undefined {
  const limitMetric = LIMITS.find((name) => has(metrics, name));
  if (!limitMetric) return undefined;
  const seats = limitMetric !== 'apiserver_flowcontrol_request_concurrency_limit';
  // Pair seats with seats and requests with requests when both spellings are there.
  const preferred = seats ? IN_USE : [...IN_USE].reverse();
  const inUseMetric = preferred.find((name) => has(metrics, name));
  if (!inUseMetric) return undefined;
  const inUse = new Map(
    gaugeValues(metrics, inUseMetric, ['priority_level']).map((row) => [row.labels.priority_level ?? '', row.value]),
  );
  const levels = gaugeValues(metrics, limitMetric, ['priority_level'])
    .filter((row) => row.value > 0)
    .map((row) => {
      const priorityLevel = row.labels.priority_level ?? '';
      const used = inUse.get(priorityLevel) ?? 0;
      return { priorityLevel, limit: row.value, inUse: used, ratio: used / row.value };
    })
    .sort((a, b) => b.ratio - a.ratio);
  return { levels, source: { limitMetric, inUseMetric, unit: seats ? 'seats' : 'requests' } };
}
