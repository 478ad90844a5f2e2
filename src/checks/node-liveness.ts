import type { KubeReader } from '../ports/kube-reader.js';
import type { Lease, Node } from '../ports/kube-types.js';
import { formatDuration } from '../findings/format.js';
import type { CheckContext } from './check.js';

/**
 * kube-controller-manager's `--node-monitor-grace-period` default (s): a node whose kubelet has not renewed its
 * Lease for this long is marked NotReady (Unknown).
 */
export const DEFAULT_NODE_GRACE_SECONDS = 40;

/** The namespace the kubelets' heartbeat Leases live in, one per node, named after it. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const CONTROL_PLANE_ROLES = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

export function isControlPlaneNode(node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  return CONTROL_PLANE_ROLES.some((role) => role in labels);
}

/** When each node's Lease was last renewed (ms since epoch), by node name. */
export type NodeRenewals = ReadonlyMap<string, number>;

function renewedAt(lease: Lease): number | undefined {
  const time = Date.parse(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? '');
  return Number.isFinite(time) ? time : undefined;
}

/** Every Lease in kube-node-lease, page by page: name and renew time only, so 5,000 nodes cost a small map. */
export async function readNodeRenewals(kube: KubeReader): Promise<Map<string, number>> {
  const renewals = new Map<string, number>();
  for await (const lease of kube.leases({ namespace: NODE_LEASE_NAMESPACE })) {
    const at = renewedAt(lease);
    if (at !== undefined) renewals.set(lease.metadata.name, at);
  }
  return renewals;
}

/**
 * The node Leases, read once per run for every check that asks (node conditions, control-plane pods); `null` when
 * they cannot be read (RBAC, a cluster without them): node liveness then rests on the Ready condition alone.
 */
export function nodeRenewalsOnce(context: Pick<CheckContext, 'once'>): Promise<NodeRenewals | null> {
  return context.once('nodes:lease-renewals', (run) => readNodeRenewals(run.kube).catch(() => null));
}

/** What the node Leases say as a whole, at `now`. */
export interface LeaseOverview {
  /** Nodes with a Lease. */
  total: number;
  /** Of them, renewed longer ago than the grace period. */
  stale: number;
  /** How long ago the most recent renewal of any node was (ms). */
  newestAgeMs?: number;
  /**
   * Every node's Lease stopped being renewed (two or more nodes): the kubelets cannot write, which says something
   * about the API server or etcd, not about each node. A stale Lease then does not make its node NotReady here.
   */
  allStale: boolean;
}

export function overviewLeases(renewals: NodeRenewals | null, now: Date, graceMs: number): LeaseOverview {
  const ages = [...(renewals?.values() ?? [])].map((at) => now.getTime() - at);
  const stale = ages.filter((age) => age > graceMs).length;
  const newestAgeMs = ages.length > 0 ? Math.min(...ages) : undefined;
  return {
    total: ages.length,
    stale,
    ...(newestAgeMs === undefined ? {} : { newestAgeMs }),
    allStale: ages.length >= 2 && stale === ages.length,
  };
}

/** How the cluster sees a node now. */
export interface NodeLiveness {
  name: string;
  controlPlane: boolean;
  /** False when the Ready condition is not True, or the kubelet stopped renewing the node's Lease. */
  ready: boolean;
  /** Why it is not ready, in a phrase: the condition's reason and message, and the Lease's age when stale. */
  why?: string;
  /** The Ready condition's reason (`KubeletNotReady`, `NodeStatusUnknown`), for advice. */
  reason?: string;
  /** How long ago the node's Lease was renewed (ms), when it has one. */
  leaseAgeMs?: number;
  /** The Lease is older than the grace period (and not every node's is). */
  leaseStale: boolean;
}

/** How to judge a node: the clock, the grace period, and whether stale Leases speak for their nodes. */
export interface LivenessOptions {
  now: Date;
  /** `--node-monitor-grace-period` (ms). */
  graceMs: number;
  /** When every node's Lease is stale, staleness is the write path's problem and says nothing of each node. */
  allLeasesStale: boolean;
}

/**
 * A node's liveness as the node lifecycle controller would judge it: its Ready condition, and its kubelet's
 * heartbeat Lease against the grace period. The Lease comes first in time: the kubelet renews it every 10 s but
 * refreshes the condition only every 5 minutes when nothing changes, and a controller manager that is down or
 * cannot write never marks the node at all.
 */
export function judgeNodeLiveness(node: Node, renewedAtMs: number | undefined, options: LivenessOptions): NodeLiveness {
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready');
  const leaseAgeMs = renewedAtMs === undefined ? undefined : options.now.getTime() - renewedAtMs;
  const leaseStale = leaseAgeMs !== undefined && leaseAgeMs > options.graceMs && !options.allLeasesStale;
  const reasons: string[] = [];
  if (ready?.status !== 'True') {
    reasons.push(
      ready
        ? `${ready.reason ?? `Ready=${ready.status}`}${ready.message ? `: ${ready.message}` : ''}`
        : 'no Ready condition',
    );
  }
  if (leaseStale) {
    reasons.push(
      `its kubelet last renewed its Lease ${formatDuration(leaseAgeMs)} ago (grace ${formatDuration(options.graceMs)})`,
    );
  }
  return {
    name: node.metadata.name,
    controlPlane: isControlPlaneNode(node),
    ready: reasons.length === 0,
    ...(reasons.length > 0 ? { why: reasons.join('; ') } : {}),
    ...(ready?.reason ? { reason: ready.reason } : {}),
    ...(leaseAgeMs === undefined ? {} : { leaseAgeMs }),
    leaseStale,
  };
}

/** A node by name (`metadata.name` field selector), or undefined when it does not exist. */
async function readNode(kube: KubeReader, name: string): Promise<Node | undefined> {
  for await (const node of kube.nodes({ fieldSelector: `metadata.name=${name}` })) {
    if (node.metadata.name === name) return node;
  }
  return undefined;
}

/**
 * The liveness of a few named nodes (those a check's pods run on), judged against the whole cluster's node Leases.
 * A node that cannot be read is left out: its pods are judged by their own conditions.
 */
export async function readNodeLiveness(
  context: Pick<CheckContext, 'kube' | 'once' | 'now'>,
  names: Iterable<string>,
  graceMs: number,
): Promise<Map<string, NodeLiveness>> {
  const [renewals, nodes] = await Promise.all([
    nodeRenewalsOnce(context),
    Promise.all([...new Set(names)].map((name) => readNode(context.kube, name).catch(() => undefined))),
  ]);
  // Judged once the Leases arrived: a slow answer must not make a heartbeat look younger than it is.
  const now = context.now();
  const options = { now, graceMs, allLeasesStale: overviewLeases(renewals, now, graceMs).allStale };
  const liveness = new Map<string, NodeLiveness>();
  for (const node of nodes) {
    if (node) liveness.set(node.metadata.name, judgeNodeLiveness(node, renewals?.get(node.metadata.name), options));
  }
  return liveness;
}
