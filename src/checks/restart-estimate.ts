import { eventLastSeen, type ContainerStatus, type Event } from '../ports/kube-types.js';
import { formatDuration } from '../findings/format.js';

/** A container's `Back-off restarting failed container` Warning events, folded together. */
export interface BackOffSummary {
  /** Occurrences as the events count them (`series.count` or `count`): kubelet syncs while backing off, not restarts. */
  count: number;
  /** First and last time the kubelet reported the back-off (ms since epoch). */
  firstSeenMs: number;
  lastSeenMs: number;
}

export type RestartPrecision = 'exact' | 'about' | 'at-least' | 'at-most';

/** How many times a container restarted within the lookback, and what that rests on. */
export interface RestartEstimate {
  /** `restartCount`: every restart since the pod started, however long ago. */
  total: number;
  /** Restarts within the lookback, never above `total`; `precision` says how sure it is. */
  recent: number;
  /**
   * `exact`; `about` (paced from a crash loop's span); `at-least` (only the restarts the status dates); `at-most`
   * (no restart time: every restart counted).
   */
  precision: RestartPrecision;
  /** When the newest restart happened, when the status records it. */
  lastRestartAt?: string;
  /** What the estimate rests on, in one sentence. */
  basis: string;
}

const BACK_OFF_MESSAGE = /^Back-off restarting failed container/i;
const GO_DURATION = /(\d+(?:\.\d+)?)(h|ms|m|s)/g;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** `5m0s` → 300000: the back-off the kubelet prints in a CrashLoopBackOff waiting message. */
function backOffDelayMs(message: string | undefined): number | undefined {
  const text = /back-off (\S+)/i.exec(message ?? '')?.[1];
  if (!text) return undefined;
  let total = 0;
  for (const match of text.matchAll(GO_DURATION)) total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
  return total > 0 ? total : undefined;
}

const time = (text: string | undefined | null): number | undefined => {
  const value = text ? Date.parse(text) : Number.NaN;
  return Number.isFinite(value) ? value : undefined;
};

/**
 * Folds the kubelet's `BackOff` / `Back-off restarting failed container` events per pod and container (from the
 * event's `fieldPath`, `spec.containers{name}`; `''` when it names no container). Image-pull back-offs are left out.
 */
export function summarizeBackOffs(events: Iterable<Event>): Map<string, BackOffSummary> {
  const summaries = new Map<string, BackOffSummary>();
  for (const event of events) {
    if (event.reason !== 'BackOff' || !BACK_OFF_MESSAGE.test(event.message ?? '')) continue;
    const lastSeenMs = time(eventLastSeen(event));
    if (lastSeenMs === undefined) continue;
    const firstSeenMs = time(event.firstTimestamp) ?? time(event.eventTime) ?? lastSeenMs;
    const container = /\{([^}]+)\}/.exec(event.involvedObject.fieldPath ?? '')?.[1] ?? '';
    const key = backOffKey(
      event.involvedObject.namespace ?? event.metadata.namespace ?? '',
      event.involvedObject.name ?? '',
      container,
    );
    const count = event.series?.count ?? event.count ?? 1;
    const summary = summaries.get(key);
    if (!summary) {
      summaries.set(key, { count, firstSeenMs, lastSeenMs });
      continue;
    }
    summary.count += count;
    summary.firstSeenMs = Math.min(summary.firstSeenMs, firstSeenMs);
    summary.lastSeenMs = Math.max(summary.lastSeenMs, lastSeenMs);
  }
  return summaries;
}

/** The key {@link summarizeBackOffs} files a container's back-offs under. */
export function backOffKey(namespace: string, pod: string, container: string): string {
  return `${namespace}/${pod}/${container}`;
}

/**
 * Estimates a container's restarts within the lookback from what the API offers: the last restart's time
 * (`lastState.terminated.finishedAt`, or the current run's `startedAt`), when the run before it started
 * (`lastState.terminated.startedAt`), the pod's start, and the kubelet's BackOff events (a crash loop's span; its
 * cycle is the last run's length plus the back-off delay). `restartCount` alone counts since the pod started — 30
 * restarts over 200 days are not 30 restarts today.
 */
export function estimateRestarts(
  status: ContainerStatus,
  podStartedAt: string | undefined,
  /** The container's BackOff events; `null` when events could not be read. */
  backOff: BackOffSummary | undefined | null,
  now: Date,
  lookbackMs: number,
): RestartEstimate {
  const total = status.restartCount;
  const nowMs = now.getTime();
  const since = nowMs - lookbackMs;
  const window = formatDuration(lookbackMs);
  const ago = (ms: number) => `${formatDuration(nowMs - ms)} ago`;
  if (total === 0) return { total, recent: 0, precision: 'exact', basis: 'never restarted' };

  const last = status.lastState?.terminated;
  const running = status.state?.running?.startedAt;
  const lastRestartAt = last?.finishedAt ?? running ?? undefined;
  const lastRestart = time(lastRestartAt);
  if (lastRestart === undefined || !lastRestartAt) {
    return {
      total,
      recent: total,
      precision: 'at-most',
      basis: `the status records no restart time, so all ${total} restarts since the pod started are counted`,
    };
  }
  const estimate = (recent: number, precision: RestartPrecision, basis: string): RestartEstimate => ({
    total,
    recent: Math.min(total, recent),
    precision,
    lastRestartAt,
    basis,
  });
  if (lastRestart < since) {
    return estimate(0, 'exact', `the last restart was ${ago(lastRestart)}, before the ${window} looked at`);
  }
  const podStart = time(podStartedAt);
  if (podStart !== undefined && podStart >= since) {
    return estimate(total, 'exact', `the pod started ${ago(podStart)}, so all its restarts fall in the last ${window}`);
  }
  const previousStart = time(last?.startedAt);
  if (previousStart !== undefined && previousStart < since) {
    return estimate(
      1,
      'exact',
      `the last restart was ${ago(lastRestart)}, and the run before it had started ${ago(previousStart)}, before the ${window} looked at`,
    );
  }
  // Two restarts at least: the last one, and the one that started the run before it (when there was one).
  const known = previousStart !== undefined && total >= 2 ? 2 : 1;
  // Counting only what the status dates is exact when that is every restart there was.
  const dated: RestartPrecision = known >= total ? 'exact' : 'at-least';
  const seen =
    previousStart !== undefined
      ? `restarts ${ago(lastRestart)} and ${ago(previousStart)}`
      : `a restart ${ago(lastRestart)}`;
  if (backOff === null) {
    return estimate(
      known,
      dated,
      `${seen}; the BackOff events could not be read, so only the restarts the status dates are counted`,
    );
  }
  if (!backOff || backOff.lastSeenMs < since) {
    return estimate(known, dated, `${seen}; no BackOff events in the last ${window}, so no crash loop to add more`);
  }
  const runMs = previousStart !== undefined ? lastRestart - previousStart : undefined;
  const delayMs = running
    ? (time(running) ?? lastRestart) - lastRestart
    : backOffDelayMs(status.state?.waiting?.message);
  const events = `BackOff ×${backOff.count}, first ${ago(backOff.firstSeenMs)}, last ${ago(backOff.lastSeenMs)}`;
  if (runMs === undefined || delayMs === undefined || runMs + delayMs <= 0) {
    return estimate(
      known,
      dated,
      `${seen}; crash-looping (${events}) at an unknown pace, so only the restarts the status dates are counted`,
    );
  }
  const cycleMs = runMs + delayMs;
  const loopStart = Math.max(since, backOff.firstSeenMs);
  const loopEnd = running ? lastRestart : nowMs;
  const paced = Math.round((loopEnd - loopStart) / cycleMs) + (running ? 1 : 0);
  return estimate(
    Math.max(known, paced),
    'about',
    `crash-looping (${events}): one restart every ~${formatDuration(cycleMs)} (last run ${formatDuration(runMs)}, back-off ${formatDuration(delayMs)}) over ${formatDuration(loopEnd - loopStart)} of the last ${window}`,
  );
}
