import { describe, expect, it } from '@jest/globals';
import { schedulerCapacityCheck } from '../../src/checks/scheduler-capacity.js';
import type { ListOptions } from '../../src/ports/kube-reader.js';
import type { Event, Node, Pod, PodFootprint, Toleration } from '../../src/ports/kube-types.js';
import { FakeKubeReader, checkContext } from './fake-readers.js';

/** Its bound-pod listing never ends on its own: it lasts until its signal aborts. */
class SlowFootprints extends FakeKubeReader {
  listing: { signal?: AbortSignal } = {};

  override async *podFootprints(options: ListOptions = {}): AsyncIterable<PodFootprint> {
    this.listing.signal = options.signal;
    yield { metadata: { name: 'bound-1' }, spec: { nodeName: 'worker-1' } };
    await new Promise<void>((resolve) => {
      if (options.signal?.aborted) resolve();
      options.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}

function pendingPod(name: string): Pod {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}` },
    spec: { tolerations: [] },
    status: { phase: 'Pending' },
  };
}

function failedScheduling(pod: string, message: string): Event {
  return {
    metadata: { name: `${pod}.1`, namespace: 'shop' },
    involvedObject: { kind: 'Pod', namespace: 'shop', name: pod, uid: `uid-${pod}` },
    reason: 'FailedScheduling',
    message,
  };
}

describe('scheduler.capacity listing every bound pod', () => {
  it('starts the listing at once and drops it when no Pending pod is short of a resource', async () => {
    const kube = new SlowFootprints();
    kube.podList = [pendingPod('tainted')];
    kube.eventList = [
      failedScheduling('tainted', '0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: gpu}.'),
    ];
    const findings = await schedulerCapacityCheck.run(checkContext({ kube }), schedulerCapacityCheck.args.parse({}));
    expect(findings.map((finding) => finding.title)).toEqual([
      'No Pending pod is short of CPU, memory, pods or storage',
    ]);
    expect(kube.listing.signal?.aborted).toBe(true);
  });

  it('drops the listing when the check fails before it is needed', async () => {
    const kube = new SlowFootprints();
    kube.events = () => {
      throw new Error('events are unreadable');
    };
    kube.podList = [pendingPod('waiting')];
    await expect(
      schedulerCapacityCheck.run(checkContext({ kube }), schedulerCapacityCheck.args.parse({})),
    ).rejects.toThrow('events are unreadable');
    expect(kube.listing.signal?.aborted).toBe(true);
  });
});

describe('scheduler.capacity judged on the nodes a pod could use', () => {
  const controlPlane = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
  function node(name: string, zone: string, spec: Node['spec'] = {}, ready = true): Node {
    return {
      metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } },
      spec,
      status: {
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
        allocatable: { cpu: '3920m', memory: '15Gi', pods: '110' },
      },
    };
  }
  function bound(name: string, nodeName: string, memory: string): Pod {
    return {
      metadata: { name, namespace: 'shop' },
      spec: { nodeName, containers: [{ name: 'app', resources: { requests: { cpu: '100m', memory } } }] },
      status: { phase: 'Running' },
    };
  }
  /** An API pod that must stay out of eu-west-1c, with the tolerations every pod gets by default. */
  function api(name: string, tolerations: Toleration[] = []): Pod {
    return {
      metadata: { name, namespace: 'shop', uid: `uid-${name}` },
      spec: {
        containers: [{ name: 'api', resources: { requests: { cpu: '500m', memory: '4Gi' } } }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'NotIn', values: ['eu-west-1c'] }],
                },
              ],
            },
          },
        },
        tolerations: [
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
          { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
          ...tolerations,
        ],
      },
      status: { phase: 'Pending' },
    };
  }
  // kube-scheduler 1.32 sorts the reasons by their whole "<count> <reason>" text.
  const message =
    "0/7 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable, 2 Insufficient memory. preemption: 0/7 nodes are available: 2 No preemption victims found for incoming pod, 5 Preemption is not helpful for scheduling.";

  function cluster(pending: Pod[]): FakeKubeReader {
    const kube = new FakeKubeReader();
    kube.nodeList = [
      node('cp-1', 'eu-west-1a', { taints: [controlPlane] }),
      node('gpu-1', 'eu-west-1a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      node('worker-1', 'eu-west-1a'),
      node('worker-2', 'eu-west-1b'),
      node('worker-3', 'eu-west-1b', {
        unschedulable: true,
        taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
      }),
      node(
        'worker-4',
        'eu-west-1a',
        { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] },
        false,
      ),
      node('worker-5', 'eu-west-1c'),
    ];
    kube.podList = [bound('cache-0', 'worker-1', '14131Mi'), bound('cache-1', 'worker-2', '14438Mi'), ...pending];
    kube.eventList = pending.map((pod) => failedScheduling(pod.metadata.name, message));
    return kube;
  }
  const run = (kube: FakeKubeReader) =>
    schedulerCapacityCheck.run(checkContext({ kube }), schedulerCapacityCheck.args.parse({}));

  it('counts only eligible nodes, says which were excluded and why, and agrees with the scheduler', async () => {
    const [finding] = await run(cluster([api('api-7d9f-x2k4q')]));
    expect(finding?.title).toBe(
      'All 2 eligible nodes lack memory (largest free: 1.2Gi on worker-1; shop/api-7d9f-x2k4q requests 4Gi)',
    );
    expect(finding?.summary).toBe(
      'Judged on the 2 nodes shop/api-7d9f-x2k4q could use: 5 of 7 nodes excluded (2 untolerated taints, 1 cordoned, 1 NotReady, 1 node affinity mismatch). Requests, not usage, decide placement.',
    );
    expect(finding?.evidence).toEqual([
      { label: 'worker-1', value: '1.2Gi free of 15Gi allocatable' },
      { label: 'worker-2', value: '922Mi free of 15Gi allocatable' },
      {
        label: 'excluded',
        value:
          '1 taint node-role.kubernetes.io/control-plane:NoSchedule (cp-1), 1 taint dedicated=gpu:NoSchedule (gpu-1), 1 cordoned (worker-3), 1 NotReady (worker-4), 1 required node affinity not matched (worker-5)',
      },
      // Never the control plane nor the NotReady node, though both are empty.
      {
        label: 'room on excluded nodes',
        value:
          '1 taint dedicated=gpu:NoSchedule (gpu-1), 1 cordoned (worker-3), 1 required node affinity not matched (worker-5)',
      },
      { label: 'scheduler counted', value: '2 of 7 nodes: Insufficient memory' },
    ]);
    expect(finding?.recommendation).toMatch(
      /^worker-3 has room but is cordoned: uncordon once the maintenance is over\. /,
    );
    expect(finding?.recommendation).not.toContain('control-plane');
    expect(finding?.data).toMatchObject({ eligibleNodes: ['worker-1', 'worker-2'], request: 4 * 2 ** 30 });
  });

  it('judges each pod on its own eligible nodes: one that tolerates the GPU taint fits there', async () => {
    const findings = await run(
      cluster([api('api-7d9f-x2k4q'), api('api-gpu-7d9f-m3n8c', [{ key: 'dedicated', operator: 'Exists' }])]),
    );
    expect(findings[0]?.data?.pods).toEqual(['shop/api-7d9f-x2k4q']);
    expect(findings[0]?.evidence).toContainEqual({
      label: 'shop/api-gpu-7d9f-m3n8c',
      value: 'requests 4Gi; fits on gpu-1 by requests now',
    });
  });

  it('raises no shortage when an eligible node has room by requests now', async () => {
    const kube = cluster([api('api-7d9f-x2k4q')]);
    kube.podList = kube.podList.filter((pod) => pod.metadata.name !== 'cache-1');
    const findings = await run(kube);
    expect(findings.map((finding) => finding.severity)).toEqual(['info']);
    expect(findings[0]?.evidence).toEqual([
      { label: 'cpu', value: '100m of 19600m requested' },
      { label: 'memory', value: '13.8Gi of 75Gi requested' },
    ]);
  });
});
