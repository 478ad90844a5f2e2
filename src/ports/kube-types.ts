/**
 * The parts of Kubernetes objects that Quorum reads. Structural subsets of the real API shapes, so that the
 * checks never depend on the SDK's classes; the adapter validates lists against these at the edge.
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
}

export interface Node {
  metadata: ObjectMeta;
  spec?: { unschedulable?: boolean; taints?: Taint[]; podCIDR?: string };
  status?: {
    conditions?: NodeCondition[];
    allocatable?: Record<string, string>;
    capacity?: Record<string, string>;
    nodeInfo?: { kubeletVersion?: string };
  };
}

export interface ContainerState {
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
  terminated?: {
    exitCode?: number;
    reason?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
  };
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

/** One rule of a node selector term: `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`. */
export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** Its requirements all hold (AND); a term with none matches no node. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  /** Only `metadata.name` is supported by Kubernetes. */
  matchFields?: NodeSelectorRequirement[];
}

/** The part of a pod's affinity that rules nodes out; preferences and inter-pod affinity are not read. */
export interface Affinity {
  nodeAffinity?: {
    /** Any one term matching admits the node (OR). */
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
  };
}

export interface Container {
  name: string;
  /** `Always` on an init container makes it a sidecar (1.29+): it keeps running beside the app containers. */
  restartPolicy?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  ports?: Array<{ containerPort: number; hostPort?: number; protocol?: string }>;
}

export interface Pod {
  metadata: ObjectMeta;
  spec?: {
    nodeName?: string;
    schedulerName?: string;
    priorityClassName?: string;
    nodeSelector?: Record<string, string>;
    affinity?: Affinity;
    tolerations?: Toleration[];
    containers?: Container[];
    initContainers?: Container[];
    schedulingGates?: Array<{ name: string }>;
    /** RuntimeClass overhead (e.g. Kata), counted by the scheduler on top of the containers. */
    overhead?: Record<string, string>;
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: PodCondition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    startTime?: string;
    /** The node's address (a static pod's own, as it uses the host network). */
    hostIP?: string;
  };
}

/** An object as a metadata-only list (`PartialObjectMetadataList`) serves it: its metadata and nothing else. */
export interface ObjectMetadata {
  metadata: ObjectMeta;
}

/** A container as its requests need it; `null` where the API server may write it for absent. */
export interface ContainerFootprint {
  restartPolicy?: string | null;
  resources?: { requests?: Record<string, string> | null } | null;
}

/**
 * What a pod takes from its node: the node it is bound to and what it requests (containers, init containers and
 * sidecars, RuntimeClass overhead). A structural subset of {@link Pod}, so a `Pod` is a `PodFootprint` too; the lean
 * list keeps Go's `null` rather than pay for turning each into `undefined`.
 */
export interface PodFootprint {
  metadata: { name: string; namespace?: string | null };
  spec?: {
    nodeName?: string | null;
    containers?: ContainerFootprint[] | null;
    initContainers?: ContainerFootprint[] | null;
    overhead?: Record<string, string> | null;
  } | null;
}

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  fieldPath?: string;
}

/** core/v1 Event. Scheduler events may carry only `eventTime` / `series.lastObservedTime` (REFERENCE.md). */
export interface Event {
  metadata: ObjectMeta;
  involvedObject: ObjectReference;
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string } | null;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
}

export interface Lease {
  metadata: ObjectMeta;
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface Namespace {
  metadata: ObjectMeta;
  status?: { phase?: string };
}

/**
 * What metrics-server reports for a node (`metrics.k8s.io/v1beta1` NodeMetrics): the machine's usage over `window`,
 * CPU and memory (working set) as quantities (`167379835n`, `1654212Ki`).
 */
export interface NodeMetrics {
  metadata: ObjectMeta;
  /** When the kubelet sampled it. */
  timestamp?: string;
  /** The span the figures cover, a Go duration (`15.012s`). */
  window?: string;
  usage: Record<string, string>;
}

/** What metrics-server reports for a pod: each running container's usage. */
export interface PodMetrics {
  metadata: ObjectMeta;
  timestamp?: string;
  window?: string;
  containers: Array<{ name: string; usage: Record<string, string> }>;
}

/** The newest time an event was observed, reading all three places clients put it. */
export function eventLastSeen(event: Event): string | undefined {
  const candidates = [event.series?.lastObservedTime, event.lastTimestamp, event.eventTime, event.firstTimestamp];
  let newest: string | undefined;
  for (const candidate of candidates) {
    if (candidate && (!newest || Date.parse(candidate) > Date.parse(newest))) newest = candidate;
  }
  return newest ?? event.metadata.creationTimestamp;
}
