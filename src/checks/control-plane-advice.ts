import type { Termination } from './container-termination.js';
import { describeTermination, isOomKilled } from './container-termination.js';

/** What a control-plane pod finding's advice depends on. */
export interface PodAdviceInput {
  /** The component (`kube-apiserver`, `etcd`, …), as the static pod's `component` label says. */
  component: string;
  pod: string;
  namespace: string;
  /** The node it runs on, or a placeholder. */
  node: string;
  /** What is wrong with it. */
  kind: 'crash-looping' | 'restarting' | 'not-running' | 'not-ready' | 'node-not-ready' | 'history';
  /** The restarted or unready container's last termination. */
  termination?: Termination;
  /** The finding shows an excerpt of the container's log. */
  logShown?: boolean;
  /** The container's memory limit and request as the pod spec writes them (`2Gi`). */
  memory?: { limit?: string; request?: string };
}

function manifest(component: string, node: string): string {
  return `/etc/kubernetes/manifests/${component}.yaml on ${node}`;
}

function memoryWords(memory: PodAdviceInput['memory']): string {
  return memory?.limit
    ? `its memory limit (${memory.limit}${memory.request ? `, request ${memory.request}` : ', no request'})`
    : 'its memory limit';
}

function oomAdvice(input: PodAdviceInput): string {
  const { component, node, memory } = input;
  if (!memory?.limit) {
    return `${component} on ${node} has no memory limit, so the kernel's OOM killer acted for the whole node: ${node} ran out of memory. Check the node's memory (free -m, dmesg for "Out of memory") and what else runs there; then see what makes ${component} grow (below).${component === 'kube-apiserver' ? ' For kube-apiserver: large unpaginated LISTs and the watch cache (--default-watch-cache-size, --watch-cache-sizes).' : ''}`;
  }
  switch (component) {
    case 'kube-apiserver':
      return `kube-apiserver needs more memory than ${memoryWords(memory)} for the load it serves. Its memory grows with the watch cache (every object of the cached resources plus their history: --default-watch-cache-size, --watch-cache-sizes) and with each large LIST it builds in memory before answering: unpaginated LISTs of pods, events, secrets or custom resources, often a controller or agent that relists everything on every restart. Find those clients (the apiserver-latency playbook: LIST latency and object counts; the audit log by userAgent) and make them paginate or use informers; cap concurrent requests (--max-requests-inflight, --max-mutating-requests-inflight, or API Priority and Fairness); and raise or remove the limit in ${manifest(component, node)} (kubeadm sets none) if the load is legitimate. Each restart drops every watch on this instance and sends its clients to relist against the others, which can spread the OOM to them.`;
    case 'etcd':
      return `etcd needs more memory than ${memoryWords(memory)}. Its memory follows the database (bbolt maps the whole file: compare the db size with --quota-backend-bytes, and run the etcd-db-growth playbook), large range requests (unpaginated LISTs passed through by the API server, watch cache initialisation after API server restarts) and the number of watchers. Defragment if the file is mostly free space, find what holds the most keys, and raise the limit in ${manifest(component, node)}.`;
    default:
      return `${component} needs more memory than ${memoryWords(memory)}: its informers cache every object it watches, so memory follows the number of pods, nodes, secrets and custom resources (the apiserver-latency playbook lists object counts). Look for a runaway object count, and raise the limit in ${manifest(component, node)}.`;
  }
}

function exitAdvice(input: PodAdviceInput): string {
  const { component, node, namespace, pod } = input;
  // The kubelet's word for a container it lost track of: the node rebooted or the runtime restarted under it.
  if (input.termination?.reason === 'Unknown' || input.termination?.reason === 'ContainerStatusUnknown') {
    return `Its previous container was lost, not crashed: ${node} rebooted or its container runtime restarted (the kubelet then reports Unknown, exit 255). Nothing to fix in ${component} itself; if the reboot was not planned, find out why (journalctl --list-boots, the previous boot's kernel log, the machine's console).`;
  }
  const code = input.termination?.exitCode;
  const killed =
    code === 137
      ? ` Exit 137 without OOMKilled means it was killed (SIGKILL), usually by the kubelet after failed liveness probes: the Unhealthy events say which probe.`
      : '';
  const logs = `${input.logShown ? 'the log excerpt above, ' : ''}\`kubectl -n ${namespace} logs ${pod} --previous\`, or crictl logs on ${node} when the API server cannot serve it`;
  switch (component) {
    case 'kube-apiserver':
      return `Read why kube-apiserver exits: ${logs}. The usual reasons: it cannot reach etcd ("connection refused" on 2379, "context deadline exceeded": see the etcd findings), an expired or mismatched certificate ("x509"), or a flag the new version no longer accepts after an upgrade; check ${manifest(component, node)}.${killed}`;
    case 'etcd':
      return `Read why etcd exits: ${logs}. "wal: crc mismatch", "walpb" or snapshot errors mean its data directory on ${node} is damaged: while the other members keep quorum, remove this member (etcdctl member remove), move /var/lib/etcd aside on ${node} and add it back (kubeadm join phase control-plane-join etcd, or etcdctl member add and a fresh start) so it resyncs from the leader; "no space left on device" means its disk is full; "has already been removed from the cluster" means it must be re-added. Check ${manifest(component, node)} for a changed flag or certificate path.${killed}`;
    case 'kube-controller-manager':
    case 'kube-scheduler':
      return `Read why ${component} exits: ${logs}. "leaderelection lost" means it could not renew its lease through the API server in time (look at the API server on ${node} and at etcd latency); "x509" or "Unauthorized" means the certificate in its kubeconfig (/etc/kubernetes/${component === 'kube-scheduler' ? 'scheduler' : 'controller-manager'}.conf) expired or does not match; a configuration error names the flag or file to fix in ${manifest(component, node)}.${killed}`;
    default:
      return `Read why ${component} exits: ${logs}. For a static pod also check ${manifest(component, node)}, its certificates and kubeconfig.${killed}`;
  }
}

function notReadyAdvice(input: PodAdviceInput): string {
  const { component, node, namespace, pod } = input;
  const events = `the Unhealthy events and \`kubectl -n ${namespace} logs ${pod}\``;
  switch (component) {
    case 'kube-apiserver':
      return `Its readiness probe (/readyz) fails: ${events} name the failing check, most often etcd (see the etcd findings) or a post-start hook still waiting.`;
    case 'etcd':
      return `etcd's readiness probe fails: it has no leader or cannot reach its peers. See ${events}, the etcd member findings, and the disk on ${node} (fsync latency, df -h /var/lib/etcd).`;
    default:
      return `Its readiness probe fails: see ${events} for what ${component} waits on (usually the API server), and its kubeconfig and certificates in ${manifest(component, node)}.`;
  }
}

/**
 * Advice for a control-plane pod that fits what happened to it and what it is: an OOMKilled API server is about
 * memory and request volume, a crashing etcd about its data and disk, a pod on a NotReady node about the node.
 */
export function podAdvice(input: PodAdviceInput): string {
  switch (input.kind) {
    case 'node-not-ready':
      return `Its node ${input.node} is NotReady (see that finding): fix the node first. Meanwhile none of its pods counts as ready, and what they report may be stale.`;
    case 'not-ready':
      return notReadyAdvice(input);
    case 'history':
      return `Nothing to do now: none of these restarts is recent${input.termination ? ` (the last exit: ${describeTermination(input.termination)})` : ''}. If they come back, \`kubectl -n ${input.namespace} logs ${input.pod} --previous\` holds the last run's log.`;
    case 'not-running':
      return `The kubelet on ${input.node} has not started it: check the kubelet log (journalctl -u kubelet) for why (image pull, volume mounts of certificates, ${manifest(input.component, input.node)}).`;
    default:
      return isOomKilled(input.termination) ? oomAdvice(input) : exitAdvice(input);
  }
}
