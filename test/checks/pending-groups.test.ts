import { describe, expect, it } from '@jest/globals';
import { parseSchedulingCondition, parseSchedulingMessage } from '../../src/checks/failed-scheduling-parser.js';
import {
  categoryLabel,
  groupLine,
  groupPendingPods,
  nodesBlocked,
  nodesSentence,
  type PendingGroup,
} from '../../src/checks/pending-groups.js';
import type { PendingPod } from '../../src/checks/pending-pods.js';

function pod(name: string, message: string): PendingPod {
  return {
    namespace: 'shop',
    name,
    schedulerName: 'default-scheduler',
    requests: {},
    tolerations: [],
    gated: false,
    source: 'event',
    message,
    parsed: parseSchedulingMessage(message),
  };
}

/** Real messages (sources as in fixtures/failed-scheduling-messages.ts), one per era of wording. */
const messages = {
  // kubernetes/kubernetes#86942, ~1.16: `didn't match node selector`.
  oldSelector: "0/12 nodes are available: 3 Insufficient memory, 9 node(s) didn't match node selector.",
  // kubeedge/website#272, ~1.24: `had taint {…}, that the pod didn't tolerate`.
  oldTaint:
    "0/1 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/control-plane: }, that the pod didn't tolerate.",
  // aws/karpenter-provider-aws#6447, ~1.29: two taints, selector, anti-affinity, spread, with a preemption tail.
  karpenter:
    "0/20 nodes are available: 1 node(s) had untolerated taint {windowsContainers: true}, 2 node(s) had untolerated taint {eks.amazonaws.com/compute-type: fargate}, 4 node(s) didn't match Pod's node affinity/selector, 4 node(s) didn't match pod anti-affinity rules, 9 node(s) didn't match pod topology spread constraints. preemption: 0/20 nodes are available: 13 No preemption victims found for incoming pod, 7 Preemption is not helpful for scheduling.",
  // mysticaltech/terraform-hcloud-kube-hetzner#1604, ~1.31.
  hetzner:
    "0/14 nodes are available: 11 node(s) didn't match Pod's node affinity/selector, 3 node(s) were unschedulable. preemption: 0/14 nodes are available: 14 Preemption is not helpful for scheduling.",
  // A 1.32 message of a six-node cluster: one worker short of memory, the rest tainted.
  memory:
    '0/6 nodes are available: 1 Insufficient memory, 2 node(s) had untolerated taint {dedicated: gpu}, 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/6 nodes are available: 1 No preemption victims found for incoming pod, 5 Preemption is not helpful for scheduling.',
  allMemory:
    '0/6 nodes are available: 6 Insufficient memory. preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod.',
  // PreFilter: no count, every node ruled out.
  unbound:
    '0/8 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/8 nodes are available: 8 Preemption is not helpful for scheduling.',
};

describe('nodesBlocked', () => {
  it.each([
    ['≤ 1.17 node selector', messages.oldSelector, 'node-affinity-mismatch', 9],
    ['≤ 1.17 node selector, memory', messages.oldSelector, 'insufficient-memory', 3],
    ['two taints add up', messages.karpenter, 'untolerated-taint', 3],
    ['newer node affinity/selector', messages.karpenter, 'node-affinity-mismatch', 4],
    ['cordoned nodes', messages.hetzner, 'unschedulable-node', 3],
    ['a PreFilter verdict blocks every node', messages.unbound, 'unbound-pvc', 8],
    ['a control-plane taint beside other reasons does not count', messages.memory, 'untolerated-taint', 2],
    ['a control-plane taint as the only reason counts', messages.oldTaint, 'untolerated-taint', 1],
    ['a category the message does not name', messages.memory, 'insufficient-cpu', undefined],
  ] as const)('%s', (_name, message, category, expected) => {
    expect(nodesBlocked(parseSchedulingMessage(message), category)).toBe(expected);
  });

  it('counts nothing for a message without node counts', () => {
    const parsed = parseSchedulingMessage(
      'error while running "VolumeBinding" filter plugin for pod "jenkins-0": pod has unbound immediate PersistentVolumeClaims',
    );
    expect(nodesBlocked(parsed, 'unbound-pvc')).toBeUndefined();
  });
});

describe('groupPendingPods', () => {
  it('ranks reasons by nodes blocked, then pods held', () => {
    // One 20-node EKS cluster: the Karpenter message as reported, and two more of the same cluster.
    const api =
      "0/20 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {windowsContainers: true}, 2 node(s) had untolerated taint {eks.amazonaws.com/compute-type: fargate}, 16 node(s) didn't match Pod's node affinity/selector. preemption: 0/20 nodes are available: 1 No preemption victims found for incoming pod, 19 Preemption is not helpful for scheduling.";
    const uploads =
      '0/20 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/20 nodes are available: 20 Preemption is not helpful for scheduling.';
    const groups = groupPendingPods([
      pod('api-1', api),
      pod('api-2', api),
      pod('api-3', api),
      pod('web-1', messages.karpenter),
      pod('web-2', messages.karpenter),
      pod('uploads-1', uploads),
    ]);
    expect(groups.map((group) => `${categoryLabel(group.category, group.resources)}: ${groupLine(group)}`)).toEqual([
      'Unbound or missing PersistentVolumeClaim: 1 pod held; blocks all 20 nodes',
      'Node selector/affinity mismatch: 5 pods held; blocks 4–16 of 20 nodes',
      'Topology spread: 2 pods held; blocks 9 of 20 nodes',
      'Pod anti-affinity: 2 pods held; blocks 4 of 20 nodes',
      'Untolerated taint: 5 pods held; blocks 3 of 20 nodes',
      'Insufficient memory: 3 pods held; blocks 1 of 20 nodes',
    ]);
  });

  it('breaks ties in nodes blocked by pods held', () => {
    const groups = groupPendingPods([
      pod('a', '0/5 nodes are available: 2 node(s) were unschedulable, 3 Insufficient pods.'),
      pod('b', '0/5 nodes are available: 3 node(s) were unschedulable, 2 Insufficient cpu.'),
    ]);
    expect(groups.map((group) => group.category)).toEqual([
      'unschedulable-node',
      'insufficient-pods',
      'insufficient-cpu',
    ]);
  });

  it('puts gated pods, which block no node, after every counted reason', () => {
    const gated: PendingPod = {
      ...pod('eval-7', ''),
      gated: true,
      source: 'condition',
      parsed: parseSchedulingCondition('SchedulingGated', 'Scheduling is blocked due to non-empty scheduling gates'),
    };
    const groups = groupPendingPods([gated, gated, pod('api-1', messages.memory)]);
    expect(groups.map((group) => [group.category, groupLine(group)])).toEqual([
      ['untolerated-taint', '1 pod held; blocks 2 of 6 nodes'],
      ['insufficient-memory', '1 pod held; blocks 1 of 6 nodes'],
      ['scheduling-gated', '2 pods held; not yet sent to the scheduler'],
    ]);
  });
});

describe('nodesSentence', () => {
  const group = (message: string, category: PendingGroup['category']) =>
    groupPendingPods([pod('p', message)]).find((candidate) => candidate.category === category) as PendingGroup;

  it.each([
    [messages.memory, 'insufficient-memory', '1 of 6 nodes lacks memory'],
    [messages.allMemory, 'insufficient-memory', 'all 6 nodes lack memory'],
    [messages.oldTaint, 'untolerated-taint', 'the only node has a taint the pods do not tolerate'],
    [messages.hetzner, 'unschedulable-node', '3 of 14 nodes are cordoned'],
    [messages.unbound, 'unbound-pvc', 'all 8 nodes are ruled out by the volume claim'],
    [
      '0/3 nodes are available: 3 insufficient nvidia.com/gpu.',
      'insufficient-extended-resource',
      'all 3 nodes lack nvidia.com/gpu',
    ],
    [
      "0/7 nodes are available: 1 Too many pods, 6 node(s) didn't match Pod's node affinity/selector.",
      'insufficient-pods',
      '1 of 7 nodes is at its max-pods',
    ],
  ] as const)('%s → %s', (message, category, sentence) => {
    expect(nodesSentence(group(message, category))).toBe(sentence);
  });

  it('gives a range when the pods of a group were counted differently', () => {
    const [taints] = groupPendingPods([pod('a', messages.karpenter), pod('b', messages.memory)]).filter(
      (candidate) => candidate.category === 'untolerated-taint',
    );
    expect(nodesSentence(taints as PendingGroup)).toBe('2–3 of 20 nodes have taints the pods do not tolerate');
  });

  it('never claims "any node": the words follow the counts', () => {
    const groups = groupPendingPods(Object.values(messages).map((message, index) => pod(`p${index}`, message)));
    for (const candidate of groups) expect(nodesSentence(candidate) ?? '').not.toMatch(/any node/);
  });
});
