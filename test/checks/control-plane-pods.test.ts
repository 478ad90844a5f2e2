import { describe, expect, it } from '@jest/globals';
import { controlPlanePodsCheck, judgePod } from '../../src/checks/control-plane-pods.js';
import type { ContainerStatus, Event, Lease, Node, Pod } from '../../src/ports/kube-types.js';
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
    // Five restarts of an API server within the hour are five outages of that instance: critical.
    expect(recent).toMatchObject({
      severity: 'critical',
      problem: 'restarted 5 times in the last 1h 0m (5 in all), last exit terminated (exit 1)',
    });
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
    expect(crash?.title).toBe(
      'kube-controller-manager-cp-2 is crash-looping: restarted at least once in the last 1h 0m (41 in all), last exit Error (exit 1)',
    );
    expect(crash?.summary).toContain('Error (exit 1)');
    expect(crash?.signals).toEqual(['component.crashlooping']);
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
    expect(finding?.severity).toBe('critical');
    expect(finding?.title).toBe(
      'kube-apiserver-cp-3 restarted about 6 times in the last 1h 0m (35 in all), last exit Error (exit 1)',
    );
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

describe('control-plane.pods terminations', () => {
  /**
   * kube-apiserver-cp-1 OOMKilled over and over under a 2Gi limit: it runs ~4 minutes, is killed, waits out the
   * 5-minute back-off, and has done so 714 times since the pod started 5 days ago.
   */
  function oomLooping(component = 'kube-apiserver', node = 'cp-1'): { pod: Pod; backOff: Event } {
    const name = `${component}-${node}`;
    const pod: Pod = {
      metadata: { name, namespace: 'kube-system', labels: { component, tier: 'control-plane' } },
      spec: {
        nodeName: node,
        containers: [
          { name: component, resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } } },
        ],
      },
      status: {
        phase: 'Running',
        startTime: ago(5 * DAY),
        containerStatuses: [
          {
            name: component,
            ready: false,
            restartCount: 714,
            state: { running: { startedAt: ago(50) } },
            lastState: {
              terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: ago(590), finishedAt: ago(350) },
            },
          },
        ],
      },
    };
    const backOff: Event = {
      metadata: { name: `${name}.backoff`, namespace: 'kube-system' },
      involvedObject: { kind: 'Pod', namespace: 'kube-system', name, fieldPath: `spec.containers{${component}}` },
      reason: 'BackOff',
      type: 'Warning',
      message: `Back-off restarting failed container ${component} in pod ${name}_kube-system(0a1b)`,
      count: 2950,
      firstTimestamp: ago(5 * DAY),
      lastTimestamp: ago(60),
    };
    return { pod, backOff };
  }

  async function findingsFor(pods: Pod[], events: Event[] = [], extra: Partial<FakeKubeReader> = {}) {
    const kube = Object.assign(new FakeKubeReader(), extra);
    kube.podList = pods;
    kube.eventList = events;
    return controlPlanePodsCheck.run(checkContext({ kube, now: () => now }), controlPlanePodsCheck.args.parse({}));
  }

  it('calls an API server OOMKilled over and over critical, with the reason and exit code in its title', async () => {
    const { pod, backOff } = oomLooping();
    const [finding] = await findingsFor([pod], [backOff]);
    expect(finding?.severity).toBe('critical');
    expect(finding?.title).toMatch(
      /^kube-apiserver-cp-1 restarted about \d+ times in the last 1h 0m \(714 in all\), last exit OOMKilled \(exit 137\)$/,
    );
    expect(finding?.signals).toEqual(['component.crashlooping', 'component.oom-killed']);
    expect(finding?.about).toEqual({ component: 'kube-apiserver', instance: 'kube-apiserver-cp-1', node: 'cp-1' });
    expect(finding?.evidence).toContainEqual({ label: 'memory', value: 'limit 2Gi, request 1Gi' });
    const advice = finding?.recommendation ?? '';
    for (const words of [
      '2Gi',
      'watch cache',
      '--default-watch-cache-size',
      'unpaginated LISTs',
      '--max-requests-inflight',
    ])
      expect(advice).toContain(words);
    expect(advice).not.toMatch(/reach the API server/);
  });

  it('advises etcd on its database and quota when it is the one OOMKilled', async () => {
    const { pod, backOff } = oomLooping('etcd', 'cp-2');
    const [finding] = await findingsFor([pod], [backOff]);
    expect(finding?.severity).toBe('critical');
    expect(finding?.recommendation).toMatch(/--quota-backend-bytes/);
    expect(finding?.recommendation).toMatch(/range requests/);
  });

  it('keeps a scheduler restarting 6 times an hour a warning and 12 times critical', async () => {
    const restarting = (recent: number): Pod => ({
      metadata: { name: 'kube-scheduler-cp-1', namespace: 'kube-system', labels: { component: 'kube-scheduler' } },
      spec: { nodeName: 'cp-1' },
      status: {
        phase: 'Running',
        startTime: ago(50 * 60),
        containerStatuses: [
          {
            name: 'kube-scheduler',
            ready: true,
            restartCount: recent,
            state: { running: { startedAt: ago(30) } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(200), finishedAt: ago(40) } },
          },
        ],
      },
    });
    expect((await findingsFor([restarting(6)]))[0]?.severity).toBe('warning');
    expect((await findingsFor([restarting(12)]))[0]?.severity).toBe('critical');
  });

  it('warns about a single recent OOM kill and leaves one from days ago informational', async () => {
    const killed = (finishedAgo: number): Pod => ({
      metadata: { name: 'kube-apiserver-cp-2', namespace: 'kube-system', labels: { component: 'kube-apiserver' } },
      spec: { nodeName: 'cp-2' },
      status: {
        phase: 'Running',
        startTime: ago(90 * DAY),
        containerStatuses: [
          {
            name: 'kube-apiserver',
            ready: true,
            restartCount: 6,
            state: { running: { startedAt: ago(finishedAgo - 10) } },
            lastState: {
              terminated: {
                exitCode: 137,
                reason: 'OOMKilled',
                startedAt: ago(40 * DAY),
                finishedAt: ago(finishedAgo),
              },
            },
          },
        ],
      },
    });
    const [recent] = await findingsFor([killed(600)]);
    expect(recent).toMatchObject({ severity: 'warning', signals: ['component.oom-killed'] });
    expect(recent?.title).toBe(
      'kube-apiserver-cp-2 restarted once in the last 1h 0m (6 in all), last exit OOMKilled (exit 137)',
    );
    const [old] = await findingsFor([killed(3 * DAY)]);
    expect(old?.severity).toBe('info');
    expect(old?.signals).toBeUndefined();
  });

  it('advises a crashing etcd on its data and disk, and a crashing API server never to reach itself', async () => {
    const crashing = (component: string, exitCode: number): Pod => ({
      ...pod(`${component}-cp-2`, component, {
        ...crashLooping,
        lastState: { terminated: { exitCode, reason: 'Error', finishedAt: ago(30) } },
      }),
    });
    const [etcd] = await findingsFor([crashing('etcd', 2)]);
    expect(etcd?.recommendation).toMatch(/wal: crc mismatch/);
    expect(etcd?.recommendation).toMatch(/etcdctl member remove/);
    const [apiserver] = await findingsFor([crashing('kube-apiserver', 255)]);
    expect(apiserver?.title).toMatch(/last exit Error \(exit 255\)$/);
    expect(apiserver?.recommendation).toMatch(/cannot reach etcd/);
    expect(apiserver?.recommendation).not.toMatch(/reach the API server/);
    const [killed] = await findingsFor([crashing('kube-apiserver', 137)]);
    expect(killed?.title).toMatch(/last exit Error \(exit 137, SIGKILL\)$/);
    expect(killed?.recommendation).toMatch(/liveness probes/);
  });
});

describe('control-plane.pods readiness as the cluster sees it', () => {
  const readyNode = (name: string, ready = 'True'): Node => ({
    metadata: { name, labels: { 'node-role.kubernetes.io/control-plane': '' } },
    status: {
      conditions: [{ type: 'Ready', status: ready, reason: ready === 'True' ? 'KubeletReady' : 'KubeletNotReady' }],
    },
  });
  const nodeLease = (name: string, renewedAgo: number): Lease => ({
    metadata: { name, namespace: 'kube-node-lease' },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: ago(renewedAgo) },
  });
  /** What the node lifecycle controller leaves on a pod of a node that stopped reporting. */
  const markedNotReady = (name: string, component: string): Pod => {
    const base = pod(name, component);
    return {
      ...base,
      status: {
        ...base.status,
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'ContainersReady', status: 'True' },
        ],
      },
    };
  };

  async function run(pods: Pod[], nodes: Node[], leases: Lease[]) {
    const kube = new FakeKubeReader();
    kube.podList = pods;
    kube.nodeList = nodes;
    kube.leaseList = leases;
    return controlPlanePodsCheck.run(
      checkContext({ kube, now: () => now }),
      controlPlanePodsCheck.args.parse({ components: ['kube-apiserver', 'etcd'] }),
    );
  }

  it('does not count pods on a node whose kubelet stopped renewing its Lease as running and ready', async () => {
    const findings = await run(
      [
        pod('kube-apiserver-cp-1', 'kube-apiserver'),
        pod('kube-apiserver-cp-2', 'kube-apiserver'),
        pod('etcd-cp-2', 'etcd'),
      ],
      [readyNode('cp-1'), readyNode('cp-2')],
      [nodeLease('cp-1', 3), nodeLease('cp-2', 190)],
    );
    const notReady = findings.filter((finding) => finding.severity === 'warning');
    expect(notReady.map((finding) => finding.title)).toEqual([
      'kube-apiserver-cp-2 is not ready: its node cp-2 is NotReady',
      'etcd-cp-2 is not ready: its node cp-2 is NotReady',
    ]);
    expect(notReady[0]?.signals).toEqual(['component.not-ready']);
    expect(notReady[0]?.about).toMatchObject({ node: 'cp-2' });
    expect(notReady[0]?.evidence).toContainEqual({
      label: 'node',
      value: 'cp-2: NotReady (its kubelet last renewed its Lease 3m 10s ago (grace 40s))',
    });
    expect(findings.at(-1)).toMatchObject({ severity: 'ok', title: '1 control-plane pod running and ready' });
  });

  it('reads readiness from the pod Ready condition, not from the container status alone', async () => {
    const findings = await run(
      [markedNotReady('kube-apiserver-cp-3', 'kube-apiserver')],
      [readyNode('cp-3')],
      [nodeLease('cp-3', 2)],
    );
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      title: 'kube-apiserver-cp-3 is not ready (marked not ready although its containers report ready)',
    });
  });

  it('says the node is NotReady when its Ready condition says so, even with a fresh Lease', async () => {
    const findings = await run(
      [markedNotReady('etcd-cp-3', 'etcd')],
      [readyNode('cp-3', 'False')],
      [nodeLease('cp-3', 2)],
    );
    expect(findings[0]?.title).toBe('etcd-cp-3 is not ready: its node cp-3 is NotReady');
  });

  it('does not blame the nodes when every node Lease is stale: the kubelets cannot write', async () => {
    const findings = await run(
      [pod('kube-apiserver-cp-1', 'kube-apiserver'), pod('kube-apiserver-cp-2', 'kube-apiserver')],
      [readyNode('cp-1'), readyNode('cp-2')],
      [nodeLease('cp-1', 700), nodeLease('cp-2', 702), nodeLease('worker-1', 705)],
    );
    expect(findings.filter((finding) => finding.severity === 'warning' || finding.severity === 'critical')).toEqual([]);
    expect(findings.at(-1)?.title).toBe('2 control-plane pods running and ready');
  });
});
