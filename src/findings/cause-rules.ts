import type { Component, Signal } from './cause-vocabulary.js';
import type { Finding } from './finding.js';

/** What one side of a rule must show: any of these signals, on one of these components when given. */
export interface FindingMatch {
  signals: readonly Signal[];
  components?: readonly Component[];
}

/**
 * One way a problem explains another. Both sides name the evidence they need (signals, components); `relates` adds
 * what ties the two together when the signals alone do not (the same node).
 */
export interface CauseRule {
  id: string;
  cause: FindingMatch;
  symptom: FindingMatch;
  relates?: (cause: Finding, symptom: Finding) => boolean;
  /** The short reason shown under the symptom. */
  because: (cause: Finding) => string;
}

const ETCD_BROKEN: readonly Signal[] = [
  'etcd.member-down',
  'etcd.no-quorum',
  'etcd.no-leader',
  'etcd.nospace',
  'etcd.corrupt',
];
const WRITES_REFUSED: readonly Signal[] = ['etcd.nospace', 'etcd.no-quorum', 'etcd.no-leader'];

/** "etcd member master-2 is down", "etcd raised NOSPACE", …: the cause's own words for the because-line. */
function etcdTrouble(cause: Finding): string {
  const signals = new Set(cause.signals ?? []);
  const member = cause.about?.instance;
  if (signals.has('etcd.nospace')) return 'etcd raised the NOSPACE alarm and refuses writes';
  if (signals.has('etcd.no-quorum')) return 'etcd has lost quorum';
  if (signals.has('etcd.no-leader')) return 'etcd has no leader';
  if (signals.has('etcd.corrupt')) return 'etcd raised the CORRUPT alarm';
  return member ? `etcd member ${member} is down` : 'an etcd member is down';
}

/**
 * True when an etcd member and a node are the same machine: kubeadm names a stacked member after its node
 * (`--name=<node>`), k3s and RKE2 after the node with a suffix (`<node>-<hash>`).
 */
function memberOnNode(member: string | undefined, node: string | undefined): boolean {
  if (!member || !node) return false;
  return member === node || member.startsWith(`${node}-`);
}

const RESTARTING: readonly Signal[] = ['component.crashlooping', 'component.oom-killed'];
const isOomKilled = (finding: Finding): boolean => (finding.signals ?? []).includes('component.oom-killed');

function componentTrouble(cause: Finding): string {
  const who = cause.about?.instance ?? cause.about?.component ?? 'a control-plane component';
  const signals = new Set(cause.signals ?? []);
  if (signals.has('component.oom-killed')) return `${who} is being OOMKilled`;
  if (signals.has('component.crashlooping')) return `${who} keeps restarting`;
  if (signals.has('lease.stale')) return `${cause.about?.component ?? who} has no active leader`;
  return `${who} is not ready`;
}

/** "etcd-cp-1/etcd runs at 1.9Gi of its 2Gi memory limit": the usage finding's own figures. */
function nearLimit(cause: Finding): string {
  const data = cause.data ?? {};
  const who =
    typeof data.pod === 'string' && typeof data.container === 'string'
      ? `${data.pod}/${data.container}`
      : (cause.about?.instance ?? 'the container');
  const figures = cause.title.match(/ at (.+ limit) \(/)?.[1];
  return figures ? `${who} runs at ${figures.replace(/ of /, ' of its ')}` : `${who} runs near its memory limit`;
}

/** What a control-plane.logs finding says RBAC refuses: `data.forbidden[].resource`. */
function forbiddenResources(finding: Finding): string[] {
  const forbidden = finding.data?.forbidden;
  if (!Array.isArray(forbidden)) return [];
  return forbidden.flatMap((entry: unknown) =>
    entry !== null && typeof entry === 'object' && typeof (entry as { resource?: unknown }).resource === 'string'
      ? [(entry as { resource: string }).resource]
      : [],
  );
}

/** The components and pods whose logs a control-plane.logs finding quotes: `data.sources[]`. */
function logSources(finding: Finding): Array<{ component?: string; pod?: string }> {
  const sources = finding.data?.sources;
  return Array.isArray(sources) ? (sources as Array<{ component?: string; pod?: string }>) : [];
}

/** True when the symptom is about a component whose logs the cause quotes (and, for a pod, that very pod). */
function loggedBy(cause: Finding, symptom: Finding): boolean {
  const component = symptom.about?.component;
  const pod = symptom.check === 'control-plane.pods' ? symptom.about?.instance : undefined;
  return logSources(cause).some(
    (source) => source.component === component && (pod === undefined || source.pod === pod),
  );
}

/** "kube-scheduler is refused get leases by RBAC". */
function refused(cause: Finding, resources: readonly string[]): string {
  const shown = forbiddenResources(cause).filter((resource) => resources.includes(resource));
  return `${cause.about?.component ?? 'the component'} is refused ${[...new Set(shown)].join(' and ') || 'access'} by RBAC`;
}

const LEASE_LOCKS: readonly string[] = ['leases', 'endpoints', 'configmaps'];
/** What kube-scheduler cannot schedule without: its informers list and watch these. */
const SCHEDULING_INPUTS: readonly string[] = ['pods', 'nodes'];

/**
 * The cause table, in order of preference: when a symptom matches several rules, every matching cause is recorded
 * and the first (closest to the root) is the one it is shown under.
 */
export const CAUSE_RULES: readonly CauseRule[] = [
  {
    // A member whose serving certificate expired keeps running, but every client that verifies it (the API server,
    // etcdctl, Quorum) refuses the handshake: from outside it is down, and no restart of etcd will bring it back.
    id: 'expired-certificate-member-unreachable',
    cause: { signals: ['certificate.expired'], components: ['etcd'] },
    symptom: { signals: ['etcd.member-down'], components: ['etcd'] },
    relates: (cause, symptom) =>
      cause.about?.instance !== undefined && cause.about.instance === symptom.about?.instance,
    because: (cause) =>
      `because etcd member ${cause.about?.instance ?? ''} serves an expired certificate, which clients refuse`,
  },
  {
    // Every client verifies the API server's certificate, Quorum's reads included: once it has expired nothing gets
    // an answer, kubelets cannot renew their node Leases nor leaders theirs, whatever state the components are in.
    id: 'expired-apiserver-certificate-clients-refuse',
    cause: { signals: ['certificate.expired'], components: ['kube-apiserver'] },
    symptom: { signals: ['apiserver.unreachable', 'lease.stale', 'node-leases.stale', 'node.not-ready'] },
    because: () => "because the API server's certificate has expired, so its clients refuse to talk to it",
  },
  {
    // A container that sits at its memory limit now is the one the kernel kills when it crosses it: its OOM kills
    // and the restarts they cause are that limit, not a crash of the program.
    id: 'memory-near-limit-oom-kills',
    cause: { signals: ['component.memory-near-limit'] },
    symptom: { signals: ['component.oom-killed', 'component.crashlooping'] },
    relates: (cause, symptom) =>
      cause.about?.instance !== undefined && cause.about.instance === symptom.about?.instance,
    because: (cause) => `because ${nearLimit(cause)}, and crossing it gets it OOMKilled`,
  },
  {
    // The alarm is how etcd reports a member over its quota: the space finding says which and holds the plan.
    id: 'quota-exceeded-raises-nospace',
    cause: { signals: ['etcd.quota-exceeded'], components: ['etcd'] },
    symptom: { signals: ['etcd.nospace'], components: ['etcd'] },
    because: (cause) =>
      `because ${cause.about?.instance ? `etcd member ${cause.about.instance}` : 'an etcd member'} reached its space quota`,
  },
  {
    // kube-apiserver's etcd health check reads through its own etcd client: a member down or a cluster that
    // cannot serve makes it fail on the API servers that talk to that member.
    id: 'etcd-fails-apiserver-etcd-check',
    cause: { signals: ETCD_BROKEN, components: ['etcd'] },
    symptom: { signals: ['apiserver.etcd-check-failing'], components: ['kube-apiserver'] },
    because: (cause) => `because ${etcdTrouble(cause)}`,
  },
  {
    // With writes refused, nothing can renew a lease: leader elections and kubelets stop at the same moment.
    id: 'writes-refused-stale-leases',
    cause: { signals: WRITES_REFUSED, components: ['etcd'] },
    symptom: { signals: ['lease.stale', 'node-leases.stale'] },
    because: (cause) => `because ${etcdTrouble(cause)}, so leases cannot be renewed`,
  },
  {
    // The member and its static pod are one problem seen twice: the member finding says what it costs the cluster
    // (fault tolerance), the pod finding why it exits.
    id: 'etcd-member-down-its-pod',
    cause: { signals: ['etcd.member-down'], components: ['etcd'] },
    symptom: {
      signals: ['component.crashlooping', 'component.oom-killed', 'component.not-ready'],
      components: ['etcd'],
    },
    relates: (cause, symptom) => memberOnNode(cause.about?.instance, symptom.about?.node),
    because: (cause) => `because this is the pod of etcd member ${cause.about?.instance ?? ''}, which is down`,
  },
  {
    id: 'apiserver-down-stale-leases',
    cause: {
      signals: ['apiserver.unreachable', 'component.crashlooping', 'component.oom-killed'],
      components: ['kube-apiserver'],
    },
    symptom: { signals: ['lease.stale', 'node-leases.stale'] },
    because: (cause) => `because ${componentTrouble(cause)}, so leases cannot be renewed`,
  },
  {
    // An API server that keeps being killed answers health checks and requests badly or not at all.
    id: 'apiserver-restarts-fail-health',
    cause: { signals: ['component.crashlooping', 'component.oom-killed'], components: ['kube-apiserver'] },
    symptom: {
      signals: ['apiserver.unreachable', 'apiserver.health-failing', 'apiserver.etcd-check-failing', 'apiserver.slow'],
      components: ['kube-apiserver'],
    },
    because: (cause) => `because ${componentTrouble(cause)}`,
  },
  {
    // kubeadm points each node's controller manager and scheduler at the API server on the same node: when that
    // one goes, a leader cannot renew its lease and exits ("leaderelection lost"), and is restarted.
    id: 'apiserver-restarts-restart-local-controllers',
    cause: { signals: RESTARTING, components: ['kube-apiserver'] },
    symptom: {
      signals: ['component.crashlooping'],
      components: ['kube-controller-manager', 'kube-scheduler', 'cloud-controller-manager'],
    },
    relates: (cause, symptom) =>
      cause.about?.node !== undefined && cause.about.node === symptom.about?.node && !isOomKilled(symptom),
    because: (cause) => `because ${componentTrouble(cause)} on the same node`,
  },
  {
    // A leader renews its lease through the API server: each restart of that server can cost it the lease.
    id: 'apiserver-restarts-leader-changes',
    cause: { signals: RESTARTING, components: ['kube-apiserver'] },
    symptom: { signals: ['lease.leader-changed'] },
    because: (cause) => `because ${componentTrouble(cause)}, and leaders renew their leases through it`,
  },
  {
    // Every request the API server stores or reads waits for etcd: a member much slower than the others slows the
    // API servers that talk to it (kubeadm's stacked etcd: the one on its node), and with them latency, in-flight
    // requests and queueing. The member finding names it and quotes the figures.
    id: 'slow-etcd-member-slows-apiserver',
    cause: { signals: ['etcd.member-slow'], components: ['etcd'] },
    symptom: { signals: ['apiserver.slow', 'apiserver.etcd-slow'], components: ['kube-apiserver'] },
    because: (cause) =>
      `because ${cause.about?.instance ? `etcd member ${cause.about.instance} answers` : 'etcd members answer'} much slower than the others`,
  },
  {
    // kube-apiserver exits when it cannot reach etcd; being OOMKilled has a cause of its own.
    id: 'etcd-crashes-apiserver',
    cause: { signals: ['etcd.no-quorum', 'etcd.no-leader', 'etcd.member-down'], components: ['etcd'] },
    symptom: { signals: ['component.crashlooping'], components: ['kube-apiserver'] },
    relates: (_cause, symptom) => !isOomKilled(symptom),
    because: (cause) => `because ${etcdTrouble(cause)}`,
  },
  {
    // A component that may not read or update its lease cannot hold it: no leader, or a leader that keeps changing.
    id: 'rbac-forbidden-lease',
    cause: {
      signals: ['logs.rbac-forbidden'],
      components: ['kube-scheduler', 'kube-controller-manager', 'cloud-controller-manager'],
    },
    symptom: { signals: ['lease.stale', 'lease.leader-changed'] },
    relates: (cause, symptom) =>
      cause.about?.component === symptom.about?.component &&
      forbiddenResources(cause).some((resource) => LEASE_LOCKS.includes(resource)),
    because: (cause) => `because ${refused(cause, LEASE_LOCKS)}`,
  },
  {
    // A scheduler whose informers may not list pods or nodes never learns of new pods: no attempt, no event.
    id: 'rbac-forbidden-scheduler-unattempted',
    cause: { signals: ['logs.rbac-forbidden'], components: ['kube-scheduler'] },
    symptom: { signals: ['pods.unattempted'] },
    relates: (cause) => forbiddenResources(cause).some((resource) => SCHEDULING_INPUTS.includes(resource)),
    because: (cause) => `because ${refused(cause, SCHEDULING_INPUTS)}`,
  },
  {
    // A controller or scheduler that cannot verify its API server's certificate cannot renew its lease: it loses
    // it, exits ("leaderelection lost") and is restarted, and cannot take it back.
    id: 'expired-certificate-cuts-off-component',
    cause: { signals: ['logs.certificate-expired'] },
    symptom: {
      signals: ['lease.stale', 'lease.leader-changed', 'component.crashlooping', 'logs.leader-election-lost'],
      components: ['kube-controller-manager', 'kube-scheduler', 'cloud-controller-manager'],
    },
    relates: (cause, symptom) => loggedBy(cause, symptom),
    because: (cause) =>
      `because ${cause.about?.instance ?? cause.about?.component ?? 'its server'}'s certificate expired and TLS to it fails`,
  },
  {
    // The API server a component talks to is restarting or not ready: refused or timed-out requests, lost leases.
    id: 'apiserver-down-components-cannot-reach-it',
    cause: {
      signals: ['apiserver.unreachable', 'component.crashlooping', 'component.oom-killed', 'component.not-ready'],
      components: ['kube-apiserver'],
    },
    symptom: { signals: ['logs.apiserver-unreachable', 'logs.leader-election-lost'] },
    relates: (cause, symptom) => cause.about?.node !== undefined && cause.about.node === symptom.about?.node,
    because: (cause) => `because ${componentTrouble(cause)}`,
  },
  {
    // kube-apiserver's etcd client logs refused or timed-out connections to a member that is down (on its node), or
    // to every member when etcd cannot serve at all.
    id: 'etcd-down-apiserver-cannot-reach-it',
    cause: { signals: ['etcd.member-down', 'etcd.no-quorum', 'etcd.no-leader'], components: ['etcd'] },
    symptom: { signals: ['logs.etcd-unreachable'] },
    relates: (cause, symptom) =>
      !(cause.signals ?? []).every((signal) => signal === 'etcd.member-down') ||
      memberOnNode(cause.about?.instance, symptom.about?.node),
    because: (cause) => `because ${etcdTrouble(cause)}`,
  },
  {
    id: 'no-scheduler-leader-pending-pods',
    cause: {
      signals: ['lease.stale', 'component.crashlooping', 'component.oom-killed', 'component.not-ready'],
      components: ['kube-scheduler'],
    },
    symptom: { signals: ['pods.unattempted', 'pods.pending'] },
    because: (cause) => `because ${componentTrouble(cause)}`,
  },
  {
    id: 'node-leases-stale-nodes-not-ready',
    cause: { signals: ['node-leases.stale'] },
    symptom: { signals: ['node.not-ready'], components: ['node'] },
    because: () => 'because the kubelets cannot renew their node leases',
  },
  {
    // A leader on a node that stopped working stops renewing; the others take over within seconds unless they
    // cannot either, so this holds while the lease stays stale.
    id: 'node-not-ready-stale-lease',
    cause: { signals: ['node.not-ready'], components: ['node'] },
    symptom: { signals: ['lease.stale'] },
    relates: (cause, symptom) => cause.about?.instance !== undefined && cause.about.instance === symptom.about?.node,
    because: (cause) => `because its holder runs on ${cause.about?.instance ?? ''}, which is NotReady`,
  },
  {
    // A node out of memory or CPU starves the control-plane pods on it: the kernel kills containers without a
    // limit first, probes time out and the pod is marked not ready.
    id: 'node-saturated-starves-its-pods',
    cause: { signals: ['node.saturated'], components: ['node'] },
    symptom: { signals: ['component.not-ready', 'component.oom-killed'] },
    relates: (cause, symptom) => cause.about?.instance !== undefined && cause.about.instance === symptom.about?.node,
    because: (cause) =>
      `because its node ${cause.about?.instance ?? ''} is out of ${cause.title.includes('memory') ? 'memory' : 'CPU'}`,
  },
  {
    // A pod on a NotReady node is not serving, whatever its containers last reported.
    id: 'node-not-ready-pods-not-ready',
    cause: { signals: ['node.not-ready'], components: ['node'] },
    symptom: { signals: ['component.not-ready', 'component.crashlooping'] },
    relates: (cause, symptom) => cause.about?.instance !== undefined && cause.about.instance === symptom.about?.node,
    because: (cause) => `because its node ${cause.about?.instance ?? ''} is NotReady`,
  },
];

/** True when the finding shows what one side of a rule needs. */
export function matches(finding: Finding, match: FindingMatch): boolean {
  if (match.components && !(finding.about && match.components.includes(finding.about.component))) return false;
  return (finding.signals ?? []).some((signal) => match.signals.includes(signal));
}
