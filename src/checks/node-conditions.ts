import { z } from 'zod';
import type { Node, NodeCondition } from '../ports/kube-types.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatDuration } from '../findings/format.js';
import { defineCheck } from './check.js';
import {
  DEFAULT_NODE_GRACE_SECONDS,
  judgeNodeLiveness,
  nodeRenewalsOnce,
  overviewLeases,
  type LeaseOverview,
  type NodeLiveness,
} from './node-liveness.js';

const Args = z.object({
  /** How many problem nodes the summary finding names; the count is always complete. */
  top: z.number().int().positive().max(50).default(10),
  /**
   * kube-controller-manager's `--node-monitor-grace-period` (s): a node whose Lease in kube-node-lease is older
   * than this is NotReady, whatever its last reported condition says.
   */
  nodeMonitorGracePeriodSeconds: z.number().positive().default(DEFAULT_NODE_GRACE_SECONDS),
});

const PRESSURE = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'] as const;

export interface NodeProblem {
  name: string;
  controlPlane: boolean;
  notReady: boolean;
  problems: string[];
}

function pressure(node: Node): string[] {
  const conditions = node.status?.conditions ?? [];
  return PRESSURE.flatMap((type) => {
    const condition = conditions.find((candidate) => candidate.type === type);
    return condition?.status === 'True' ? [condition.reason ? `${type} (${condition.reason})` : type] : [];
  });
}

/** A node's problems: NotReady (by condition or by its Lease), or a pressure condition set. */
export function nodeProblems(node: Node, liveness: NodeLiveness): NodeProblem | undefined {
  const problems = [...(liveness.ready ? [] : [`NotReady (${liveness.why})`]), ...pressure(node)];
  if (problems.length === 0) return undefined;
  return { name: liveness.name, controlPlane: liveness.controlPlane, notReady: !liveness.ready, problems };
}

/** "PLEG is not healthy", "Kubelet stopped posting node status", "no heartbeat for 3m 10s": the title's words. */
function headline(liveness: NodeLiveness, ready: NodeCondition | undefined): string {
  if (ready && ready.status !== 'True' && ready.message) {
    return ready.message.split(/[:;]\s/)[0]?.replace(/\.$/, '') ?? ready.message;
  }
  if (liveness.leaseStale && liveness.leaseAgeMs !== undefined) {
    return `no kubelet heartbeat for ${formatDuration(liveness.leaseAgeMs)}`;
  }
  return ready ? `Ready is ${ready.status}${ready.reason ? ` (${ready.reason})` : ''}` : 'no Ready condition';
}

/** What to look at on the node, from what it reports. */
function notReadyAdvice(name: string, liveness: NodeLiveness, ready: NodeCondition | undefined): string {
  const message = ready?.message ?? '';
  if (/PLEG is not healthy/i.test(message)) {
    return `The kubelet on ${name} runs but its container runtime answers too slowly (the pod lifecycle relist took over 3 minutes): check the runtime (systemctl status containerd, crictl ps timing), hung containers (a stuck NFS or disk mount, a zombie shim) and the kubelet log (journalctl -u kubelet | grep PLEG). Restarting containerd and then the kubelet usually clears it; the control-plane containers keep running meanwhile, but nothing restarts them if they fail.`;
  }
  if (/network plugin|cni|NetworkReady=false/i.test(message)) {
    return `The node's network plugin is not ready: check the CNI pods on ${name} (kubectl -n kube-system get pods -o wide --field-selector spec.nodeName=${name}) and /etc/cni/net.d on the node.`;
  }
  if (ready?.status === 'False') {
    return `The kubelet on ${name} reports itself not ready: read why in its log (journalctl -u kubelet) and check the container runtime, disk and memory on the node.`;
  }
  return `The kubelet on ${name} is not heartbeating: is the node up (console, ping), is the kubelet running (systemctl status kubelet, journalctl -u kubelet), and can it reach the API server (its Lease renewals would show in its log as errors)?${liveness.leaseStale ? ' The Lease goes stale before the condition changes: the node lifecycle controller marks the node Unknown after the grace period.' : ''}`;
}

function since(time: string | undefined, now: Date): string {
  return time ? ` (since ${formatDuration(now.getTime() - Date.parse(time))} ago)` : '';
}

/** One finding per control-plane node that is NotReady: each is a cause of its own for what runs there. */
function controlPlaneNotReady(node: Node, liveness: NodeLiveness, now: Date, graceMs: number): Finding {
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready');
  const name = liveness.name;
  const evidence: Evidence[] = [
    {
      label: 'Ready condition',
      value: ready
        ? `${ready.status}${ready.reason ? ` ${ready.reason}` : ''}${ready.message ? `: ${ready.message}` : ''}${since(ready.lastTransitionTime, now)}`
        : 'missing',
    },
    {
      label: 'node Lease',
      value:
        liveness.leaseAgeMs === undefined
          ? 'none in kube-node-lease'
          : `renewed ${formatDuration(liveness.leaseAgeMs)} ago (grace ${formatDuration(graceMs)})${liveness.leaseStale ? ': the kubelet stopped heartbeating' : ''}`,
    },
  ];
  if (ready?.lastHeartbeatTime) {
    evidence.push({
      label: 'last status update',
      value: `${formatDuration(now.getTime() - Date.parse(ready.lastHeartbeatTime))} ago (the kubelet refreshes it every 5 min when nothing changes)`,
    });
  }
  const pressing = pressure(node);
  if (pressing.length > 0) evidence.push({ label: 'pressure', value: pressing.join(', ') });
  return {
    check: 'nodes.conditions',
    severity: 'critical',
    about: { component: 'node', instance: name },
    signals: ['node.not-ready'],
    title: `Control-plane node ${name} NotReady: ${headline(liveness, ready)}`,
    summary: `${liveness.why}. The cluster no longer counts the pods on ${name} ready: the API server, etcd member and controllers there may still run, but Services drop them and nothing restarts them if they fail.`,
    evidence,
    recommendation: notReadyAdvice(name, liveness, ready),
    data: {
      node: name,
      controlPlane: true,
      reason: liveness.reason ?? null,
      leaseAgeMs: liveness.leaseAgeMs ?? null,
      leaseStale: liveness.leaseStale,
    },
  };
}

/** Every kubelet stopped renewing its Lease: the write path is broken, not each node. */
function heartbeatsStopped(overview: LeaseOverview, graceMs: number): Finding {
  const newest = overview.newestAgeMs === undefined ? 'never' : `${formatDuration(overview.newestAgeMs)} ago`;
  return {
    check: 'nodes.conditions',
    severity: 'critical',
    about: { component: 'node' },
    signals: ['node-leases.stale'],
    title: `Node heartbeats stopped: none of the ${overview.total} node Leases renewed within ${formatDuration(graceMs)} (newest ${newest})`,
    summary:
      'Every kubelet stopped renewing its Lease in kube-node-lease at about the same time. The nodes are most likely fine: their writes fail, because the API server or etcd refuses writes (NOSPACE alarm, lost quorum) or the kubelets cannot reach the API server. Node conditions keep their last values meanwhile.',
    evidence: [
      { label: 'node Leases', value: `${overview.total}, all older than ${formatDuration(graceMs)}` },
      { label: 'newest renewal', value: newest },
    ],
    recommendation:
      'Look at etcd first (an active NOSPACE alarm, quorum and leader: the etcd findings of this playbook), then at the API server: writes answered 5xx (apiserver_request_total with verb PUT/PATCH) and its log. Once writes work again, the kubelets renew within 10 s; if the controller manager writes first, it may mark every node NotReady at once (it then stops evicting: full disruption mode).',
    data: { nodeLeases: overview.total, newestRenewalAgeMs: overview.newestAgeMs ?? null },
  };
}

/**
 * Node conditions and node Leases across the cluster. A control-plane node that is NotReady gets a finding of its
 * own (its pods are explained by it); other problem nodes are summed up in one. Nodes are aggregated page by page.
 */
export const nodeConditionsCheck = defineCheck({
  id: 'nodes.conditions',
  description: 'node conditions and node Leases',
  needs: ['kube'],
  about: 'node',
  args: Args,
  async run(context, args) {
    const { kube } = context;
    const graceMs = args.nodeMonitorGracePeriodSeconds * 1000;
    const renewals = await nodeRenewalsOnce(context);
    // Read after the Leases arrived: a slow answer must not make a heartbeat look younger than it is.
    const now = context.now();
    const overview = overviewLeases(renewals, now, graceMs);
    const options = { now, graceMs, allLeasesStale: overview.allStale };
    let total = 0;
    let notReady = 0;
    let problemCount = 0;
    const controlPlaneDown: Finding[] = [];
    const shown: NodeProblem[] = [];
    for await (const node of kube.nodes()) {
      total += 1;
      const liveness = judgeNodeLiveness(node, renewals?.get(node.metadata.name), options);
      if (!liveness.ready && liveness.controlPlane) {
        controlPlaneDown.push(controlPlaneNotReady(node, liveness, now, graceMs));
        // Its pressure, if any, is in its own finding.
        continue;
      }
      const problem = nodeProblems(node, liveness);
      if (!problem) continue;
      problemCount += 1;
      if (problem.notReady) notReady += 1;
      if (shown.length < args.top) shown.push(problem);
    }
    const findings: Finding[] = [...controlPlaneDown];
    if (overview.allStale) findings.push(heartbeatsStopped(overview, graceMs));
    if (problemCount > 0) {
      shown.sort((a, b) => Number(b.notReady) - Number(a.notReady) || Number(b.controlPlane) - Number(a.controlPlane));
      const evidence: Evidence[] = shown.map((problem) => ({
        label: `${problem.name}${problem.controlPlane ? ' (control plane)' : ''}`,
        value: problem.problems.join('; '),
      }));
      if (problemCount > args.top)
        evidence.push({ label: 'more', value: `${problemCount - args.top} more nodes with problems` });
      const allNotReady = notReady + controlPlaneDown.length;
      findings.push({
        check: 'nodes.conditions',
        severity: total > 0 && allNotReady / total >= 0.3 ? 'critical' : 'warning',
        about: { component: 'node' },
        ...(notReady > 0 ? { signals: ['node.not-ready' as const] } : {}),
        title:
          notReady > 0
            ? `${notReady} of ${total} nodes NotReady${controlPlaneDown.length > 0 ? ' besides the control plane' : ''}`
            : `${problemCount} of ${total} nodes under pressure`,
        summary: `${notReady} NotReady, ${problemCount - notReady} Ready but under pressure; ${total - problemCount - controlPlaneDown.length} fine.`,
        evidence,
        recommendation:
          'For NotReady nodes, check the kubelet on the node (systemctl status kubelet, journalctl -u kubelet) and its network path to the API server; "Kubelet stopped posting node status" or a stale Lease means the API server has not heard from it. Pressure conditions mean the kubelet is evicting pods: free disk or memory.',
        data: { total, notReady, problemNodes: problemCount },
      });
    }
    if (findings.length === 0) {
      const leases =
        overview.total > 0
          ? ` and every kubelet renewed its Lease within ${formatDuration(graceMs)}`
          : ' (no node Leases to check heartbeats with)';
      findings.push({
        check: 'nodes.conditions',
        severity: 'ok',
        title: `All ${total} nodes Ready with no pressure`,
        summary: `No node reports NotReady, MemoryPressure, DiskPressure, PIDPressure or NetworkUnavailable${leases}.`,
        evidence: [],
        data: { total, notReady: 0 },
      });
    }
    return findings;
  },
});
