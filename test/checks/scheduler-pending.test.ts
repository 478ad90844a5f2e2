import { describe, expect, it } from '@jest/globals';
import { schedulerCapacityCheck } from '../../src/checks/scheduler-capacity.js';
import { schedulerPendingCheck } from '../../src/checks/scheduler-pending.js';
import { tolerates } from '../../src/checks/node-eligibility.js';
import { schedulerTaintsCheck } from '../../src/checks/scheduler-taints.js';
import type { Event, Node, Pod } from '../../src/ports/kube-types.js';
import { FakeKubeReader, checkContext } from './fake-readers.js';

const now = new Date('2026-11-24T03:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

function node(name: string, extra: Partial<NonNullable<Node['spec']>> = {}): Node {
  return {
    metadata: { name, labels: {} },
    spec: extra,
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      allocatable: { cpu: '3920m', memory: '15Gi', pods: '110' },
    },
  };
}

function pending(name: string, spec: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, creationTimestamp: ago(600) },
    spec: { containers: [{ name: 'app', resources: { requests: { cpu: '16', memory: '1Gi' } } }], ...spec },
    status: { phase: 'Pending' },
  };
}

function failed(pod: string, message: string, when: Partial<Event> = {}): Event {
  return {
    metadata: { name: `${pod}.1`, namespace: 'shop' },
    involvedObject: { kind: 'Pod', namespace: 'shop', name: pod, uid: `uid-${pod}` },
    reason: 'FailedScheduling',
    type: 'Warning',
    message,
    ...when,
  };
}

function cluster(): FakeKubeReader {
  const kube = new FakeKubeReader();
  kube.nodeList = [
    node('worker-1'),
    node('worker-2'),
    node('gpu-1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    node('worker-3', {
      unschedulable: true,
      taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
    }),
  ];
  kube.podList = [
    pending('big-1'),
    pending('big-2'),
    pending('custom', { schedulerName: 'my-custom-scheduler' }),
    {
      ...pending('running'),
      spec: { nodeName: 'worker-1', containers: [{ name: 'a', resources: { requests: { cpu: '3' } } }] },
      status: { phase: 'Running' },
    },
  ];
  const message =
    '0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable, 2 Insufficient cpu. preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.';
  kube.eventList = [
    failed('big-1', 'an older message', { lastTimestamp: ago(500) }),
    failed('big-1', message, {
      lastTimestamp: null,
      eventTime: ago(100),
      series: { count: 4, lastObservedTime: ago(30) },
    }),
    failed('big-2', message, { lastTimestamp: ago(60) }),
    // Events with missing fields must not break the check.
    { metadata: { name: 'broken', namespace: 'shop' }, involvedObject: {}, reason: 'FailedScheduling' },
  ];
  kube.leaseList = [
    {
      metadata: { name: 'kube-scheduler', namespace: 'kube-system' },
      spec: { holderIdentity: 'cp-1_abc', renewTime: ago(2), leaseDurationSeconds: 15 },
    },
  ];
  return kube;
}

describe('scheduler checks', () => {
  it('groups Pending pods by their newest FailedScheduling reasons, with node counts and per-pod data', async () => {
    const findings = await schedulerPendingCheck.run(
      checkContext({ kube: cluster(), now: () => now }),
      schedulerPendingCheck.args.parse({}),
    );
    expect(findings.map((finding) => finding.title)).toEqual([
      '3 pods waiting for a scheduler',
      // Ranked by the nodes each reason blocks, then the pods it holds.
      'Insufficient CPU: 2 pods held; blocks 2 of 4 nodes',
      'Untolerated taint: 2 pods held; blocks 1 of 4 nodes',
      'Cordoned nodes: 2 pods held; blocks 1 of 4 nodes',
      '1 pod waits for scheduler "my-custom-scheduler", which nothing runs',
    ]);
    const [summary] = findings;
    expect(summary?.evidence).toEqual([
      { label: 'Insufficient CPU', value: '2 pods held; blocks 2 of 4 nodes' },
      { label: 'Untolerated taint', value: '2 pods held; blocks 1 of 4 nodes' },
      { label: 'Cordoned nodes', value: '2 pods held; blocks 1 of 4 nodes' },
    ]);
    expect(findings[1]?.summary).toMatch(/^2 of 4 nodes lack CPU\. Requests, not usage, decide placement/);
    expect(findings[1]?.evidence[0]).toEqual({ label: 'shop/big-1', value: 'pending 10m 0s, cpu 16, memory 1Gi' });
    expect(summary?.data?.pods).toEqual([
      {
        namespace: 'shop',
        name: 'big-1',
        schedulerName: 'default-scheduler',
        reasons: [
          { category: 'untolerated-taint', nodes: 1, message: 'node(s) had untolerated taint {dedicated: gpu}' },
          { category: 'unschedulable-node', nodes: 1, message: 'node(s) were unschedulable' },
          { category: 'insufficient-cpu', nodes: 2, message: 'Insufficient cpu' },
        ],
      },
      expect.objectContaining({ name: 'big-2' }),
      expect.objectContaining({ name: 'custom', schedulerName: 'my-custom-scheduler', reasons: [] }),
    ]);
    expect(findings.at(-1)?.severity).toBe('critical');
  });

  it('says how far off the largest request is from the freest node', async () => {
    const findings = await schedulerCapacityCheck.run(
      checkContext({ kube: cluster(), now: () => now }),
      schedulerCapacityCheck.args.parse({}),
    );
    // gpu-1 (tainted) and worker-3 (cordoned) are no answer: only the two open workers count.
    expect(findings[0]?.title).toBe(
      'All 2 eligible nodes lack CPU (largest free: 3920m on worker-2; shop/big-1 requests 16)',
    );
    expect(findings[0]?.summary).toMatch(
      /^Judged on the 2 nodes shop\/big-1 could use: 2 of 4 nodes excluded \(1 untolerated taint, 1 cordoned\)\./,
    );
    expect(findings[0]?.evidence).toEqual(
      expect.arrayContaining([
        { label: 'worker-2', value: '3920m free of 3920m allocatable' },
        { label: 'worker-1', value: '920m free of 3920m allocatable' },
        { label: 'excluded', value: '1 taint dedicated=gpu:NoSchedule (gpu-1), 1 cordoned (worker-3)' },
        { label: 'scheduler counted', value: '2 of 4 nodes: Insufficient cpu' },
      ]),
    );
    expect(findings.at(-1)?.title).toMatch(/^Schedulable nodes: 26% of CPU/);
  });

  it('names the taint that blocks pods without a toleration, and the cordoned node', async () => {
    const findings = await schedulerTaintsCheck.run(
      checkContext({ kube: cluster(), now: () => now }),
      schedulerTaintsCheck.args.parse({}),
    );
    expect(findings.map((finding) => finding.title)).toEqual([
      '1 node cordoned: worker-3',
      'Taint dedicated=gpu:NoSchedule on 1 node keeps 2 Pending pods off',
    ]);
  });

  it.each([
    [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, true],
    [{ key: 'dedicated', operator: 'Exists' }, true],
    [{ operator: 'Exists' }, true],
    [{ key: 'dedicated', value: 'cpu' }, false],
    [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
  ])('applies the toleration rule to %j', (toleration, expected) => {
    expect(tolerates(toleration, { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' })).toBe(expected);
  });
});

describe('node counts of older schedulers', () => {
  it('counts a node that fails anti-affinity once, though 1.15–1.18 printed it twice', async () => {
    const kube = new FakeKubeReader();
    kube.podList = [pending('cassandra-5')];
    kube.eventList = [
      failed(
        'cassandra-5',
        "0/60 nodes are available: 60 node(s) didn't match pod affinity/anti-affinity, 60 node(s) didn't satisfy existing pods anti-affinity rules.",
        { lastTimestamp: ago(20) },
      ),
    ];
    const findings = await schedulerPendingCheck.run(
      checkContext({ kube, now: () => now }),
      schedulerPendingCheck.args.parse({}),
    );
    expect(findings.map((finding) => finding.title)).toEqual([
      '1 pod waiting for a scheduler',
      'Pod anti-affinity: 1 pod held; blocks all 60 nodes',
    ]);
  });
});

describe('pods no scheduler has tried', () => {
  const kubeSchedulerLease = (renewedSecondsAgo: number) => ({
    metadata: { name: 'kube-scheduler', namespace: 'kube-system' },
    spec: {
      holderIdentity: 'cp-1_0f3a',
      leaseDurationSeconds: 15,
      acquireTime: ago(86_400 * 3),
      renewTime: ago(renewedSecondsAgo),
      leaseTransitions: 4,
    },
  });
  /** An event kube-scheduler 1.19+ writes through events.k8s.io for profile `scheduler`, seen through core/v1. */
  function byScheduler(scheduler: string, reason: string, pod: string, secondsAgo: number): Event {
    return {
      metadata: { name: `${pod}.${reason}`, namespace: 'shop' },
      involvedObject: { kind: 'Pod', namespace: 'shop', name: pod, uid: `uid-${pod}` },
      reason,
      type: reason === 'Scheduled' ? 'Normal' : 'Warning',
      message: reason === 'Scheduled' ? `Successfully assigned shop/${pod} to worker-1` : '0/4 nodes are available.',
      eventTime: ago(secondsAgo),
      lastTimestamp: null,
      reportingComponent: scheduler,
      reportingInstance: `${scheduler}-cp-1`,
      source: {},
    } as Event;
  }
  async function run(kube: FakeKubeReader, args: Record<string, unknown> = {}) {
    const findings = await schedulerPendingCheck.run(
      checkContext({ kube, now: () => now }),
      schedulerPendingCheck.args.parse(args),
    );
    return findings.filter((finding) => finding.data?.schedulerName !== undefined);
  }
  const createdAgo = (pod: Pod, seconds: number): Pod => ({
    ...pod,
    metadata: { ...pod.metadata, creationTimestamp: ago(seconds) },
  });

  it('calls a pod for an unknown scheduler "not yet scheduled" within the grace period, critical after it', async () => {
    const kube = new FakeKubeReader();
    kube.leaseList = [kubeSchedulerLease(2)];
    kube.podList = [createdAgo(pending('fresh', { schedulerName: 'batch-scheduler' }), 90)];
    const [young] = await run(kube);
    expect(young?.severity).toBe('warning');
    expect(young?.title).toBe(
      '1 pod not yet scheduled: no sign of scheduler "batch-scheduler" yet (waiting up to 1m 30s)',
    );
    expect(young?.summary).toContain('No lease "batch-scheduler" in kube-system');

    kube.podList = [createdAgo(pending('stale', { schedulerName: 'batch-scheduler' }), 6 * 60)];
    const [old] = await run(kube);
    expect(old?.severity).toBe('critical');
    expect(old?.title).toBe('1 pod waits for scheduler "batch-scheduler", which nothing runs');
    expect(old?.summary).toContain('kube-scheduler is healthy but shows no profile by that name');
    expect(old?.summary).toContain('past the 5m 0s grace period');

    const [withLongerGrace] = await run(kube, { graceMinutes: 10 });
    expect(withLongerGrace?.severity).toBe('warning');
  });

  it('serves a schedulerName that kube-scheduler runs as a profile under its one lease', async () => {
    const kube = new FakeKubeReader();
    kube.leaseList = [kubeSchedulerLease(2)];
    kube.podList = [createdAgo(pending('packed-1', { schedulerName: 'bin-packing' }), 60)];
    kube.eventList = [byScheduler('bin-packing', 'Scheduled', 'packed-0', 120)];
    const [finding] = await run(kube);
    expect(finding?.severity).toBe('info');
    expect(finding?.title).toBe('1 pod not yet scheduled by "bin-packing" (waiting up to 1m 0s)');
    expect(finding?.summary).toContain('most likely a profile of kube-scheduler');
    expect(finding?.evidence).toEqual(
      expect.arrayContaining([
        { label: 'lease kube-system/bin-packing', value: 'not found' },
        { label: 'lease kube-system/kube-scheduler', value: 'held by cp-1, renewed 2s ago' },
        {
          label: 'events from "bin-packing"',
          value: '1 Scheduled, 0 FailedScheduling in 1h 0m; newest 2m 0s ago by bin-packing-cp-1',
        },
      ]),
    );
    expect(finding?.data).toMatchObject({ served: true, servedBy: 'bin-packing-cp-1' });
  });

  it("stops counting a busy profile's events at 1000", async () => {
    const kube = new FakeKubeReader();
    kube.leaseList = [kubeSchedulerLease(2)];
    kube.podList = [createdAgo(pending('packed-1', { schedulerName: 'bin-packing' }), 60)];
    kube.eventList = Array.from({ length: 1200 }, (_, index) =>
      byScheduler('bin-packing', 'Scheduled', `done-${index}`, 30 + index),
    );
    const [finding] = await run(kube);
    expect(finding?.evidence.find((item) => item.label === 'events from "bin-packing"')?.value).toBe(
      '1000 Scheduled, 0 FailedScheduling (counting stopped there) in 1h 0m; newest 30s ago by bin-packing-cp-1',
    );
  });

  it('takes another Pending pod the profile tried as a sign it is served, and warns once the grace has passed', async () => {
    const kube = new FakeKubeReader();
    kube.leaseList = [kubeSchedulerLease(2)];
    kube.podList = [
      createdAgo(pending('packed-1', { schedulerName: 'bin-packing' }), 30 * 60),
      createdAgo(pending('packed-2', { schedulerName: 'bin-packing' }), 40 * 60),
    ];
    // Old-style recorder: only source.component names the profile.
    kube.eventList = [
      failed('packed-2', '0/4 nodes are available: 4 Insufficient cpu.', {
        lastTimestamp: ago(45),
        source: { component: 'bin-packing' },
      }),
    ];
    const [finding] = await run(kube);
    expect(finding?.severity).toBe('warning');
    expect(finding?.title).toBe(
      '1 pod Pending for up to 30m 0s with no scheduling attempt, though "bin-packing" is served',
    );
    expect(finding?.evidence).toContainEqual({ label: 'other Pending pods "bin-packing" tried', value: '1' });
  });

  it('does not take events older than the lookback as signs of a working scheduler', async () => {
    const kube = new FakeKubeReader();
    kube.leaseList = [kubeSchedulerLease(2)];
    kube.podList = [createdAgo(pending('packed-1', { schedulerName: 'bin-packing' }), 20 * 60)];
    kube.eventList = [byScheduler('bin-packing', 'Scheduled', 'packed-0', 2 * 3600)];
    const [finding] = await run(kube);
    expect(finding?.severity).toBe('critical');
    expect(finding?.data).toMatchObject({ served: false, servedBy: null });
  });

  it('is critical at once when the default scheduler lease is stale and nothing scheduled since', async () => {
    const kube = new FakeKubeReader();
    kube.leaseList = [kubeSchedulerLease(240)];
    kube.podList = [createdAgo(pending('web-1'), 60)];
    kube.eventList = [byScheduler('default-scheduler', 'Scheduled', 'web-0', 300)];
    const [finding] = await run(kube);
    expect(finding?.severity).toBe('critical');
    expect(finding?.title).toBe('1 pod never attempted: scheduler "default-scheduler" has no active leader');
  });

  it('does not count what the dead leader tried before its lease went stale', async () => {
    const kube = new FakeKubeReader();
    kube.leaseList = [kubeSchedulerLease(240)];
    kube.podList = [createdAgo(pending('web-1'), 60), createdAgo(pending('web-0'), 1200)];
    kube.eventList = [failed('web-0', '0/4 nodes are available: 4 Insufficient cpu.', { lastTimestamp: ago(600) })];
    const [finding] = await run(kube);
    expect(finding?.severity).toBe('critical');
    expect(finding?.data).toMatchObject({ served: false });

    kube.eventList = [failed('web-0', '0/4 nodes are available: 4 Insufficient cpu.', { lastTimestamp: ago(30) })];
    const [after] = await run(kube);
    expect(after?.data).toMatchObject({ served: true });
  });

  it('trusts recent scheduling over a stale lease (a scheduler running without leader election)', async () => {
    const kube = new FakeKubeReader();
    kube.leaseList = [kubeSchedulerLease(3600)];
    kube.podList = [createdAgo(pending('web-1'), 60)];
    kube.eventList = [byScheduler('default-scheduler', 'Scheduled', 'web-0', 20)];
    const [finding] = await run(kube);
    expect(finding?.severity).toBe('info');
    expect(finding?.data).toMatchObject({ served: true });
  });
});
