import type { KubeReader } from '../cluster/kube-reader.js';
import type { Taint } from '../cluster/kube-types.js';
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

/**
 * Every node's allocatable against the sum of the requests of the pods bound to it (terminated pods excluded),
 * read page by page: memory grows with the number of nodes, not of pods.
 */
export async function collectNodeCapacity(kube: KubeReader): Promise<NodeCapacity[]> {
  const nodes = new Map<string, NodeCapacity>();
  for await (const node of kube.nodes()) {
    nodes.set(node.metadata.name, {
      name: node.metadata.name,
      unschedulable: node.spec?.unschedulable === true,
      ready: node.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True',
      taints: node.spec?.taints ?? [],
      labels: node.metadata.labels ?? {},
      allocatable: parseResources(node.status?.allocatable),
      requested: {},
    });
  }
  const bound = 'spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed';
  for await (const pod of kube.pods({ fieldSelector: bound })) {
    const node = pod.spec?.nodeName ? nodes.get(pod.spec.nodeName) : undefined;
    if (!node) continue;
    addResources(node.requested, { ...podRequests(pod.spec ?? {}), pods: 1 });
  }
  return [...nodes.values()];
}

export function nodeCapacityOnce(context: {
  kube: KubeReader;
  once: <T>(key: string, produce: () => Promise<T>) => Promise<T>;
}) {
  return context.once('scheduler:node-capacity', () => collectNodeCapacity(context.kube));
}
