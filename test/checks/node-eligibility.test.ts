import { describe, expect, it } from '@jest/globals';
import {
  describeExclusions,
  eligibleNodes,
  exclusionOf,
  matchesRequirement,
  matchesTerm,
  summarizeExclusions,
  tolerates,
  untoleratedTaint,
  type NodePlacement,
  type PodPlacement,
} from '../../src/checks/node-eligibility.js';
import type { Taint, Toleration } from '../../src/ports/kube-types.js';

const gpu: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

describe('tolerates', () => {
  it.each<[string, Toleration, Taint, boolean]>([
    [
      'Equal with key, value and effect',
      { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
      gpu,
      true,
    ],
    ['Equal by default', { key: 'dedicated', value: 'gpu' }, gpu, true],
    ['Equal with another value', { key: 'dedicated', value: 'cpu' }, gpu, false],
    ['Exists on the key, any value', { key: 'dedicated', operator: 'Exists' }, gpu, true],
    ['Exists with another effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, gpu, false],
    ['Exists with an empty key: every taint', { operator: 'Exists' }, gpu, true],
    ['Exists with an empty key but an effect', { operator: 'Exists', effect: 'NoExecute' }, gpu, false],
    [
      'the NoExecute not-ready toleration every pod gets by default',
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      false,
    ],
    [
      'a value-less taint and Equal with no value',
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
      true,
    ],
  ])('%s', (_name, toleration, taint, expected) => {
    expect(tolerates(toleration, taint)).toBe(expected);
  });

  it('ignores PreferNoSchedule and finds the first blocking taint', () => {
    const taints: Taint[] = [
      { key: 'spot', effect: 'PreferNoSchedule' },
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      { key: 'maintenance', effect: 'NoExecute' },
    ];
    expect(untoleratedTaint([], taints)).toEqual(taints[1]);
    expect(untoleratedTaint([{ key: 'dedicated', operator: 'Exists' }], taints)).toEqual(taints[2]);
    expect(untoleratedTaint([{ operator: 'Exists' }], taints)).toBeUndefined();
  });
});

describe('matchesRequirement', () => {
  it.each<[string, string, string[] | undefined, string | undefined, boolean]>([
    ['In', 'In', ['c7i.2xlarge', 'c7i.4xlarge'], 'c7i.2xlarge', true],
    ['In, another value', 'In', ['c7i.2xlarge'], 'm6i.xlarge', false],
    ['In, label absent', 'In', ['c7i.2xlarge'], undefined, false],
    ['NotIn', 'NotIn', ['eu-west-1a'], 'eu-west-1b', true],
    ['NotIn, listed value', 'NotIn', ['eu-west-1a'], 'eu-west-1a', false],
    ['NotIn, label absent', 'NotIn', ['eu-west-1a'], undefined, true],
    ['Exists', 'Exists', undefined, '', true],
    ['Exists, absent', 'Exists', undefined, undefined, false],
    ['DoesNotExist', 'DoesNotExist', undefined, undefined, true],
    ['DoesNotExist, present', 'DoesNotExist', undefined, 'true', false],
    ['Gt', 'Gt', ['4'], '8', true],
    ['Gt, equal', 'Gt', ['8'], '8', false],
    ['Lt', 'Lt', ['16'], '8', true],
    ['Gt, label not an integer', 'Gt', ['4'], '8Gi', false],
    ['Gt, label absent', 'Gt', ['4'], undefined, false],
    ['an unknown operator', 'Matches', ['x'], 'x', false],
  ])('%s', (_name, operator, values, label, expected) => {
    const requirement = values === undefined ? { key: 'k', operator } : { key: 'k', operator, values };
    expect(matchesRequirement(requirement, label)).toBe(expected);
  });
});

describe('matchesTerm', () => {
  const node = { name: 'worker-7', labels: { 'topology.kubernetes.io/zone': 'eu-west-1c', 'node-pool': 'general' } };

  it('ANDs the requirements of a term', () => {
    expect(
      matchesTerm(
        {
          matchExpressions: [
            { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1c'] },
            { key: 'node-pool', operator: 'NotIn', values: ['gpu'] },
          ],
        },
        node,
      ),
    ).toBe(true);
    expect(
      matchesTerm(
        {
          matchExpressions: [
            { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1c'] },
            { key: 'node-pool', operator: 'In', values: ['gpu'] },
          ],
        },
        node,
      ),
    ).toBe(false);
  });

  it('matches metadata.name through matchFields, and no other field', () => {
    expect(matchesTerm({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-7'] }] }, node)).toBe(
      true,
    );
    expect(matchesTerm({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-8'] }] }, node)).toBe(
      false,
    );
    expect(matchesTerm({ matchFields: [{ key: 'spec.podCIDR', operator: 'Exists' }] }, node)).toBe(false);
  });

  it('matches nothing with an empty term, as Kubernetes does', () => {
    expect(matchesTerm({}, node)).toBe(false);
    expect(matchesTerm({ matchExpressions: [], matchFields: [] }, node)).toBe(false);
  });
});

function node(name: string, extra: Partial<NodePlacement> = {}): NodePlacement {
  return { name, ready: true, unschedulable: false, taints: [], labels: { 'node-pool': 'general' }, ...extra };
}

describe('exclusionOf', () => {
  const plain: PodPlacement = { tolerations: [] };

  it('takes a Ready, untainted, uncordoned node for a pod without constraints', () => {
    expect(exclusionOf(plain, node('worker-1'))).toBeUndefined();
  });

  it('excludes a cordoned node unless the pod tolerates the unschedulable taint (DaemonSets do)', () => {
    const cordoned = node('worker-3', {
      unschedulable: true,
      taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
    });
    expect(exclusionOf(plain, cordoned)).toEqual({ reason: 'cordoned' });
    const daemon: PodPlacement = {
      tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
    };
    expect(exclusionOf(daemon, cordoned)).toBeUndefined();
  });

  it('excludes a NotReady node whatever the pod tolerates, and names it NotReady rather than by its taint', () => {
    expect(exclusionOf({ tolerations: [{ operator: 'Exists' }] }, node('worker-4', { ready: false }))).toEqual({
      reason: 'not-ready',
    });
    const unreachable = node('worker-5', {
      ready: true,
      taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }],
    });
    expect(exclusionOf(plain, unreachable)).toEqual({ reason: 'not-ready' });
  });

  it('excludes a node by the first taint the pod does not tolerate', () => {
    expect(exclusionOf(plain, node('gpu-1', { taints: [gpu] }))).toEqual({ reason: 'taint', taint: gpu });
    expect(
      exclusionOf({ tolerations: [{ key: 'dedicated', operator: 'Exists' }] }, node('gpu-1', { taints: [gpu] })),
    ).toBeUndefined();
  });

  it('excludes a node missing a nodeSelector label, naming the label', () => {
    expect(exclusionOf({ tolerations: [], nodeSelector: { 'node-pool': 'batch' } }, node('worker-1'))).toEqual({
      reason: 'node-selector',
      label: 'node-pool=batch',
    });
  });

  it('admits a node that matches any one term of required node affinity (OR)', () => {
    const pod: PodPlacement = {
      tolerations: [],
      requiredNodeAffinity: [
        { matchExpressions: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['c7i.2xlarge'] }] },
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-2'] }] },
      ],
    };
    expect(exclusionOf(pod, node('worker-1'))).toEqual({ reason: 'node-affinity' });
    expect(exclusionOf(pod, node('worker-2'))).toBeUndefined();
    expect(exclusionOf({ tolerations: [], requiredNodeAffinity: [] }, node('worker-2'))).toEqual({
      reason: 'node-affinity',
    });
  });
});

describe('eligibleNodes and the words for what was excluded', () => {
  // Six nodes, as in "0/6 nodes are available: 1 Insufficient memory, 1 node(s) were unschedulable, 2 node(s) had
  // untolerated taint {dedicated: gpu}, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }".
  const nodes = [
    node('cp-1', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
    node('cp-2', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
    node('gpu-1', { taints: [gpu] }),
    node('gpu-2', { taints: [gpu] }),
    node('worker-1'),
    node('worker-2', { unschedulable: true }),
  ];

  it('keeps the nodes the pod could use and counts the rest by reason', () => {
    const { eligible, excluded } = eligibleNodes({ tolerations: [] }, nodes);
    expect(eligible.map((candidate) => candidate.name)).toEqual(['worker-1']);
    expect(describeExclusions(excluded)).toBe(
      '2 taint node-role.kubernetes.io/control-plane:NoSchedule (cp-1, cp-2), 2 taint dedicated=gpu:NoSchedule (gpu-1, gpu-2), 1 cordoned (worker-2)',
    );
    expect(summarizeExclusions(excluded, nodes.length)).toBe(
      '5 of 6 nodes excluded (4 untolerated taints, 1 cordoned)',
    );
  });

  it('stops naming nodes when a reason covers many', () => {
    const { excluded } = eligibleNodes({ tolerations: [], nodeSelector: { 'node-pool': 'batch' } }, nodes);
    expect(describeExclusions(excluded, 1)).toBe(
      '2 taint node-role.kubernetes.io/control-plane:NoSchedule, 2 taint dedicated=gpu:NoSchedule, 1 nodeSelector node-pool=batch not matched (worker-1), 1 cordoned (worker-2)',
    );
  });

  it('says when nothing was excluded', () => {
    expect(summarizeExclusions([], 3)).toBe('none of the 3 nodes excluded');
  });
});
