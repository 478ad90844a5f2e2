import { z } from 'zod';

/**
 * The control plane's dependency order, cause first: etcd → kube-apiserver → the leader-elected controllers and
 * the scheduler → nodes → workloads. A finding about an earlier layer can explain one about a later layer, never the
 * other way round. `client` is an identity that talks to the control plane (a kubeconfig's or etcd's client
 * certificate, the clients the API server authenticates by certificate): outside the order. `quorum` is Quorum
 * itself (a check that could not run): never a cause of anything.
 */
export const COMPONENTS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'cloud-controller-manager',
  'node',
  'workload',
  'client',
  'quorum',
] as const;
export const ComponentSchema = z.enum(COMPONENTS);
export type Component = z.infer<typeof ComponentSchema>;

/** The component a name (a static pod's `component` label, a lease name) stands for, when it is one. */
export function asComponent(name: string): Component | undefined {
  return (COMPONENTS as readonly string[]).includes(name) && name !== 'quorum' ? (name as Component) : undefined;
}

/** Position in the dependency order: lower is closer to the root. */
export function componentLayer(component: Component | undefined): number {
  switch (component) {
    case 'etcd':
      return 0;
    case 'kube-apiserver':
      return 1;
    case 'kube-controller-manager':
    case 'kube-scheduler':
    case 'cloud-controller-manager':
      return 2;
    case 'node':
      return 3;
    case 'workload':
      return 4;
    default:
      return 5;
  }
}

/**
 * What a finding says happened, in words the cause rules match on. A check emits the signals its evidence supports
 * and nothing else: the rules trust them.
 */
export const SIGNALS = [
  /** One etcd member does not answer while others do (its process, disk or network). */
  'etcd.member-down',
  /** Too few members answer for a quorum: the cluster cannot commit writes. */
  'etcd.no-quorum',
  /** The members answer but none is leader. */
  'etcd.no-leader',
  /** The NOSPACE alarm is raised: etcd refuses writes. */
  'etcd.nospace',
  /** A member's database reached (or nearly reached) the quota: what raises NOSPACE. */
  'etcd.quota-exceeded',
  /** The CORRUPT alarm is raised. */
  'etcd.corrupt',
  /**
   * One etcd member answers a local read much slower than the others (measured from the worker): its network path
   * or its node. The API servers that talk to it wait as long.
   */
  'etcd.member-slow',
  /** The API server did not answer at all. */
  'apiserver.unreachable',
  /** The API server's own requests to etcd are slow (`etcd_request_duration_seconds`): its storage, not its CPU. */
  'apiserver.etcd-slow',
  /** `/livez` or `/readyz` reports its etcd check failing. */
  'apiserver.etcd-check-failing',
  /** `/livez` or `/readyz` reports another check failing. */
  'apiserver.health-failing',
  /** Requests are slow or shed (latency over the SLO, APF rejections, in-flight at the limit). */
  'apiserver.slow',
  /** A control-plane container keeps restarting (recently). */
  'component.crashlooping',
  /** A control-plane container was killed for exceeding its memory limit (recently). */
  'component.oom-killed',
  /** A control-plane container uses nearly all of its memory limit (metrics-server's figures): OOM kill risk. */
  'component.memory-near-limit',
  /** A control-plane pod is not ready. */
  'component.not-ready',
  /** A leader lease (scheduler, controller manager) is no longer renewed: no active leader. */
  'lease.stale',
  /** A leader lease changed hands recently: the previous leader lost it (a restart, or renewals that failed). */
  'lease.leader-changed',
  /** A node uses nearly all of its allocatable CPU or memory (metrics-server's figures): what runs on it starves. */
  'node.saturated',
  /** Node leases in kube-node-lease stopped being renewed: the kubelets cannot write. */
  'node-leases.stale',
  /** A node is NotReady: its Ready condition is not True, or its kubelet stopped renewing its node Lease. */
  'node.not-ready',
  /** A component's log shows the API server refusing it by RBAC (`… is forbidden: User "…" cannot …`), still now. */
  'logs.rbac-forbidden',
  /** A component's log shows TLS failing on an expired (or not yet valid) certificate, still now. */
  'logs.certificate-expired',
  /** A component's log shows it cannot reach the API server (refused, timed out), still now. */
  'logs.apiserver-unreachable',
  /** kube-apiserver's log shows it cannot reach etcd (refused, timed out), still now. */
  'logs.etcd-unreachable',
  /** A component's log shows it lost its leader lease (`leaderelection lost`) within the lookback. */
  'logs.leader-election-lost',
  /** Pods wait for a scheduler that did not try them. */
  'pods.unattempted',
  /** Pods are Pending. */
  'pods.pending',
  /** A certificate has expired or is not yet valid: every peer that verifies it refuses the connection. */
  'certificate.expired',
  /** A certificate expires within the warning threshold (30 days unless the playbook says otherwise). */
  'certificate.expiring',
] as const;
export const SignalSchema = z.enum(SIGNALS);
export type Signal = z.infer<typeof SignalSchema>;

/** What a finding is about, for the cause rules and for grouping. */
export const AboutSchema = z.object({
  component: ComponentSchema,
  /** Which one: an etcd member's name, a node's name, a pod's name. */
  instance: z.string().optional(),
  /** The node it runs on, when that matters (a control-plane pod). */
  node: z.string().optional(),
});
export type About = z.infer<typeof AboutSchema>;

/** Why a finding is a symptom: which other finding explains it, by which rule, in words. */
export const ExplanationSchema = z.object({
  /** The explaining finding's `id` in the same report. */
  id: z.string(),
  /** The rule of the cause table that matched. */
  rule: z.string(),
  /** "because etcd member master-2 is down". */
  because: z.string(),
});
export type Explanation = z.infer<typeof ExplanationSchema>;
