import { describe, expect, it } from '@jest/globals';
import {
  backOffKey,
  estimateRestarts,
  summarizeBackOffs,
  type BackOffSummary,
} from '../../src/checks/restart-estimate.js';
import type { ContainerStatus, Event } from '../../src/ports/kube-types.js';

const now = new Date('2026-11-24T03:00:00Z');
const HOUR = 3_600_000;
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
const agoMs = (seconds: number) => now.getTime() - seconds * 1000;
const DAY = 86_400;

function running(
  restartCount: number,
  startedAgo: number,
  last?: { started: number; finished: number },
): ContainerStatus {
  return {
    name: 'kube-apiserver',
    ready: true,
    restartCount,
    state: { running: { startedAt: ago(startedAgo) } },
    ...(last
      ? {
          lastState: {
            terminated: { exitCode: 1, reason: 'Error', startedAt: ago(last.started), finishedAt: ago(last.finished) },
          },
        }
      : {}),
  };
}

function crashLooping(
  restartCount: number,
  last: { started: number; finished: number },
  backOff = '5m0s',
): ContainerStatus {
  return {
    name: 'kube-controller-manager',
    ready: false,
    restartCount,
    state: {
      waiting: { reason: 'CrashLoopBackOff', message: `back-off ${backOff} restarting failed container=x pod=y` },
    },
    lastState: {
      terminated: { exitCode: 1, reason: 'Error', startedAt: ago(last.started), finishedAt: ago(last.finished) },
    },
  };
}

const backOff = (count: number, first: number, last: number): BackOffSummary => ({
  count,
  firstSeenMs: agoMs(first),
  lastSeenMs: agoMs(last),
});

describe('estimateRestarts over the last hour', () => {
  it.each([
    {
      name: 'never restarted',
      status: running(0, 30 * DAY),
      podStarted: ago(30 * DAY),
      expected: { recent: 0, precision: 'exact' },
      basis: /^never restarted$/,
    },
    {
      name: '30 restarts over 200 days, the last 12 days ago',
      status: running(30, 12 * DAY, { started: 13 * DAY, finished: 12 * DAY + 20 }),
      podStarted: ago(200 * DAY),
      expected: { recent: 0, precision: 'exact' },
      basis: /^the last restart was 12d 0h ago, before the 1h 0m looked at$/,
    },
    {
      name: '5 restarts of a pod that started 40 minutes ago',
      status: running(5, 120, { started: 400, finished: 130 }),
      podStarted: ago(40 * 60),
      expected: { recent: 5, precision: 'exact' },
      basis: /^the pod started 40m 0s ago, so all its restarts fall in the last 1h 0m$/,
    },
    {
      name: 'one restart 4 minutes ago after 6 days of running',
      status: running(2, 240, { started: 6 * DAY, finished: 243 }),
      podStarted: ago(30 * DAY),
      expected: { recent: 1, precision: 'exact' },
      basis: /^the last restart was 4m 3s ago, and the run before it had started 6d 0h ago/,
    },
    {
      name: 'restarts 9 and 52 minutes ago, no crash loop',
      status: running(7, 9 * 60 + 4, { started: 52 * 60, finished: 9 * 60 + 6 }),
      podStarted: ago(30 * DAY),
      expected: { recent: 2, precision: 'at-least' },
      basis: /^restarts 9m 6s ago and 52m 0s ago; no BackOff events in the last 1h 0m/,
    },
    {
      name: 'a crash loop for 3 hours: 34 s runs, 5 min back-off',
      status: crashLooping(41, { started: 3 * 60 + 52, finished: 3 * 60 + 18 }),
      podStarted: ago(30 * DAY),
      backOff: backOff(187, 3 * 3600 + 5 * 60, 15),
      expected: { recent: 11, precision: 'about' },
      basis:
        /^crash-looping \(BackOff ×187, first 3h 5m ago, last 15s ago\): one restart every ~5m 34s \(last run 34s, back-off 5m 0s\) over 1h 0m of the last 1h 0m$/,
    },
    {
      name: 'a crash loop that began 20 minutes ago',
      status: crashLooping(44, { started: 3 * 60 + 52, finished: 3 * 60 + 18 }),
      podStarted: ago(30 * DAY),
      backOff: backOff(30, 20 * 60, 15),
      expected: { recent: 4, precision: 'about' },
      basis: /over 20m 0s of the last 1h 0m$/,
    },
    {
      name: 'a crash loop that stopped 21 minutes ago (running since)',
      status: running(30, 20 * 60, { started: 22 * 60, finished: 21 * 60 + 30 }),
      podStarted: ago(200 * DAY),
      backOff: backOff(60, 35 * 60, 20 * 60),
      expected: { recent: 8, precision: 'about' },
      basis: /one restart every ~2m 0s \(last run 30s, back-off 1m 30s\) over 13m 30s/,
    },
    {
      name: 'back-offs older than the lookback',
      status: running(12, 10 * 60, { started: 30 * 60, finished: 10 * 60 + 10 }),
      podStarted: ago(200 * DAY),
      backOff: backOff(60, 5 * 3600, 2 * 3600),
      expected: { recent: 2, precision: 'at-least' },
      basis: /no BackOff events in the last 1h 0m/,
    },
    {
      name: 'events that could not be read',
      status: running(12, 10 * 60, { started: 30 * 60, finished: 10 * 60 + 10 }),
      podStarted: ago(200 * DAY),
      backOff: null,
      expected: { recent: 2, precision: 'at-least' },
      basis: /the BackOff events could not be read/,
    },
    {
      name: 'no restart time in the status',
      status: { name: 'etcd', ready: true, restartCount: 9 },
      podStarted: ago(200 * DAY),
      expected: { recent: 9, precision: 'at-most' },
      basis: /^the status records no restart time, so all 9 restarts since the pod started are counted$/,
    },
  ] as Array<{
    name: string;
    status: ContainerStatus;
    podStarted: string;
    backOff?: BackOffSummary | null;
    expected: { recent: number; precision: string };
    basis: RegExp;
  }>)('$name', ({ status, podStarted, backOff: events, expected, basis }) => {
    const estimate = estimateRestarts(status, podStarted, events, now, HOUR);
    expect({ recent: estimate.recent, precision: estimate.precision }).toEqual(expected);
    expect(estimate.total).toBe(status.restartCount);
    expect(estimate.recent).toBeLessThanOrEqual(status.restartCount);
    expect(estimate.basis).toMatch(basis);
  });
});

describe('summarizeBackOffs', () => {
  const event = (overrides: Partial<Event>): Event => ({
    metadata: { name: 'e', namespace: 'kube-system' },
    involvedObject: {
      kind: 'Pod',
      namespace: 'kube-system',
      name: 'kube-controller-manager-cp-2',
      fieldPath: 'spec.containers{kube-controller-manager}',
    },
    reason: 'BackOff',
    type: 'Warning',
    message:
      'Back-off restarting failed container kube-controller-manager in pod kube-controller-manager-cp-2_kube-system(cbc5)',
    count: 187,
    firstTimestamp: ago(3 * 3600),
    lastTimestamp: ago(15),
    ...overrides,
  });

  it('folds the restart back-offs per container and leaves image-pull back-offs out', () => {
    const summaries = summarizeBackOffs([
      event({}),
      event({
        count: undefined,
        series: { count: 3, lastObservedTime: ago(5) },
        firstTimestamp: null,
        eventTime: ago(600),
      }),
      event({ message: 'Back-off pulling image "registry.k8s.io/kube-controller-manager:v1.32.2"', count: 40 }),
      event({ reason: 'Unhealthy', message: 'Liveness probe failed' }),
    ]);
    expect([...summaries]).toEqual([
      [
        backOffKey('kube-system', 'kube-controller-manager-cp-2', 'kube-controller-manager'),
        { count: 190, firstSeenMs: agoMs(3 * 3600), lastSeenMs: agoMs(5) },
      ],
    ]);
  });
});
