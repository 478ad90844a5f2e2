import { fraction, nameChars, orderedNameChars } from './seeded-hash.js';
import { ceil, floor, max, min } from './intrinsics.js';

/** The resolved size of a generated large cluster. */
export interface ScaleSize {
  /** All nodes, the 3 control-plane nodes included. */
  nodes: number;
  /** All pods, the kube-system pods included. */
  pods: number;
  /** Pending pods among them. */
  pending: number;
  /** Namespaces the workload pods spread over. */
  namespaces: number;
  seed: number;
}

/** Worker pools: general (where workloads run), infra (tainted, kept empty), cordoned (spec.unschedulable). */
export type WorkerPool = 'general' | 'infra' | 'cordoned';

export const CONTROL_PLANE_NODES = 3;
/** Static pods on each control-plane node, plus two CoreDNS replicas. */
export const SYSTEM_PODS = CONTROL_PLANE_NODES * 4 + 2;
/** Replicas per Deployment. */
export const REPLICAS = 20;
/** Zones of the general and cordoned workers; the infra pool has a zone of its own. */
export const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] as const;
export const INFRA_ZONE = 'eu-west-1d';
/** Allocatable of a worker (m6i.xlarge), in millicores and MiB. */
export const NODE_CPU_M = 3920;
export const NODE_MEMORY_MI = 15460;
export const NODE_PODS = 110;
/** What the running pods of the fullest node request together, at most: leaves room for small pods only. */
const FILLED_CPU_M = 2900;
const FILLED_MEMORY_MI = 10240;

/** The width that keeps `count` numbers, zero-padded, in numeric order as text. */
function width(count: number, minimum: number): number {
  return max(minimum, `${max(0, count - 1)}`.length);
}

/**
 * Where everything of a generated cluster is, by position, with no object held: which workers are in which pool,
 * which pods are Pending or recent, where each running pod runs, and the names (in key order) of each. Positions of
 * workload pods (`j`) count from the first pod after the kube-system ones.
 */
export class ScaleLayout {
  readonly workers: number;
  readonly workerWidth: number;
  /** Worker positions of the general pool, in order. */
  readonly general: Int32Array;
  /** A worker's rank in the general pool, or -1. */
  readonly generalRank: Int32Array;
  readonly infraWorkers: number;
  readonly cordonedWorkers: number;
  readonly workloadPods: number;
  readonly namespaceCount: number;
  /** Workload pods per namespace (the last may have fewer): whole Deployments, so none straddles two. */
  readonly namespaceBlock: number;
  readonly namespaceWidth: number;
  readonly deploymentWidth: number;
  /** Deployments with all their replicas (the last one may be short). */
  readonly fullDeployments: number;
  /** Every `recentStride`-th workload pod was created within the hour, and has its events. */
  readonly recentStride = 50;
  readonly recentPods: number;
  /** Running pods on the fullest and the emptiest general node. */
  readonly maxPodsPerNode: number;
  readonly minPodsPerNode: number;
  /** What each running workload pod requests: the fullest node is filled to 2900m and 10 GiB. */
  readonly podCpuM: number;
  readonly podMemoryMi: number;

  constructor(readonly size: ScaleSize) {
    this.workers = size.nodes - CONTROL_PLANE_NODES;
    this.workerWidth = width(this.workers, 4);
    this.generalRank = new Int32Array(this.workers).fill(-1);
    const general: number[] = [];
    let infra = 0;
    let cordoned = 0;
    for (let worker = 0; worker < this.workers; worker++) {
      const pool = this.pool(worker);
      if (pool === 'general') {
        this.generalRank[worker] = general.length;
        general.push(worker);
      } else if (pool === 'infra') infra++;
      else cordoned++;
    }
    this.general = Int32Array.from(general);
    this.infraWorkers = infra;
    this.cordonedWorkers = cordoned;

    this.workloadPods = size.pods - SYSTEM_PODS;
    const perNamespace = ceil(this.workloadPods / min(size.namespaces, this.workloadPods));
    this.namespaceBlock = ceil(perNamespace / REPLICAS) * REPLICAS;
    this.namespaceCount = ceil(this.workloadPods / this.namespaceBlock);
    this.namespaceWidth = width(this.namespaceCount, 3);
    this.deploymentWidth = width(this.namespaceBlock / REPLICAS, 3);
    this.fullDeployments = floor(this.workloadPods / REPLICAS);
    this.recentPods = ceil(this.workloadPods / this.recentStride);

    // Count the running pods per general node once (a few thousand integers), for requests that fit the fullest.
    const perNode = new Int32Array(this.general.length);
    for (let j = 0; j < this.workloadPods; j++) {
      const rank = this.rankOfRunning(j);
      if (!this.isPending(j)) perNode[rank] = (perNode[rank] ?? 0) + 1;
    }
    this.maxPodsPerNode = perNode.reduce((most, count) => max(most, count), 0);
    this.minPodsPerNode = perNode.reduce((least, count) => min(least, count), Number.MAX_SAFE_INTEGER);
    this.podCpuM = floor(FILLED_CPU_M / max(1, this.maxPodsPerNode));
    this.podMemoryMi = floor(FILLED_MEMORY_MI / max(1, this.maxPodsPerNode));
  }

  /** One worker in 100 is reserved for infrastructure (tainted), one in 500 cordoned. */
  pool(worker: number): WorkerPool {
    if (worker % 500 === 499) return 'cordoned';
    if (worker % 100 === 42) return 'infra';
    return 'general';
  }

  workerName(worker: number): string {
    return `worker-${`${worker}`.padStart(this.workerWidth, '0')}`;
  }

  /** The worker a name stands for, or -1. */
  workerIndex(name: string): number {
    const match = /^worker-(\d+)$/.exec(name);
    if (!match || match[1]?.length !== this.workerWidth) return -1;
    const worker = Number(match[1]);
    return worker < this.workers ? worker : -1;
  }

  zone(worker: number): string {
    return this.pool(worker) === 'infra' ? INFRA_ZONE : (ZONES[worker % ZONES.length] ?? ZONES[0]);
  }

  namespaceName(t: number): string {
    return `team-${`${t}`.padStart(this.namespaceWidth, '0')}`;
  }

  /** A workload pod's namespace, Deployment (in its namespace) and replica. */
  place(j: number): { t: number; d: number; r: number } {
    const t = floor(j / this.namespaceBlock);
    const offset = j - t * this.namespaceBlock;
    return { t, d: floor(offset / REPLICAS), r: offset % REPLICAS };
  }

  appName(d: number): string {
    return `app-${`${d}`.padStart(this.deploymentWidth, '0')}`;
  }

  /**
   * The pod-template-hashes of a Deployment's two ReplicaSets, the earlier in byte order first: the current one,
   * and the one a stuck rollout created (its only pod, the last replica's slot, is Pending).
   */
  templateHashes(t: number, d: number): [string, string] {
    const a = nameChars(10, this.size.seed, 1, t, d, 0);
    const b = nameChars(10, this.size.seed, 1, t, d, 1);
    return a < b ? [a, b] : [b, a];
  }

  /** The ReplicaSet hash of a workload pod. */
  templateHash(j: number): string {
    const { t, d } = this.place(j);
    return this.templateHashes(t, d)[this.isPending(j) ? 1 : 0];
  }

  /** `app-017-5d8f7c6b9d-x2k9q`: random-looking, yet in replica order, so names sort as positions do. */
  podName(j: number): string {
    const { t, d, r } = this.place(j);
    const span = 27 ** 5 / REPLICAS;
    const suffix = orderedNameChars(floor((r + 0.05 + 0.9 * fraction(this.size.seed, 2, t, d, r)) * span), 5);
    return `${this.appName(d)}-${this.templateHash(j)}-${suffix}`;
  }

  podKey(j: number): string {
    return `${this.namespaceName(this.place(j).t)}/${this.podName(j)}`;
  }

  /**
   * The global Deployment whose rollout is stuck, k-th of `pending`: spread evenly over the full Deployments. Its
   * surge pod, in the last replica's slot, is the k-th Pending pod.
   */
  private stuckDeployment(k: number): number {
    return floor(((k + 1) * this.fullDeployments) / this.size.pending) - 1;
  }

  /** The workload position of the k-th Pending pod. */
  pendingPosition(k: number): number {
    return this.stuckDeployment(k) * REPLICAS + REPLICAS - 1;
  }

  /** Which Pending pod a position holds (0-based), or -1. */
  pendingRank(j: number): number {
    if (this.size.pending === 0 || j % REPLICAS !== REPLICAS - 1) return -1;
    const deployment = floor(j / REPLICAS);
    if (deployment >= this.fullDeployments) return -1;
    const k = ceil(((deployment + 1) * this.size.pending) / this.fullDeployments) - 1;
    return k >= 0 && k < this.size.pending && this.stuckDeployment(k) === deployment ? k : -1;
  }

  isPending(j: number): boolean {
    return this.pendingRank(j) >= 0;
  }

  /** Recent pods sit at multiples of 50: never a last replica's slot, so never Pending. */
  isRecent(j: number): boolean {
    return j % this.recentStride === 0;
  }

  recentPosition(m: number): number {
    return m * this.recentStride;
  }

  /** The general node rank a running pod runs on: workloads go round the general pool in position order. */
  rankOfRunning(j: number): number {
    return j % this.general.length;
  }

  /** The worker a running pod runs on. */
  nodeOfRunning(j: number): number {
    return this.general[this.rankOfRunning(j)] ?? 0;
  }

  /** Its place among the pods of its node, for a pod IP. */
  slotOnNode(j: number): number {
    return floor(j / this.general.length);
  }
}
