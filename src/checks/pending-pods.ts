import type { KubeReader } from '../ports/kube-reader.js';
import { formatDuration } from '../findings/format.js';
import { eventLastSeen, type NodeSelectorTerm, type Pod, type Toleration } from '../ports/kube-types.js';
import {
  parseSchedulingCondition,
  parseSchedulingMessage,
  type ParsedSchedulingMessage,
} from './failed-scheduling-parser.js';
import { podRequests } from './quantity.js';

/** What the scheduler checks need of one Pending pod; small, so thousands fit. */
export interface PendingPod {
  namespace: string;
  name: string;
  uid?: string;
  schedulerName: string;
  createdAt?: string;
  requests: Record<string, number>;
  tolerations: Toleration[];
  /** Labels a node must carry (spec.nodeSelector); absent when the pod sets none. */
  nodeSelector?: Record<string, string>;
  /** Required node affinity's terms, one of which a node must match; absent when the pod sets none. */
  requiredNodeAffinity?: NodeSelectorTerm[];
  gated: boolean;
  /** Where the reason came from: the newest FailedScheduling event, the PodScheduled condition, or nowhere. */
  source: 'event' | 'condition' | 'none';
  message?: string;
  lastSeen?: string;
  parsed?: ParsedSchedulingMessage;
}

const DEFAULT_SCHEDULER = 'default-scheduler';

function toPending(pod: Pod): PendingPod {
  const spec = pod.spec ?? {};
  const scheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
  const gated = (spec.schedulingGates?.length ?? 0) > 0 || scheduled?.reason === 'SchedulingGated';
  const pending: PendingPod = {
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
    schedulerName: spec.schedulerName ?? DEFAULT_SCHEDULER,
    requests: podRequests(spec),
    tolerations: spec.tolerations ?? [],
    gated,
    source: 'none',
  };
  if (spec.nodeSelector && Object.keys(spec.nodeSelector).length > 0) pending.nodeSelector = spec.nodeSelector;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) pending.requiredNodeAffinity = required.nodeSelectorTerms;
  if (pod.metadata.uid) pending.uid = pod.metadata.uid;
  if (pod.metadata.creationTimestamp) pending.createdAt = pod.metadata.creationTimestamp;
  if (scheduled?.status === 'False' && (gated || scheduled.message)) {
    pending.source = 'condition';
    pending.parsed = parseSchedulingCondition(gated ? 'SchedulingGated' : scheduled.reason, scheduled.message);
    if (scheduled.message) pending.message = scheduled.message;
    if (scheduled.lastTransitionTime) pending.lastSeen = scheduled.lastTransitionTime;
  }
  return pending;
}

/**
 * Pending pods that wait for a scheduler (not those already bound to a node and pulling images), each with the newest
 * FailedScheduling message from events, falling back to its PodScheduled condition. Both lists are read page by
 * page; memory grows with the number of Pending pods, not with the cluster.
 */
export async function collectPendingPods(kube: KubeReader, namespace?: string): Promise<PendingPod[]> {
  const scope = namespace ? { namespace } : {};
  const pods = new Map<string, PendingPod>();
  // From the watch cache (any version): a moment's staleness cannot change why pods wait, and the selectors keep
  // both lists small enough to come whole, as API servers send such lists.
  for await (const pod of kube.pods({ ...scope, fieldSelector: 'status.phase=Pending', resourceVersion: '0' })) {
    if (pod.spec?.nodeName) continue;
    const pending = toPending(pod);
    pods.set(`${pending.namespace}/${pending.name}`, pending);
  }
  if (pods.size === 0) return [];
  for await (const event of kube.events({ ...scope, fieldSelector: 'reason=FailedScheduling', resourceVersion: '0' })) {
    const object = event.involvedObject;
    if (object.kind && object.kind !== 'Pod') continue;
    const pod = pods.get(`${object.namespace ?? event.metadata.namespace ?? 'default'}/${object.name ?? ''}`);
    if (!pod || !event.message || pod.gated) continue;
    if (pod.uid && object.uid && pod.uid !== object.uid) continue;
    const seen = eventLastSeen(event);
    if (pod.source === 'event' && pod.lastSeen && seen && Date.parse(seen) <= Date.parse(pod.lastSeen)) continue;
    pod.source = 'event';
    pod.message = event.message;
    if (seen) pod.lastSeen = seen;
    pod.parsed = parseSchedulingMessage(event.message);
  }
  return [...pods.values()];
}

/** A Pending pod as findings' data carry it: `data.pods[] = { namespace, name, schedulerName, reasons }`. */
export function pendingPodData(pod: PendingPod) {
  return {
    namespace: pod.namespace,
    name: pod.name,
    schedulerName: pod.schedulerName,
    reasons: (pod.parsed?.reasons ?? []).map((reason) => ({
      category: reason.category,
      nodes: reason.nodes ?? null,
      message: reason.message,
    })),
  };
}

/** "pending 3m 20s" since the pod's creation, or "pending" when it has no creation time. */
export function pendingAge(pod: PendingPod, now: Date): string {
  return pod.createdAt ? `pending ${formatDuration(now.getTime() - Date.parse(pod.createdAt))}` : 'pending';
}
