import { describe, expect, it } from '@jest/globals';
import { schedulerCapacityCheck } from '../../src/checks/scheduler-capacity.js';
import { schedulerPendingCheck } from '../../src/checks/scheduler-pending.js';
import { schedulerTaintsCheck, tolerates } from '../../src/checks/scheduler-taints.js';
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
      '2 Pending pods: untolerated taint on 1 of 4 nodes',
      '2 Pending pods: unschedulable node on 1 of 4 nodes',
      '2 Pending pods: insufficient cpu on 2 of 4 nodes',
      '1 pod waits for scheduler "my-custom-scheduler", which nothing runs',
    ]);
    const [summary] = findings;
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
    expect(findings[0]?.title).toBe('No node shop/big-1 can use has 16 cpu free (most free: 3.92 on worker-2)');
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
