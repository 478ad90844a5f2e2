import { describe, expect, it } from '@jest/globals';
import { controlPlanePodsCheck, judgePod } from '../../src/checks/control-plane-pods.js';
import type { ContainerStatus, Event, Pod } from '../../src/ports/kube-types.js';
import { FakeKubeReader, checkContext } from './fake-readers.js';

const now = new Date('2026-11-24T03:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
const DAY = 86_400;
const policy = { restartWarning: 5, lookbackMs: 3_600_000, now, backOffs: new Map() };

function pod(name: string, component: string, status: Partial<ContainerStatus> = {}, phase = 'Running'): Pod {
  return {
    metadata: { name, namespace: 'kube-system', labels: { component, tier: 'control-plane' } },
    spec: { nodeName: name.split('-').slice(-2).join('-') },
    status: {
      phase,
      containerStatuses: [{ name: component, ready: true, restartCount: 0, state: { running: {} }, ...status }],
    },
  };
}

const crashLooping = {
  ready: false,
  restartCount: 41,
  state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
  lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-11-24T02:55:00Z' } },
};

describe('judgePod', () => {
  it.each([
    { name: 'running and ready', input: pod('kube-scheduler-cp-1', 'kube-scheduler'), severity: 'ok' },
    {
      name: 'crash-looping',
      input: pod('kube-controller-manager-cp-2', 'kube-controller-manager', crashLooping),
      severity: 'critical',
    },
    { name: 'pending', input: pod('etcd-cp-1', 'etcd', {}, 'Pending'), severity: 'critical' },
    { name: 'not ready', input: pod('kube-apiserver-cp-1', 'kube-apiserver', { ready: false }), severity: 'warning' },
    {
      name: 'often restarted',
      input: pod('kube-apiserver-cp-1', 'kube-apiserver', { restartCount: 9 }),
      severity: 'warning',
    },
    {
      name: 'restarted 30 times over 200 days, the last 12 days ago',
      input: pod('kube-apiserver-cp-1', 'kube-apiserver', {
        restartCount: 30,
        state: { running: { startedAt: ago(12 * DAY) } },
        lastState: { terminated: { exitCode: 137, startedAt: ago(20 * DAY), finishedAt: ago(12 * DAY + 30) } },
      }),
      severity: 'info',
    },
    {
      name: 'restarted twice, long ago',
      input: pod('kube-apiserver-cp-1', 'kube-apiserver', {
        restartCount: 2,
        state: { running: { startedAt: ago(12 * DAY) } },
        lastState: { terminated: { exitCode: 137, startedAt: ago(20 * DAY), finishedAt: ago(12 * DAY + 30) } },
      }),
      severity: 'ok',
    },
    {
      name: 'restarted once 4 minutes ago',
      input: pod('kube-scheduler-cp-2', 'kube-scheduler', {
        restartCount: 2,
        state: { running: { startedAt: ago(240) } },
        lastState: { terminated: { exitCode: 1, startedAt: ago(6 * DAY), finishedAt: ago(243) } },
      }),
      severity: 'info',
    },
  ])('calls a pod that is $name $severity', ({ input, severity }) => {
    expect(judgePod(input, 'x', policy).severity).toBe(severity);
  });

  it('says how many restarts are recent and how old the rest are', () => {
    const old = judgePod(
      pod('kube-apiserver-cp-1', 'kube-apiserver', {
        restartCount: 30,
        state: { running: { startedAt: ago(12 * DAY) } },
        lastState: { terminated: { exitCode: 137, startedAt: ago(20 * DAY), finishedAt: ago(12 * DAY + 30) } },
      }),
      'kube-apiserver',
      policy,
    );
    expect(old.problem).toBe('restarted 30 times since it started, the last 12d 0h ago: none in the last 1h 0m');
    const recent = judgePod(
      {
        ...pod('kube-apiserver-cp-1', 'kube-apiserver', {
          restartCount: 5,
          state: { running: { startedAt: ago(60) } },
          lastState: { terminated: { exitCode: 1, startedAt: ago(300), finishedAt: ago(90) } },
        }),
        status: {
          phase: 'Running',
          startTime: ago(40 * 60),
          containerStatuses: [
            {
              name: 'kube-apiserver',
              ready: true,
              restartCount: 5,
              state: { running: { startedAt: ago(60) } },
              lastState: { terminated: { exitCode: 1, startedAt: ago(300), finishedAt: ago(90) } },
            },
          ],
        },
      },
      'kube-apiserver',
      policy,
    );
    expect(recent).toMatchObject({ severity: 'warning', problem: 'restarted 5 times in the last 1h 0m (5 in all)' });
  });
});

describe('control-plane.pods', () => {
  it('names the crash-looping pod with its restarts, last exit and a redacted log excerpt', async () => {
    const kube = new FakeKubeReader();
    kube.podList = [
      pod('kube-apiserver-cp-1', 'kube-apiserver'),
      pod('kube-controller-manager-cp-2', 'kube-controller-manager', crashLooping),
      pod('kube-scheduler-cp-1', 'kube-scheduler'),
      pod('etcd-cp-1', 'etcd'),
      { metadata: { name: 'coredns-abc', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } },
    ];
    kube.logs.set(
      'kube-system/kube-controller-manager-cp-2',
      'I1124 starting\nE1124 error: --token=s3cr3t-value-123456 rejected\nF1124 failed to create listener: bind: address already in use\n',
    );
    const findings = await controlPlanePodsCheck.run(
      checkContext({ kube, now: () => now }),
      controlPlanePodsCheck.args.parse({}),
    );
    const [crash, healthy] = findings;
    expect(crash?.severity).toBe('critical');
    expect(crash?.title).toBe('kube-controller-manager-cp-2 is crash-looping (41 restarts)');
    expect(crash?.summary).toContain('Error (exit code 1)');
    const log = crash?.evidence.find((item) => item.label.startsWith('log'))?.value ?? '';
    expect(log).toContain('address already in use');
    expect(log).not.toContain('s3cr3t-value-123456');
    expect(healthy).toMatchObject({ severity: 'ok', title: '3 control-plane pods running and ready' });
  });
});

describe('control-plane.pods restarts', () => {
  /** kube-apiserver on a 200-day-old node: it crash-looped for 48 minutes and has run for 2 minutes now. */
  function recovering(): Pod {
    return {
      metadata: {
        name: 'kube-apiserver-cp-3',
        namespace: 'kube-system',
        labels: { component: 'kube-apiserver', tier: 'control-plane' },
        creationTimestamp: ago(200 * DAY),
      },
      spec: { nodeName: 'cp-3' },
      status: {
        phase: 'Running',
        startTime: ago(200 * DAY),
        containerStatuses: [
          {
            name: 'kube-apiserver',
            ready: true,
            restartCount: 35,
            state: { running: { startedAt: ago(120) } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(690), finishedAt: ago(150) } },
          },
        ],
      },
    };
  }
  const backOff: Event = {
    metadata: { name: 'kube-apiserver-cp-3.backoff', namespace: 'kube-system' },
    involvedObject: {
      kind: 'Pod',
      namespace: 'kube-system',
      name: 'kube-apiserver-cp-3',
      fieldPath: 'spec.containers{kube-apiserver}',
    },
    reason: 'BackOff',
    type: 'Warning',
    message: 'Back-off restarting failed container kube-apiserver in pod kube-apiserver-cp-3_kube-system(9f1e)',
    count: 96,
    firstTimestamp: ago(50 * 60),
    lastTimestamp: ago(150),
    source: { component: 'kubelet', host: 'cp-3' },
  };

  it('estimates recent restarts from the BackOff events and the last run, and says what the estimate rests on', async () => {
    const kube = new FakeKubeReader();
    kube.podList = [recovering()];
    kube.eventList = [backOff];
    kube.logs.set('kube-system/kube-apiserver-cp-3', 'E1124 etcd: context deadline exceeded\n');
    const [finding] = await controlPlanePodsCheck.run(
      checkContext({ kube, now: () => now }),
      controlPlanePodsCheck.args.parse({ components: ['kube-apiserver'] }),
    );
    expect(finding?.severity).toBe('warning');
    expect(finding?.title).toBe('kube-apiserver-cp-3 restarted about 6 times in the last 1h 0m (35 in all)');
    expect(finding?.evidence).toContainEqual({
      label: 'restarts in the last 1h 0m',
      value:
        '~6 (kube-apiserver): crash-looping (BackOff ×96, first 50m 0s ago, last 2m 30s ago): one restart every ~9m 30s (last run 9m 0s, back-off 30s) over 47m 30s of the last 1h 0m',
    });
    expect(finding?.data).toMatchObject({ restarts: 35, recentRestarts: 6, recentRestartsPrecision: 'about' });
  });

  it('keeps the same pod informational when its restarts ended before the lookback', async () => {
    const kube = new FakeKubeReader();
    kube.podList = [recovering()];
    kube.eventList = [backOff];
    const later = new Date(now.getTime() + 3 * 3_600_000);
    const [finding] = await controlPlanePodsCheck.run(
      checkContext({ kube, now: () => later }),
      controlPlanePodsCheck.args.parse({ components: ['kube-apiserver'] }),
    );
    expect(finding?.severity).toBe('info');
    expect(finding?.title).toBe(
      'kube-apiserver-cp-3 restarted 35 times since it started, the last 3h 2m ago: none in the last 1h 0m',
    );
    expect(finding?.evidence.some((item) => item.label.startsWith('log'))).toBe(false);
  });
});
