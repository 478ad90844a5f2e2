/** Nodes that failed a pod for the same reasons. */
export interface NodeGroup {
  /** How many nodes. */
  nodes: number;
  /**
   * What each of them reported: one reason from the first filter that failed, or several from NodeResourcesFit
   * (`Insufficient cpu`, `Insufficient memory`) when more than one resource is short.
   */
  reasons: readonly string[];
  /**
   * True when the filter said Unschedulable (resources, host ports, topology spread, the pod's own anti-affinity):
   * preemption tries those nodes and, with no lower-priority pod to evict, reports "No preemption victims found for
   * incoming pod". False for UnschedulableAndUnresolvable (taints, node affinity, cordoned nodes, volume
   * conflicts): "Preemption is not helpful for scheduling".
   */
  preemptible: boolean;
}

const VICTIMS = 'No preemption victims found for incoming pod';
const NOT_HELPFUL = 'Preemption is not helpful for scheduling';

/** `3 Insufficient cpu, 5 node(s) …`: counted reasons sorted by their whole text, as kube-scheduler sorts them. */
function histogram(counts: ReadonlyMap<string, number>): string {
  return [...counts]
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${count} ${reason}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .join(', ');
}

/**
 * A FailedScheduling message in kube-scheduler's wording since 1.27 (the framework's FitError with the
 * DefaultPreemption tail): `0/N nodes are available: <count> <reason>, …. preemption: 0/N nodes are available:
 * <count> No preemption victims found for incoming pod, <count> Preemption is not helpful for scheduling.` With a
 * `preFilter` message (`pod has unbound immediate PersistentVolumeClaims`) no node is counted and preemption helps
 * on none.
 */
export function failedSchedulingMessage(totalNodes: number, groups: readonly NodeGroup[], preFilter?: string): string {
  const reasons = new Map<string, number>();
  const preemption = new Map<string, number>();
  if (preFilter !== undefined) {
    preemption.set(NOT_HELPFUL, totalNodes);
  } else {
    for (const group of groups) {
      for (const reason of group.reasons) reasons.set(reason, (reasons.get(reason) ?? 0) + group.nodes);
      const outcome = group.preemptible ? VICTIMS : NOT_HELPFUL;
      preemption.set(outcome, (preemption.get(outcome) ?? 0) + group.nodes);
    }
  }
  const available = `0/${totalNodes} nodes are available:`;
  const why = preFilter ?? histogram(reasons);
  return `${available} ${why}. preemption: ${available} ${histogram(preemption)}.`;
}
