/**
 * The reasons kube-scheduler gives for not placing a pod, from every era of its wording: the predicate names of
 * ≤ 1.10 (`MatchNodeSelector`), the predicate descriptions of 1.9–1.17 (`node(s) didn't match node selector`) and
 * the framework plugin messages since (`node(s) didn't match Pod's node affinity/selector`, `node(s) had untolerated
 * taint {k: v}`, …). One reason text in, one category out; the parser splits the message into reason texts.
 */

/** Every category a scheduling reason can fall into, `other` last. */
export const SCHEDULING_CATEGORIES = [
  'insufficient-cpu',
  'insufficient-memory',
  'insufficient-pods',
  'insufficient-ephemeral-storage',
  'insufficient-extended-resource',
  'untolerated-taint',
  'node-affinity-mismatch',
  'unschedulable-node',
  'volume-node-affinity-conflict',
  'unbound-pvc',
  'pod-affinity',
  'pod-anti-affinity',
  'topology-spread',
  'host-port-conflict',
  'no-nodes',
  'scheduling-gated',
  'other',
] as const;

export type SchedulingCategory = (typeof SCHEDULING_CATEGORIES)[number];

/** A taint named in a reason, e.g. `{node-role.kubernetes.io/control-plane: }` → key only. */
export interface NamedTaint {
  key: string;
  /** Absent when the taint has no value. */
  value?: string;
}

/** What one reason text says. */
export interface ReasonClassification {
  category: SchedulingCategory;
  /** The resource of an `Insufficient <resource>` reason: `cpu`, `memory`, `pods`, `nvidia.com/gpu`, … */
  resource?: string;
  /** The taint the reason names, when it names one (1.18+ wording). */
  taint?: NamedTaint;
  /**
   * True for the ≤ 1.21 catch-all `node(s) didn't match pod affinity/anti-affinity` (and the `MatchInterPodAffinity`
   * predicate), which says inter-pod affinity failed without saying which way. It was printed beside the specific
   * reason for the same nodes: the parser drops it when the specific reason is there, so nodes are not counted twice.
   */
  interPodAffinityUnspecified?: boolean;
}

/**
 * Predicate names (≤ 1.10 messages, `… (3)` or `3 MatchNodeSelector`) and plugin names (`node(s) didn't satisfy
 * plugin(s) [NodeAffinity]`, 1.27+). Names not listed here (NodeUnderMemoryPressure, CheckNodeCondition,
 * NoDiskConflict, MaxEBSVolumeCount, CheckServiceAffinity, …) are `other`.
 */
const NAMED: Record<string, SchedulingCategory> = {
  MatchNodeSelector: 'node-affinity-mismatch',
  HostName: 'node-affinity-mismatch',
  NodeAffinity: 'node-affinity-mismatch',
  NodeName: 'node-affinity-mismatch',
  CheckNodeLabelPresence: 'node-affinity-mismatch',
  NodeLabel: 'node-affinity-mismatch',
  PodToleratesNodeTaints: 'untolerated-taint',
  TaintToleration: 'untolerated-taint',
  CheckNodeUnschedulable: 'unschedulable-node',
  NodeUnschedulable: 'unschedulable-node',
  PodFitsHostPorts: 'host-port-conflict',
  PodFitsPorts: 'host-port-conflict',
  NodePorts: 'host-port-conflict',
  MatchInterPodAffinity: 'pod-affinity',
  InterPodAffinity: 'pod-affinity',
  PodAffinityRulesNotMatch: 'pod-affinity',
  PodAntiAffinityRulesNotMatch: 'pod-anti-affinity',
  ExistingPodsAntiAffinityRulesNotMatch: 'pod-anti-affinity',
  NoVolumeZoneConflict: 'volume-node-affinity-conflict',
  NoVolumeNodeConflict: 'volume-node-affinity-conflict',
  VolumeNodeAffinityConflict: 'volume-node-affinity-conflict',
  VolumeZone: 'volume-node-affinity-conflict',
  CheckVolumeBinding: 'unbound-pvc',
  VolumeBindingNoMatch: 'unbound-pvc',
  VolumeBinding: 'unbound-pvc',
  EvenPodsSpreadNotMatch: 'topology-spread',
  EvenPodsSpread: 'topology-spread',
  PodTopologySpread: 'topology-spread',
  PodExceedsFreeCPU: 'insufficient-cpu',
  InsufficientFreeCPU: 'insufficient-cpu',
  PodExceedsFreeMemory: 'insufficient-memory',
  InsufficientFreeMemory: 'insufficient-memory',
  PodExceedsMaxPodNumber: 'insufficient-pods',
  SchedulingGates: 'scheduling-gated',
};

/** Predicate names that report inter-pod affinity without saying affinity or anti-affinity. */
const UNSPECIFIED_INTER_POD = new Set(['MatchInterPodAffinity', 'InterPodAffinity']);

/** Ordered: the first rule whose pattern is found in the reason text wins, so specific wording comes first. */
const RULES: ReadonlyArray<{ pattern: RegExp; category: SchedulingCategory; unspecified?: true }> = [
  { pattern: /no nodes available to schedule pods/i, category: 'no-nodes' },
  { pattern: /scheduling gate|SchedulingGated/i, category: 'scheduling-gated' },
  // A cordoned node carries this taint; some versions report the taint instead of `were unschedulable`.
  { pattern: /taint \{node\.kubernetes\.io\/unschedulable\b/i, category: 'unschedulable-node' },
  { pattern: /untolerated taint|taints? .*didn't tolerate/i, category: 'untolerated-taint' },
  { pattern: /were unschedulable|node\(s\) (?:is|was) unschedulable/i, category: 'unschedulable-node' },
  {
    pattern:
      /volume node affinity conflict|PersistentVolume's node affinity|available volume zone|volume zone conflict/i,
    category: 'volume-node-affinity-conflict',
  },
  {
    pattern:
      /persistent volumes to bind|unbound (?:immediate )?PersistentVolumeClaims?|PersistentVolumeClaim is not bound|persistentvolumeclaim "[^"]*" (?:not found|is being deleted|bound to non-existent)|pvc\(s\) bound to non-existent|enough free storage|create the persistentvolumeclaim|error getting PVC|could not find v1\.PersistentVolumeClaim/i,
    category: 'unbound-pvc',
  },
  { pattern: /too many pods/i, category: 'insufficient-pods' },
  { pattern: /free ports/i, category: 'host-port-conflict' },
  { pattern: /pod affinity\/anti-affinity/i, category: 'pod-affinity', unspecified: true },
  { pattern: /anti-affinity rules/i, category: 'pod-anti-affinity' },
  { pattern: /pod affinity rules/i, category: 'pod-affinity' },
  { pattern: /topology spread/i, category: 'topology-spread' },
  {
    pattern:
      /node affinity|node selector|requested hostname|requested node name|requested labels|pod affinity terms conflict/i,
    category: 'node-affinity-mismatch',
  },
];

const TAINT = /\{([^{}:]+):\s*([^{}]*)\}/;
const INSUFFICIENT = /^insufficient\s+(\S+)/i;
/** The pre-1.7 wording of an insufficient resource, e.g. `Node didn't have enough resource: cpu, requested: …`. */
const NOT_ENOUGH = /enough resource: ([\w./-]+)/i;
const PLUGINS = /didn't satisfy plugins?(?:\(s\))? \[?([\w\s]+?)\]?(?: simultaneously)?$/i;
/** A predicate or plugin name inside a longer text, e.g. `Predicate PodFitsHostPorts failed`. */
const NAMED_IN_TEXT = new RegExp(`\\b(${Object.keys(NAMED).join('|')})\\b`);

/** The category of an `Insufficient <resource>` reason. */
export function categoryOfResource(resource: string): SchedulingCategory {
  switch (resource.toLowerCase()) {
    case 'cpu':
      return 'insufficient-cpu';
    case 'memory':
      return 'insufficient-memory';
    case 'pods':
      return 'insufficient-pods';
    case 'ephemeral-storage':
      return 'insufficient-ephemeral-storage';
    default:
      return 'insufficient-extended-resource';
  }
}

/**
 * Classifies one reason text as kube-scheduler prints it, without its node count: `Insufficient cpu`,
 * `node(s) had untolerated taint {gpu: }`, `MatchNodeSelector`, `pod has unbound immediate PersistentVolumeClaims`.
 * Unknown wording is `other`; nothing throws.
 */
export function classifySchedulingReason(text: string): ReasonClassification {
  const reason = text.trim();
  const named = NAMED[reason];
  if (named) {
    return UNSPECIFIED_INTER_POD.has(reason)
      ? { category: named, interPodAffinityUnspecified: true }
      : { category: named };
  }
  const insufficient = INSUFFICIENT.exec(reason) ?? NOT_ENOUGH.exec(reason);
  if (insufficient?.[1]) {
    const resource = insufficient[1].replace(/[.,]+$/, '');
    return { category: categoryOfResource(resource), resource };
  }
  // 1.27+: nodes a PreFilter plugin ruled out, e.g. DaemonSet pods pinned to one node by NodeAffinity.
  const plugins = PLUGINS.exec(reason);
  if (plugins?.[1]) {
    for (const plugin of plugins[1].split(/\s+/)) {
      const category = NAMED[plugin];
      if (category) return { category };
    }
    return { category: 'other' };
  }
  for (const rule of RULES) {
    if (!rule.pattern.test(reason)) continue;
    const classification: ReasonClassification = { category: rule.category };
    if (rule.category === 'insufficient-pods') classification.resource = 'pods';
    if (rule.unspecified) classification.interPodAffinityUnspecified = true;
    const taint =
      rule.category === 'untolerated-taint' || rule.category === 'unschedulable-node' ? TAINT.exec(reason) : null;
    if (taint?.[1]) {
      const value = taint[2]?.trim();
      classification.taint = value ? { key: taint[1].trim(), value } : { key: taint[1].trim() };
    }
    return classification;
  }
  const name = NAMED_IN_TEXT.exec(reason)?.[1];
  return name ? classifySchedulingReason(name) : { category: 'other' };
}

/** A category in words, for findings: what the scheduler found and what to do about it. */
export interface CategoryDescription {
  /** What the scheduler found, in one short sentence. */
  summary: string;
  /** What to do about it. */
  action: string;
}

const DESCRIPTIONS: Record<SchedulingCategory, CategoryDescription> = {
  'insufficient-cpu': {
    summary: 'requests, not usage, decide placement: the pods ask for more CPU than those nodes have left unrequested',
    action: 'lower the CPU requests, add nodes or enable the cluster autoscaler',
  },
  'insufficient-memory': {
    summary:
      'requests, not usage, decide placement: the pods ask for more memory than those nodes have left unrequested',
    action: 'lower the memory requests, add nodes or enable the cluster autoscaler',
  },
  'insufficient-pods': {
    summary:
      'the kubelet caps the pods per node (max-pods: 110 by default, often fewer where the CNI has few IPs per node)',
    action: "add nodes, or raise the kubelet max-pods within the CNI's IP capacity per node",
  },
  'insufficient-ephemeral-storage': {
    summary:
      'requests, not usage, decide placement: the pods ask for more ephemeral-storage than those nodes have left unrequested',
    action: 'lower the ephemeral-storage requests, free node disk or add nodes with bigger disks',
  },
  'insufficient-extended-resource': {
    summary:
      'the device plugin advertises too little of it on those nodes (or none), or all of it is already requested',
    action: 'check the device plugin runs and advertises the resource, or add nodes that have it',
  },
  'untolerated-taint': {
    summary: 'a NoSchedule or NoExecute taint keeps off every pod that does not tolerate it',
    action: 'add a toleration, or remove the taint; not-ready/unreachable taints mean the node itself is unhealthy',
  },
  'node-affinity-mismatch': {
    summary: 'the pods require node labels (nodeSelector or required node affinity) that those nodes lack',
    action: "fix the pod's nodeSelector/affinity or label nodes to match",
  },
  'unschedulable-node': {
    summary: 'a cordoned node (spec.unschedulable) takes no new pods until it is uncordoned',
    action: 'uncordon the nodes once maintenance is done, or add capacity elsewhere',
  },
  'volume-node-affinity-conflict': {
    summary: "the pod's PersistentVolume can only be used on nodes that cannot take the pod (often another zone)",
    action: "run nodes in the volume's zone, or use a StorageClass with volumeBindingMode: WaitForFirstConsumer",
  },
  'unbound-pvc': {
    summary: "the pod's PersistentVolumeClaim is missing or not bound to a volume",
    action: 'check the PVC exists and its StorageClass provisioner works, or create a matching PersistentVolume',
  },
  'pod-affinity': {
    summary: 'the pods must run beside pods (by label, within a topology domain) that those nodes do not have',
    action: 'check the pods it must run beside exist and are scheduled, or relax the affinity',
  },
  'pod-anti-affinity': {
    summary: "the pod's own anti-affinity, or that of pods already running there, keeps it off",
    action: 'add nodes (or zones), lower the replica count, or make the anti-affinity preferred',
  },
  'topology-spread': {
    summary:
      'placing the pod there would break a topology spread constraint (maxSkew), or the node lacks the topologyKey label',
    action: 'label nodes with the topologyKey, add capacity in the short domain, or relax maxSkew/whenUnsatisfiable',
  },
  'host-port-conflict': {
    summary: 'only one pod per node can bind a given hostPort and protocol',
    action: 'drop the hostPort, free it, or add nodes; at most one such pod runs per node',
  },
  'no-nodes': {
    summary: 'the scheduler sees no nodes at all',
    action: 'check the nodes registered and are Ready, and the scheduler can list them',
  },
  'scheduling-gated': {
    summary: 'the pod is held by scheduling gates and is not being scheduled yet',
    action: 'find the controller that owns the gate (e.g. Kueue) and why it has not removed it',
  },
  other: {
    summary: 'the scheduler gave a reason outside the known categories',
    action: 'read the message as printed; check the scheduler logs and any scheduler extenders or plugins',
  },
};

/** A category in words: a short summary of what the scheduler found and what to do about it. */
export function describeCategory(category: SchedulingCategory): CategoryDescription {
  return DESCRIPTIONS[category];
}
