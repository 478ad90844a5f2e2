import { describe, expect, it } from '@jest/globals';
import {
  categoriesFromCondition,
  categoriesOf,
  nodesFor,
  parseSchedulingCondition,
  parseSchedulingMessage,
} from '../../src/checks/failed-scheduling-parser.js';
import {
  SCHEDULING_CATEGORIES,
  classifySchedulingReason,
  describeCategory,
} from '../../src/checks/scheduling-reasons.js';
import { schedulingConditions, schedulingMessages } from './fixtures/failed-scheduling-messages.js';

describe('parseSchedulingMessage on real messages', () => {
  it.each(schedulingMessages)('$source ($era)', ({ message, expected }) => {
    const parsed = parseSchedulingMessage(message);
    expect(parsed.raw).toBe(message);
    expect(parsed.totalNodes).toBe(expected.totalNodes);
    expect(
      parsed.reasons.map(({ category, nodes }) => (nodes === undefined ? { category } : { category, nodes })),
    ).toEqual(expected.reasons);
    if (expected.preemption === undefined) expect(parsed.preemption).toBeUndefined();
    else if (expected.preemption === true) expect(parsed.preemption).toMatch(/^0\/\d+ nodes are available: /);
    else expect(parsed.preemption).toBe(expected.preemption);
  });

  it('covers every category and every era', () => {
    const seen = new Set(schedulingMessages.flatMap((fixture) => fixture.expected.reasons.map((r) => r.category)));
    for (const condition of schedulingConditions) for (const category of condition.expected) seen.add(category);
    expect([...SCHEDULING_CATEGORIES].filter((category) => !seen.has(category))).toEqual([]);
    expect(schedulingMessages.length).toBeGreaterThanOrEqual(35);
  });
});

describe('inter-pod affinity reasons of ≤ 1.21 schedulers', () => {
  // InterPodAffinity's Filter failed a node with two reasons, the catch-all and one specific reason
  // (pkg/scheduler/framework/plugins/interpodaffinity/filtering.go until kubernetes/kubernetes#102518): a message
  // counts each over the same nodes.
  it.each([
    [
      'all 60 nodes of a 60-node cluster, 1.15–1.18 wording',
      "0/60 nodes are available: 60 node(s) didn't match pod affinity/anti-affinity, 60 node(s) didn't satisfy existing pods anti-affinity rules.",
      { 'pod-anti-affinity': 60 },
    ],
    [
      'affinity and anti-affinity on different nodes, the catch-all over both',
      "0/10 nodes are available: 3 node(s) didn't match pod affinity rules, 7 node(s) didn't match pod affinity/anti-affinity, 4 node(s) didn't satisfy existing pods anti-affinity rules.",
      { 'pod-affinity': 3, 'pod-anti-affinity': 4 },
    ],
    [
      "the pod's own and existing pods' anti-affinity, with a taint",
      "0/5 nodes are available: 1 node(s) had taints that the pod didn't tolerate, 4 node(s) didn't match pod affinity/anti-affinity, 2 node(s) didn't match pod anti-affinity rules, 2 node(s) didn't satisfy existing pods anti-affinity rules.",
      { 'untolerated-taint': 1, 'pod-anti-affinity': 4 },
    ],
    [
      '≤ 1.10 predicate names in a predicate list',
      'No nodes are available that match all of the following predicates:: MatchInterPodAffinity (2), PodAffinityRulesNotMatch (2), PodToleratesNodeTaints (1).',
      { 'pod-affinity': 2, 'untolerated-taint': 1 },
    ],
    [
      '1.9 predicate names counted in the new format',
      '0/4 nodes are available: 3 MatchInterPodAffinity, 3 PodAntiAffinityRulesNotMatch, 1 NodeUnschedulable.',
      { 'pod-anti-affinity': 3, 'unschedulable-node': 1 },
    ],
  ] as const)('counts each node once: %s', (_name, message, expected) => {
    const parsed = parseSchedulingMessage(message);
    const counts = Object.fromEntries(categoriesOf(parsed).map((category) => [category, nodesFor(parsed, category)]));
    expect(counts).toEqual(expected);
    expect(parsed.reasons.some((reason) => /affinity\/anti-affinity|MatchInterPodAffinity/.test(reason.message))).toBe(
      false,
    );
  });

  it('keeps the catch-all, as pod affinity, when no specific reason is printed beside it', () => {
    const parsed = parseSchedulingMessage('0/3 nodes are available: 2 MatchInterPodAffinity, 1 Insufficient cpu.');
    expect(parsed.reasons.map(({ category, nodes }) => ({ category, nodes }))).toEqual([
      { category: 'pod-affinity', nodes: 2 },
      { category: 'insufficient-cpu', nodes: 1 },
    ]);
  });

  it('never counts more nodes for one category than the message has, on any real message', () => {
    for (const { message } of schedulingMessages) {
      const parsed = parseSchedulingMessage(message);
      if (parsed.totalNodes === undefined) continue;
      for (const category of categoriesOf(parsed)) {
        const printed = parsed.reasons
          .filter((reason) => reason.category === category)
          .reduce((sum, reason) => sum + (reason.nodes ?? 0), 0);
        expect({ message, category, printed: printed <= parsed.totalNodes }).toEqual({
          message,
          category,
          printed: true,
        });
      }
    }
  });

  it('caps a category at the total even when a message over-counts', () => {
    const parsed = parseSchedulingMessage(
      '0/3 nodes are available: 2 node(s) had untolerated taint {a: }, 2 node(s) had untolerated taint {b: }.',
    );
    expect(nodesFor(parsed, 'untolerated-taint')).toBe(3);
    expect(nodesFor(parsed, 'insufficient-cpu')).toBeUndefined();
    expect(nodesFor(parseSchedulingMessage('3 Insufficient cpu, 2 Insufficient cpu'), 'insufficient-cpu')).toBe(5);
  });
});

describe('parseSchedulingMessage details', () => {
  it('keeps the reason text as printed, without count or trailing dots', () => {
    const parsed = parseSchedulingMessage(
      "0/3 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/master: }, \nthat the pod didn't tolerate, 2 node(s) had volume node affinity conflict.",
    );
    expect(parsed.reasons.map((reason) => reason.message)).toEqual([
      "node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate",
      'node(s) had volume node affinity conflict',
    ]);
  });

  it('names the taint and the resource', () => {
    const parsed = parseSchedulingMessage(
      '0/20 nodes are available: 1 node(s) had untolerated taint {windowsContainers: true}, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient nvidia.com/gpu, 4 Insufficient hugepages-2Mi.',
    );
    expect(parsed.reasons).toEqual([
      {
        category: 'untolerated-taint',
        nodes: 1,
        message: 'node(s) had untolerated taint {windowsContainers: true}',
        taint: { key: 'windowsContainers', value: 'true' },
      },
      {
        category: 'untolerated-taint',
        nodes: 2,
        message: 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
        taint: { key: 'node-role.kubernetes.io/control-plane' },
      },
      {
        category: 'insufficient-extended-resource',
        nodes: 3,
        message: 'Insufficient nvidia.com/gpu',
        resource: 'nvidia.com/gpu',
      },
      {
        category: 'insufficient-extended-resource',
        nodes: 4,
        message: 'Insufficient hugepages-2Mi',
        resource: 'hugepages-2Mi',
      },
    ]);
  });

  it('reads a PreFilter message without a count and keeps the total from the head', () => {
    const parsed = parseSchedulingMessage(
      '0/5 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling..',
    );
    expect(parsed).toEqual({
      totalNodes: 5,
      reasons: [{ category: 'unbound-pvc', message: 'pod has unbound immediate PersistentVolumeClaims' }],
      preemption: '0/5 nodes are available: 5 Preemption is not helpful for scheduling',
      raw: parsed.raw,
    });
  });

  it('takes the total from the preemption tail when the head was cut off', () => {
    // As in open-metadata/openmetadata-helm-charts#417's title.
    const parsed = parseSchedulingMessage(
      'pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling',
    );
    expect(parsed.totalNodes).toBe(2);
    expect(categoriesOf(parsed)).toEqual(['unbound-pvc']);
  });

  it.each([
    [
      'a cordon reported as its taint',
      "0/3 nodes are available: 3 node(s) had taint {node.kubernetes.io/unschedulable: }, that the pod didn't tolerate.",
      'unschedulable-node',
    ],
    [
      'nodes a PreFilter plugin ruled out (1.27+)',
      "0/46 nodes are available: 45 node(s) didn't satisfy plugin(s) [NodeAffinity]",
      'node-affinity-mismatch',
    ],
    [
      'topology spread, missing label',
      "0/4 nodes are available: 4 node(s) didn't match pod topology spread constraints (missing required label).",
      'topology-spread',
    ],
    ['an empty cluster', '0/0 nodes are available', 'no-nodes'],
    [
      'an event folded by the recorder',
      '(combined from similar events): 0/3 nodes are available: 3 Insufficient memory.',
      'insufficient-memory',
    ],
    [
      'a PVC that does not exist (PreFilter)',
      '0/3 nodes are available: persistentvolumeclaim "data-0" not found.',
      'unbound-pvc',
    ],
    [
      'the pre-1.19 node-affinity wording',
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity.",
      'node-affinity-mismatch',
    ],
    ['a capitalised binding rejection', 'Binding rejected: timeout', 'other'],
    ['a DRA reason', '0/2 nodes are available: 2 cannot allocate all claims.', 'other'],
  ] as const)('classifies %s (built from the scheduler format strings)', (_name, message, category) => {
    expect(categoriesOf(parseSchedulingMessage(message))).toEqual([category]);
  });

  it('counts nodes per reason over the ≤ 1.4 per-node lines (built from the 1.4 FitError format)', () => {
    const parsed = parseSchedulingMessage(
      'pod (web-1) failed to fit in any node\nfit failure on node (node-a): Insufficient CPU\nfit failure on node (node-b): PodFitsHostPorts, Insufficient CPU\n',
    );
    expect(parsed.reasons.map(({ category, nodes }) => ({ category, nodes }))).toEqual([
      { category: 'insufficient-cpu', nodes: 2 },
      { category: 'host-port-conflict', nodes: 1 },
    ]);
  });

  it('never counts the preemption tail as blocking reasons', () => {
    const parsed = parseSchedulingMessage(
      '0/136 nodes are available: 65 Insufficient memory. preemption: 0/136 nodes are available: 126 Insufficient ephemeral-storage, 31 Insufficient cpu.',
    );
    expect(categoriesOf(parsed)).toEqual(['insufficient-memory']);
  });

  it('returns no reasons, and does not throw, for empty or unrelated text', () => {
    expect(parseSchedulingMessage('')).toEqual({ reasons: [], raw: '' });
    expect(parseSchedulingMessage('   ').reasons).toEqual([]);
    expect(parseSchedulingMessage('something odd happened').reasons).toEqual([
      { category: 'other', message: 'something odd happened' },
    ]);
  });
});

describe('PodScheduled conditions', () => {
  it.each(schedulingConditions)('$reason from $source ($era)', ({ reason, message, expected }) => {
    expect(categoriesFromCondition(reason, message)).toEqual(expected);
  });

  it('keeps the gate message as the reason text', () => {
    expect(
      parseSchedulingCondition('SchedulingGated', 'Scheduling is blocked due to non-empty scheduling gates').reasons,
    ).toEqual([{ category: 'scheduling-gated', message: 'Scheduling is blocked due to non-empty scheduling gates' }]);
    expect(categoriesFromCondition('SchedulingGated', undefined)).toEqual(['scheduling-gated']);
    expect(categoriesFromCondition(undefined, undefined)).toEqual([]);
  });
});

describe('classifySchedulingReason', () => {
  it.each([
    ['Too many pods', 'insufficient-pods'],
    ['Insufficient ephemeral-storage', 'insufficient-ephemeral-storage'],
    ['MatchNodeSelector', 'node-affinity-mismatch'],
    ['CheckVolumeBinding', 'unbound-pvc'],
    ['PodFitsPorts', 'host-port-conflict'],
    ["node(s) didn't match the requested hostname", 'node-affinity-mismatch'],
    ['node(s) had no available volume zone', 'volume-node-affinity-conflict'],
    ['node(s) did not have enough free storage', 'unbound-pvc'],
    ['Predicate PodFitsHostPorts failed', 'host-port-conflict'],
    ['node(s) were not ready', 'other'],
  ] as const)('%s → %s', (text, category) => {
    expect(classifySchedulingReason(text).category).toBe(category);
  });
});

describe('describeCategory', () => {
  it.each([...SCHEDULING_CATEGORIES])('describes %s with a summary and an action', (category) => {
    const { summary, action } = describeCategory(category);
    expect(summary.length).toBeGreaterThan(10);
    expect(action.length).toBeGreaterThan(10);
    // The counts say how many nodes; a description that claims "any node" contradicts "1 of 8 nodes".
    expect(summary).not.toMatch(/\bany node\b|\bno node\b/i);
  });

  it('explains insufficient CPU without claiming every node lacks it, and says what to do', () => {
    expect(describeCategory('insufficient-cpu')).toEqual({
      summary:
        'requests, not usage, decide placement: the pods ask for more CPU than those nodes have left unrequested',
      action: 'lower the CPU requests, add nodes or enable the cluster autoscaler',
    });
  });
});
