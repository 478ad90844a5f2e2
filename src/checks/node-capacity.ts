import type { KubeReader } from '../ports/kube-reader.js';
import type { Taint } from '../ports/kube-types.js';
import type { CheckContext } from './check.js';
import { addPodRequests, parseResources } from './quantity.js';

/** One node as the scheduler checks see it: what it offers, what is already requested, and what keeps pods off. */
export interface NodeCapacity {
  name: string;
  unschedulable: boolean;
  ready: boolean;
  taints: Taint[];
  labels: Record<string, string>;
  allocatable: Record<string, number>;
  requested: Record<string, number>;
}

/** Free room on a node for one resource; `pods` counts the pods bound to it. */
export function free(node: NodeCapacity, resource: string): number {
  return (node.allocatable[resource] ?? 0) - (node.requested[resource] ?? 0);
}

/** Shared work runs under the run's readers (see CheckContext.once), not the first asking check's. */
type Memo = Pick<CheckContext, 'once'>;

/** Every node with its allocatable, taints and cordon; `requested` is empty (see {@link startNodeRequests}). */
export function nodesOnce(context: Memo): Promise<NodeCapacity[]> {
  return context.once('scheduler:nodes', async (run) => {
    const nodes: NodeCapacity[] = [];
    for await (const node of run.kube.nodes()) {
      nodes.push({
        name: node.metadata.name,
        unschedulable: node.spec?.unschedulable === true,
        ready: node.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True',
        taints: node.spec?.taints ?? [],
        labels: node.metadata.labels ?? {},
        allocatable: parseResources(node.status?.allocatable),
        requested: {},
      });
    }
    return nodes;
  });
}

/** Requests summed per node, begun before it is known whether they will be needed. */
export interface NodeRequests {
  /** The nodes with what the pods bound to them request; waits for both lists. */
  nodes(): Promise<NodeCapacity[]>;
  /** Stops the listing when the answer turns out not to be needed; `nodes()` must not be called after. */
  drop(): void;
}

/**
 * Starts summing the requests of every bound pod per node (terminated pods excluded) at once. This pages through
 * every bound pod of the cluster, the long pole of a large cluster's diagnosis: started alongside the Pending pods
 * and the nodes rather than after them, it is dropped when the Pending pods show that nothing needs it, a page or
 * two in. Memory grows with nodes, not pods.
 */
export function startNodeRequests(context: Pick<CheckContext, 'once' | 'kube' | 'signal'>): NodeRequests {
  const dropped = new AbortController();
  const requested = requestsByNode(context.kube, AbortSignal.any([context.signal, dropped.signal]));
  // Dropped or failed while nobody waits: not an unhandled rejection (`nodes()` still sees a failure).
  requested.catch(() => undefined);
  return {
    async nodes() {
      const [nodes, byNode] = await Promise.all([nodesOnce(context), requested]);
      return nodes.map((node) => ({ ...node, requested: byNode.get(node.name) ?? {} }));
    },
    drop: () => dropped.abort(new Error('the summed requests were not needed')),
  };
}

/**
 * Requests summed per node name, `pods` counting the pods. The lean list: nothing of a pod but its node and requests
 * is validated or kept. Not from the watch cache (`resourceVersion=0`): API servers answer such a list whole,
 * ignoring `limit`, and this one is every pod of the cluster.
 */
async function requestsByNode(kube: KubeReader, signal: AbortSignal): Promise<Map<string, Record<string, number>>> {
  const byNode = new Map<string, Record<string, number>>();
  const bound = 'spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed';
  for await (const pod of kube.podFootprints({ fieldSelector: bound, signal })) {
    const name = pod.spec?.nodeName;
    if (!name) continue;
    let requested = byNode.get(name);
    if (!requested) byNode.set(name, (requested = {}));
    addPodRequests(requested, pod.spec ?? {});
    requested.pods = (requested.pods ?? 0) + 1;
  }
  return byNode;
}
