import type { Taint } from '../ports/kube-types.js';
import type { CheckContext } from './check.js';
import { parseResources, podRequests, addResources } from './quantity.js';

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

/** Every node with its allocatable, taints and cordon; `requested` is empty until {@link nodeRequestsOnce}. */
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

/**
 * The nodes with the summed requests of the pods bound to them (terminated pods excluded). This pages through every
 * bound pod of the cluster, so only checks that need it call it; memory grows with nodes, not pods.
 */
export function nodeRequestsOnce(context: Memo): Promise<NodeCapacity[]> {
  return context.once('scheduler:node-requests', async (run) => {
    const nodes = new Map((await nodesOnce(context)).map((node) => [node.name, { ...node, requested: {} }]));
    const bound = 'spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed';
    for await (const pod of run.kube.pods({ fieldSelector: bound })) {
      const node = pod.spec?.nodeName ? nodes.get(pod.spec.nodeName) : undefined;
      if (node) addResources(node.requested, { ...podRequests(pod.spec ?? {}), pods: 1 });
    }
    return [...nodes.values()];
  });
}
