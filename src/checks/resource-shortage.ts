import type { NodeCapacity } from './node-capacity.js';
import { free } from './node-capacity.js';
import { CONTROL_PLANE_TAINTS, eligibleNodes, type Eligibility, type PodPlacement } from './node-eligibility.js';
import { formatQuantityPair } from './quantity-format.js';

/**
 * How short of one resource a Pending pod is, judged only on the nodes it could use (Ready, not cordoned, taints
 * tolerated, selector and required node affinity matched): free room on a node it may not use is no answer.
 * Pure: nodes with their summed requests in, a verdict out.
 */
export interface Shortage {
  resource: string;
  /** What the pod asks for: its request, or 1 for `pods`. */
  request: number;
  eligibility: Eligibility<NodeCapacity>;
  /** Eligible nodes, most free first. */
  ranked: NodeCapacity[];
  /** Eligible nodes with room for the request: when there are any, something other than this resource blocks. */
  fitting: NodeCapacity[];
  /**
   * Excluded nodes that would have room: what the pod could use if it tolerated a taint, matched a selector or a node
   * were uncordoned. Never NotReady nodes, nor control-plane nodes: no workload should be told to tolerate those.
   */
  roomElsewhere: Array<Eligibility<NodeCapacity>['excluded'][number]>;
}

/** Eligibility and ranking for one placement and resource, shared by every pod that has the same placement. */
interface Ranked {
  eligibility: Eligibility<NodeCapacity>;
  ranked: NodeCapacity[];
}

/**
 * Judges pods against the same nodes for one resource. Pods of one workload share tolerations, selector and
 * affinity: their eligible nodes are worked out and sorted once (thousands of Pending pods against thousands of
 * nodes would otherwise redo it per pod).
 */
export function shortageJudge(
  nodes: readonly NodeCapacity[],
  resource: string,
): (pod: PodPlacement & { requests: Readonly<Record<string, number>> }) => Shortage {
  const byPlacement = new Map<string, Ranked>();
  const byRequest = new Map<string, Shortage>();
  return (pod) => {
    const key = JSON.stringify([pod.tolerations, pod.nodeSelector ?? null, pod.requiredNodeAffinity ?? null]);
    const request = resource === 'pods' ? 1 : (pod.requests[resource] ?? 0);
    const same = byRequest.get(`${request} ${key}`);
    if (same) return same;
    let known = byPlacement.get(key);
    if (!known) {
      const eligibility = eligibleNodes(pod, nodes);
      const ranked = [...eligibility.eligible].sort((a, b) => free(b, resource) - free(a, resource));
      byPlacement.set(key, (known = { eligibility, ranked }));
    }
    const { eligibility, ranked } = known;
    // Most free first: the nodes with room are the leading run.
    const room = ranked.findIndex((node) => free(node, resource) < request);
    const shortage: Shortage = {
      resource,
      request,
      eligibility,
      ranked,
      fitting: room === -1 ? ranked : ranked.slice(0, room),
      roomElsewhere: eligibility.excluded.filter(
        ({ node, exclusion }) =>
          node.ready &&
          !(exclusion.reason === 'taint' && CONTROL_PLANE_TAINTS.has(exclusion.taint.key)) &&
          free(node, resource) >= request,
      ),
    };
    byRequest.set(`${request} ${key}`, shortage);
    return shortage;
  };
}

/** One pod's shortage of `resource` (see {@link shortageJudge} to judge many). */
export function judgeShortage(
  pod: PodPlacement & { requests: Readonly<Record<string, number>> },
  resource: string,
  nodes: readonly NodeCapacity[],
): Shortage {
  return shortageJudge(nodes, resource)(pod);
}

/** The resource as a noun in a sentence: "CPU", "memory", "nvidia.com/gpu". */
export function resourceNoun(resource: string): string {
  return resource === 'cpu' ? 'CPU' : resource;
}

/**
 * The shortage in one line, counting only eligible nodes: "All 6 eligible nodes lack memory (largest free: 1.2Gi on
 * worker-4; shop/api requests 4Gi)", "The only eligible node lacks CPU (worker-1: 220m free; shop/reports requests
 * 1)", "No node is eligible for shop/api (all 8 excluded)". Meant for shortages with no fitting node.
 */
export function shortageTitle(shortage: Shortage, pod: string): string {
  const { resource, request, ranked, eligibility } = shortage;
  const best = ranked[0];
  if (!best) return `No node is eligible for ${pod} (all ${eligibility.excluded.length} excluded)`;
  if (resource === 'pods') {
    const pods = (node: NodeCapacity) => `${node.requested.pods ?? 0} of ${node.allocatable.pods ?? 0} pods`;
    return ranked.length === 1
      ? `The only eligible node is at its pod limit (${best.name}: ${pods(best)})`
      : `All ${ranked.length} eligible nodes are at their pod limit (max-pods)`;
  }
  const [room, asked] = formatQuantityPair(resource, free(best, resource), request);
  return ranked.length === 1
    ? `The only eligible node lacks ${resourceNoun(resource)} (${best.name}: ${room} free; ${pod} requests ${asked})`
    : `All ${ranked.length} eligible nodes lack ${resourceNoun(resource)} (largest free: ${room} on ${best.name}; ${pod} requests ${asked})`;
}
