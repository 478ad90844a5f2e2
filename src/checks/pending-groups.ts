import { pluralize } from '../findings/format.js';
import { CONTROL_PLANE_TAINTS } from './node-eligibility.js';
import type { ParsedSchedulingMessage, SchedulingReason } from './failed-scheduling-parser.js';
import type { PendingPod } from './pending-pods.js';
import { SCHEDULING_CATEGORIES, type SchedulingCategory } from './scheduling-reasons.js';

/**
 * Pending pods grouped by why the scheduler turned them down, ranked by how much of the cluster each reason shuts
 * them out of (nodes blocked, as the scheduler counted them), then by how many pods it holds back. Pure: the counts
 * come from the FailedScheduling messages alone.
 */

/** One reason's pods and the nodes it rules out for them. */
export interface PendingGroup {
  category: SchedulingCategory;
  pods: PendingPod[];
  /** Fewest and most nodes the reason rules out over the group's pods; absent when no message counts them. */
  nodes?: { low: number; high: number };
  /** N of `0/N nodes are available`, the largest over the group's messages. */
  totalNodes?: number;
  /** The resources named by `Insufficient <resource>` reasons in the group (`nvidia.com/gpu`). */
  resources: string[];
}

function isControlPlaneTaint(reason: SchedulingReason): boolean {
  return (
    reason.category === 'untolerated-taint' && reason.taint !== undefined && CONTROL_PLANE_TAINTS.has(reason.taint.key)
  );
}

/**
 * The reasons that block a pod. A control-plane taint is left out when the pod has other reasons: it is true of
 * every pod that does not run on control-plane nodes and would put every Pending pod into one useless group.
 */
export function blockingReasons(parsed: ParsedSchedulingMessage | undefined): SchedulingReason[] {
  const reasons = parsed?.reasons ?? [];
  const meaningful = reasons.filter((reason) => !isControlPlaneTaint(reason));
  return meaningful.length > 0 ? meaningful : reasons;
}

export function blockingCategories(pod: PendingPod): SchedulingCategory[] {
  return [...new Set(blockingReasons(pod.parsed).map((reason) => reason.category))];
}

/**
 * How many nodes `category` rules out for one pod, as its message counts them. Reasons of one category (two
 * taints) fail different nodes, so their counts add up, capped at the message's total. A reason printed without a
 * count beside `0/N nodes are available` is a PreFilter verdict (an unbound claim): it rules out all N nodes.
 */
export function nodesBlocked(
  parsed: ParsedSchedulingMessage | undefined,
  category: SchedulingCategory,
): number | undefined {
  if (!parsed) return undefined;
  let sum: number | undefined;
  for (const reason of blockingReasons(parsed)) {
    if (reason.category !== category) continue;
    const nodes = reason.nodes ?? (category === 'scheduling-gated' ? undefined : parsed.totalNodes);
    if (nodes !== undefined) sum = (sum ?? 0) + nodes;
  }
  return sum === undefined || parsed.totalNodes === undefined ? sum : Math.min(sum, parsed.totalNodes);
}

/**
 * Pods grouped by category (a pod blocked for several reasons is in each group: every one has to go before it can
 * run), ranked by nodes blocked (the most over the group's pods), then pods held, then the category's place in
 * {@link SCHEDULING_CATEGORIES} so that equal groups keep a stable order.
 */
export function groupPendingPods(pods: readonly PendingPod[]): PendingGroup[] {
  const groups = new Map<SchedulingCategory, PendingGroup>();
  for (const pod of pods) {
    for (const category of blockingCategories(pod)) {
      let group = groups.get(category);
      if (!group) groups.set(category, (group = { category, pods: [], resources: [] }));
      group.pods.push(pod);
      const nodes = nodesBlocked(pod.parsed, category);
      if (nodes !== undefined) {
        group.nodes = group.nodes
          ? { low: Math.min(group.nodes.low, nodes), high: Math.max(group.nodes.high, nodes) }
          : { low: nodes, high: nodes };
      }
      const total = pod.parsed?.totalNodes;
      if (total !== undefined) group.totalNodes = Math.max(group.totalNodes ?? 0, total);
      for (const reason of pod.parsed?.reasons ?? []) {
        if (reason.category === category && reason.resource && !group.resources.includes(reason.resource)) {
          group.resources.push(reason.resource);
        }
      }
    }
  }
  return [...groups.values()].sort(
    (a, b) =>
      (b.nodes?.high ?? 0) - (a.nodes?.high ?? 0) ||
      b.pods.length - a.pods.length ||
      SCHEDULING_CATEGORIES.indexOf(a.category) - SCHEDULING_CATEGORIES.indexOf(b.category),
  );
}

/** A category as a heading: `Insufficient memory`, `Cordoned nodes`, `Insufficient nvidia.com/gpu`. */
export function categoryLabel(category: SchedulingCategory, resources: readonly string[] = []): string {
  if (category === 'insufficient-extended-resource' && resources.length > 0) {
    return `Insufficient ${resources.join(', ')}`;
  }
  return LABELS[category];
}

const LABELS: Record<SchedulingCategory, string> = {
  'insufficient-cpu': 'Insufficient CPU',
  'insufficient-memory': 'Insufficient memory',
  'insufficient-pods': 'Too many pods (max-pods)',
  'insufficient-ephemeral-storage': 'Insufficient ephemeral-storage',
  'insufficient-extended-resource': 'Insufficient extended resource',
  'untolerated-taint': 'Untolerated taint',
  'node-affinity-mismatch': 'Node selector/affinity mismatch',
  'unschedulable-node': 'Cordoned nodes',
  'volume-node-affinity-conflict': 'Volume node affinity (zone) conflict',
  'unbound-pvc': 'Unbound or missing PersistentVolumeClaim',
  'pod-affinity': 'Pod affinity',
  'pod-anti-affinity': 'Pod anti-affinity',
  'topology-spread': 'Topology spread',
  'host-port-conflict': 'Host port taken',
  'no-nodes': 'No nodes',
  'scheduling-gated': 'Scheduling gated',
  other: 'Other reason',
};

/** What the nodes a category rules out have (or lack), singular then plural: "lacks memory" / "lack memory". */
function verbs(category: SchedulingCategory, resources: readonly string[]): [string, string] {
  switch (category) {
    case 'insufficient-cpu':
      return ['lacks CPU', 'lack CPU'];
    case 'insufficient-memory':
      return ['lacks memory', 'lack memory'];
    case 'insufficient-ephemeral-storage':
      return ['lacks ephemeral-storage', 'lack ephemeral-storage'];
    case 'insufficient-extended-resource': {
      const what = resources.length > 0 ? resources.join(', ') : 'an extended resource';
      return [`lacks ${what}`, `lack ${what}`];
    }
    case 'insufficient-pods':
      return ['is at its max-pods', 'are at their max-pods'];
    case 'untolerated-taint':
      return ['has a taint the pods do not tolerate', 'have taints the pods do not tolerate'];
    case 'node-affinity-mismatch':
      return [
        "does not match the pods' nodeSelector or node affinity",
        "do not match the pods' nodeSelector or node affinity",
      ];
    case 'unschedulable-node':
      return ['is cordoned', 'are cordoned'];
    case 'volume-node-affinity-conflict':
      return ["is outside the volume's node affinity", "are outside the volume's node affinity"];
    case 'unbound-pvc':
      return ['is ruled out by the volume claim', 'are ruled out by the volume claim'];
    case 'pod-affinity':
      return ["fails the pods' required pod affinity", "fail the pods' required pod affinity"];
    case 'pod-anti-affinity':
      return ['is ruled out by pod anti-affinity', 'are ruled out by pod anti-affinity'];
    case 'topology-spread':
      return ['is ruled out by topology spread', 'are ruled out by topology spread'];
    case 'host-port-conflict':
      return ['has the hostPort taken', 'have the hostPort taken'];
    default:
      return ['fails for this reason', 'fail for this reason'];
  }
}

/** "1 of 8 nodes", "all 8 nodes", "1–2 of 8 nodes", "the only node", "3 nodes" (no total): as the scheduler counted. */
function nodesPhrase(nodes: { low: number; high: number }, total: number | undefined): string {
  const count = nodes.low === nodes.high ? `${nodes.low}` : `${nodes.low}–${nodes.high}`;
  if (total === undefined) return `${count} ${nodes.high === 1 ? 'node' : 'nodes'}`;
  if (total === 1 && nodes.low === 1) return 'the only node';
  if (nodes.low === total && nodes.high === total) return `all ${total} nodes`;
  return `${count} of ${total} nodes`;
}

/** `2 pods held; blocks 1 of 8 nodes`: the one line a ranked group is shown by. */
export function groupLine(group: PendingGroup): string {
  const held = `${pluralize(group.pods.length, 'pod')} held`;
  if (group.category === 'scheduling-gated') return `${held}; not yet sent to the scheduler`;
  if (!group.nodes) return `${held}; the scheduler's message does not count nodes`;
  return `${held}; blocks ${nodesPhrase(group.nodes, group.totalNodes)}`;
}

/**
 * The group's nodes in a sentence that agrees with the scheduler's counts: "1 of 8 nodes lacks memory", "all 8
 * nodes lack memory", "1–2 of 8 nodes lack nvidia.com/gpu". Undefined when no message counts nodes.
 */
export function nodesSentence(group: PendingGroup): string | undefined {
  if (!group.nodes || group.category === 'scheduling-gated') return undefined;
  const [singular, plural] = verbs(group.category, group.resources);
  const one = group.nodes.low === 1 && group.nodes.high === 1;
  return `${nodesPhrase(group.nodes, group.totalNodes)} ${one ? singular : plural}`;
}
