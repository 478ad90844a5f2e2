import type { NodeSelectorRequirement, NodeSelectorTerm, Taint, Toleration } from '../ports/kube-types.js';
import { pluralize } from '../findings/format.js';

/**
 * Which nodes a Pending pod could use at all, before resources are counted: what kube-scheduler's filters
 * NodeUnschedulable, TaintToleration and NodeAffinity decide, plus Ready (a NotReady node runs nothing new, whatever
 * it tolerates). Capacity is judged on these nodes only: free memory on a node the pod may not use is no answer.
 */

/** Taints every control plane carries: they explain why those nodes were skipped, not why the pod is stuck. */
export const CONTROL_PLANE_TAINTS: ReadonlySet<string> = new Set([
  'node-role.kubernetes.io/control-plane',
  'node-role.kubernetes.io/master',
]);

/** What of a pod decides where it may go. */
export interface PodPlacement {
  tolerations: readonly Toleration[];
  /** Labels a node must carry with exactly these values. */
  nodeSelector?: Readonly<Record<string, string>>;
  /** Required node affinity's terms: a node must match one of them. Absent: no requirement. */
  requiredNodeAffinity?: readonly NodeSelectorTerm[];
}

/** What of a node decides whether a pod may go there. */
export interface NodePlacement {
  name: string;
  ready: boolean;
  unschedulable: boolean;
  taints: readonly Taint[];
  labels: Readonly<Record<string, string>>;
}

/** Why a node is ruled out, one reason per node: the first that applies, in the scheduler's filter order. */
export type Exclusion =
  | { reason: 'cordoned' }
  | { reason: 'not-ready' }
  | { reason: 'taint'; taint: Taint }
  | { reason: 'node-selector'; label: string }
  | { reason: 'node-affinity' };

/** The taint a cordon sets; a pod that tolerates it (DaemonSets do) may still be placed on a cordoned node. */
const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
/** The taints a NotReady or unreachable node carries: reported as NotReady, the state that matters. */
const NOT_READY_TAINTS = new Set(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);

/**
 * The scheduler's rule (k8s.io/api core/v1 Toleration.ToleratesTaint): the effect must match unless the toleration
 * names none; `Exists` with no key tolerates every taint; `Equal` (the default) needs key and value.
 */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if ((toleration.operator ?? 'Equal') === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

/** The first NoSchedule or NoExecute taint of the node that the pod does not tolerate; PreferNoSchedule never blocks. */
export function untoleratedTaint(tolerations: readonly Toleration[], taints: readonly Taint[]): Taint | undefined {
  return taints.find(
    (taint) =>
      (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') &&
      !tolerations.some((toleration) => tolerates(toleration, taint)),
  );
}

/**
 * One node selector requirement against a node (k8s.io/component-helpers nodeaffinity): `NotIn` and
 * `DoesNotExist` hold when the label is absent; `Gt`/`Lt` compare integers and fail on anything else.
 */
export function matchesRequirement(requirement: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const label = integer(value);
      const bound = values.length === 1 ? integer(values[0]) : undefined;
      if (label === undefined || bound === undefined) return false;
      return requirement.operator === 'Gt' ? label > bound : label < bound;
    }
    default:
      // An operator this code does not know cannot be shown to hold.
      return false;
  }
}

/** A term matches when all its requirements hold; an empty term matches nothing, as in Kubernetes. */
export function matchesTerm(term: NodeSelectorTerm, node: Pick<NodePlacement, 'name' | 'labels'>): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  return (
    expressions.every((requirement) => matchesRequirement(requirement, node.labels[requirement.key])) &&
    // `metadata.name` is the only field a node selector may name; others match no node.
    fields.every((requirement) => requirement.key === 'metadata.name' && matchesRequirement(requirement, node.name))
  );
}

/** Why the pod may not use the node, or undefined when it may (resources aside). */
export function exclusionOf(pod: PodPlacement, node: NodePlacement): Exclusion | undefined {
  if (node.unschedulable && !pod.tolerations.some((toleration) => tolerates(toleration, UNSCHEDULABLE_TAINT))) {
    return { reason: 'cordoned' };
  }
  if (!node.ready) return { reason: 'not-ready' };
  const taint = untoleratedTaint(pod.tolerations, node.taints);
  if (taint) return NOT_READY_TAINTS.has(taint.key) ? { reason: 'not-ready' } : { reason: 'taint', taint };
  for (const [label, value] of Object.entries(pod.nodeSelector ?? {})) {
    if (node.labels[label] !== value) return { reason: 'node-selector', label: `${label}=${value}` };
  }
  const terms = pod.requiredNodeAffinity;
  if (terms && !terms.some((term) => matchesTerm(term, node))) return { reason: 'node-affinity' };
  return undefined;
}

/** The nodes a pod could use and, for the rest, why not. */
export interface Eligibility<N extends NodePlacement> {
  eligible: N[];
  excluded: Array<{ node: N; exclusion: Exclusion }>;
}

export function eligibleNodes<N extends NodePlacement>(pod: PodPlacement, nodes: readonly N[]): Eligibility<N> {
  const result: Eligibility<N> = { eligible: [], excluded: [] };
  for (const node of nodes) {
    const exclusion = exclusionOf(pod, node);
    if (exclusion) result.excluded.push({ node, exclusion });
    else result.eligible.push(node);
  }
  return result;
}

export function describeTaint(taint: Taint): string {
  return `${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
}

/** The exclusion in words, grouped: a cordon, a taint, a selector label. */
function exclusionLabel(exclusion: Exclusion): string {
  switch (exclusion.reason) {
    case 'cordoned':
      return 'cordoned';
    case 'not-ready':
      return 'NotReady';
    case 'taint':
      return `taint ${describeTaint(exclusion.taint)}`;
    case 'node-selector':
      return `nodeSelector ${exclusion.label} not matched`;
    case 'node-affinity':
      return 'required node affinity not matched';
  }
}

/**
 * Excluded nodes counted per reason, largest first: `3 taint node-role.kubernetes.io/control-plane:NoSchedule, 1
 * cordoned (worker-3)`. Nodes are named when a reason covers few of them.
 */
export function describeExclusions(
  excluded: ReadonlyArray<{ node: Pick<NodePlacement, 'name'>; exclusion: Exclusion }>,
  namesUpTo = 3,
): string {
  const groups = new Map<string, string[]>();
  for (const { node, exclusion } of excluded) {
    const label = exclusionLabel(exclusion);
    groups.set(label, [...(groups.get(label) ?? []), node.name]);
  }
  return [...groups]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([label, names]) => `${names.length} ${label}${names.length <= namesUpTo ? ` (${names.join(', ')})` : ''}`)
    .join(', ');
}

/** "7 of 8 nodes excluded: 6 by taints, 1 cordoned": the short form for a summary. */
export function summarizeExclusions(excluded: ReadonlyArray<{ exclusion: Exclusion }>, total: number): string {
  if (excluded.length === 0) return `none of the ${pluralize(total, 'node')} excluded`;
  const counts = new Map<Exclusion['reason'], number>();
  for (const { exclusion } of excluded) counts.set(exclusion.reason, (counts.get(exclusion.reason) ?? 0) + 1);
  const parts = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) =>
      reason === 'taint' ? pluralize(count, 'untolerated taint') : `${count} ${WORDS[reason]}`,
    );
  return `${excluded.length} of ${pluralize(total, 'node')} excluded (${parts.join(', ')})`;
}

const WORDS: Record<Exclusion['reason'], string> = {
  cordoned: 'cordoned',
  'not-ready': 'NotReady',
  taint: 'untolerated taint',
  'node-selector': 'nodeSelector mismatch',
  'node-affinity': 'node affinity mismatch',
};

function integer(text: string | undefined): number | undefined {
  return text !== undefined && /^[+-]?\d+$/.test(text.trim()) ? Number(text) : undefined;
}
