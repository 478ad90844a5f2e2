import { z } from 'zod';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatPercent, pluralize } from '../findings/format.js';
import { defineCheck, type CheckContext } from './check.js';
import { free, startNodeRequests, type NodeCapacity, type NodeRequests } from './node-capacity.js';
import { describeExclusions, describeTaint, summarizeExclusions } from './node-eligibility.js';
import type { PendingPod } from './pending-pods.js';
import { formatBinary, formatCpu, formatQuantity } from './quantity-format.js';
import { resourceNoun, shortageJudge, shortageTitle, type Shortage } from './resource-shortage.js';
import { pendingPodsOnce } from './scheduler-pending.js';

const Args = z.object({
  namespace: z.string().default(''),
  /** Nodes listed with the most free room, and other short pods listed. */
  top: z.number().int().positive().max(20).default(5),
});

const CATEGORY_RESOURCE: Record<string, string> = {
  'insufficient-cpu': 'cpu',
  'insufficient-memory': 'memory',
  'insufficient-pods': 'pods',
  'insufficient-ephemeral-storage': 'ephemeral-storage',
};

/** A Pending pod the scheduler found short of a resource, with the nodes its message counted short. */
interface ShortPod {
  pod: PendingPod;
  request: number;
  /** The reason as the message prints it and the nodes it counts; absent when it gives no count. */
  counted?: { nodes: number; message: string };
}

function schedulable(node: NodeCapacity): boolean {
  return node.ready && !node.unschedulable;
}

const podName = (pod: PendingPod) => `${pod.namespace}/${pod.name}`;

/** Requested versus allocatable per node: what the FailedScheduling message cannot say (how far off the pods are). */
export const schedulerCapacityCheck = defineCheck({
  id: 'scheduler.capacity',
  description: 'requested versus allocatable resources per node',
  needs: ['kube'],
  about: 'workload',
  args: Args,
  async run(context, args) {
    const requests = startNodeRequests(context);
    try {
      return await capacityFindings(context, args, requests);
    } finally {
      // Whatever ends the check: a listing still running is not needed any more (after it finished, a no-op).
      requests.drop();
    }
  },
});

/** Pending pods per resource their FailedScheduling message says is insufficient. */
function shortPods(pending: readonly PendingPod[]): Map<string, ShortPod[]> {
  const short = new Map<string, ShortPod[]>();
  for (const pod of pending) {
    for (const reason of pod.parsed?.reasons ?? []) {
      const resource = reason.resource ?? CATEGORY_RESOURCE[reason.category];
      if (!resource || !reason.category.startsWith('insufficient')) continue;
      const pods = short.get(resource) ?? [];
      if (pods.some((entry) => entry.pod === pod)) continue;
      const entry: ShortPod = { pod, request: resource === 'pods' ? 1 : (pod.requests[resource] ?? 0) };
      if (reason.nodes !== undefined) entry.counted = { nodes: reason.nodes, message: reason.message };
      short.set(resource, [...pods, entry]);
    }
  }
  return short;
}

/** The findings, with the requests listing already under way. */
async function capacityFindings(
  context: CheckContext,
  args: z.infer<typeof Args>,
  requests: NodeRequests,
): Promise<Finding[]> {
  const short = shortPods(await pendingPodsOnce(context, args.namespace));
  if (short.size === 0) {
    // Summing requests pages through every bound pod of the cluster: only worth it when a pod lacks resources.
    return [
      {
        check: 'scheduler.capacity',
        severity: 'ok',
        title: 'No Pending pod is short of CPU, memory, pods or storage',
        summary: 'Requests per node were not summed: no FailedScheduling message names an Insufficient resource.',
        evidence: [],
      },
    ];
  }
  const nodes = await requests.nodes();
  const findings: Finding[] = [];
  for (const [resource, pods] of short) {
    const finding = shortageFinding(resource, pods, nodes, args.top);
    if (finding) findings.push(finding);
  }
  const open = nodes.filter(schedulable);
  const totals = (resource: string) =>
    open.reduce(
      (sum, node) => ({
        allocatable: sum.allocatable + (node.allocatable[resource] ?? 0),
        requested: sum.requested + (node.requested[resource] ?? 0),
      }),
      { allocatable: 0, requested: 0 },
    );
  const cpu = totals('cpu');
  const memory = totals('memory');
  const share = (total: { allocatable: number; requested: number }) =>
    total.allocatable > 0 ? total.requested / total.allocatable : 0;
  findings.push({
    check: 'scheduler.capacity',
    severity: 'info',
    title: `Schedulable nodes: ${formatPercent(share(cpu))} of CPU and ${formatPercent(share(memory))} of memory requested`,
    summary: `${open.length} of ${nodes.length} nodes are Ready and not cordoned.`,
    evidence: [
      { label: 'cpu', value: `${formatCpu(cpu.requested)} of ${formatCpu(cpu.allocatable)} requested` },
      { label: 'memory', value: `${formatBinary(memory.requested)} of ${formatBinary(memory.allocatable)} requested` },
    ],
    data: { nodes: nodes.length, schedulableNodes: open.length, cpu, memory },
  });
  return findings;
}

/**
 * One finding per resource: the pod with the largest request among those no eligible node has room for, judged on
 * the nodes it could use, with the excluded nodes counted by reason and the other short pods listed. None when every
 * such pod fits on some eligible node by requests now: something else rules that node out (a finding of its own), or
 * room freed since the scheduler tried.
 */
function shortageFinding(
  resource: string,
  pods: readonly ShortPod[],
  nodes: readonly NodeCapacity[],
  top: number,
): Finding | undefined {
  const judge = shortageJudge(nodes, resource);
  const judged = pods.map((entry) => ({ ...entry, shortage: judge(entry.pod) }));
  const stuck = judged.filter((entry) => entry.shortage.fitting.length === 0).sort((a, b) => b.request - a.request);
  const head = stuck[0];
  if (!head) return undefined;
  const { shortage } = head;
  const pod = podName(head.pod);
  const { eligible, excluded } = shortage.eligibility;
  const show = (value: number) => formatQuantity(resource, value);
  const evidence: Evidence[] = shortage.ranked.slice(0, top).map((node) => ({
    label: node.name,
    value: `${show(free(node, resource))} free of ${show(node.allocatable[resource] ?? 0)} allocatable`,
  }));
  if (shortage.ranked.length > top) {
    evidence.push({ label: 'more eligible', value: `${shortage.ranked.length - top} more nodes, with less free` });
  }
  if (excluded.length > 0) evidence.push({ label: 'excluded', value: describeExclusions(excluded) });
  if (shortage.roomElsewhere.length > 0) {
    evidence.push({ label: 'room on excluded nodes', value: describeExclusions(shortage.roomElsewhere) });
  }
  if (head.counted) {
    evidence.push({
      label: 'scheduler counted',
      value: counted(head.counted, head.pod.parsed?.totalNodes, eligible.length),
    });
  }
  for (const other of stuck.slice(1, top + 1)) {
    const best = other.shortage.ranked[0];
    evidence.push({
      label: podName(other.pod),
      value: `requests ${show(other.request)}; ${pluralize(other.shortage.ranked.length, 'eligible node')}${
        best ? `, largest free ${show(free(best, resource))} on ${best.name}` : ''
      }${other.shortage.roomElsewhere.length > 0 ? `; room on excluded nodes: ${describeExclusions(other.shortage.roomElsewhere)}` : ''}`,
    });
  }
  for (const fits of judged.filter((entry) => entry.shortage.fitting.length > 0).slice(0, top)) {
    const names = fits.shortage.fitting.slice(0, 3).map((node) => node.name);
    evidence.push({
      label: podName(fits.pod),
      value: `requests ${show(fits.request)}; fits on ${names.join(', ')} by requests now`,
    });
  }
  const others =
    stuck.length > 1
      ? ` ${pluralize(stuck.length, 'Pending pod')} lack ${resourceNoun(resource)} on every node they could use; the largest request is in the title.`
      : '';
  return {
    check: 'scheduler.capacity',
    severity: 'warning',
    title: shortageTitle(shortage, pod),
    summary: `Judged on the ${pluralize(eligible.length, 'node')} ${pod} could use: ${summarizeExclusions(excluded, nodes.length)}.${resource === 'pods' ? '' : ' Requests, not usage, decide placement.'}${others}`,
    evidence,
    recommendation: recommend(resource, shortage),
    data: {
      resource,
      pod,
      request: head.request,
      eligibleNodes: eligible.map((node) => node.name),
      excluded: excluded.map(({ node, exclusion }) => ({ node: node.name, ...exclusion })),
      pods: stuck.map((entry) => podName(entry.pod)),
    },
  };
}

/**
 * What the pod's own message counted, beside the eligible nodes found now. They may differ: the scheduler counts a
 * node under the first filter it fails (a taken host port before resources), and nodes and requests change.
 */
function counted(reason: { nodes: number; message: string }, total: number | undefined, eligible: number): string {
  const said = `${reason.nodes}${total === undefined ? '' : ` of ${total}`} nodes: ${reason.message}`;
  return reason.nodes === eligible
    ? said
    : `${said}; ${eligible} eligible now (other filters come first, or nodes changed)`;
}

/** What to do, quickest relief first: a cordoned node with room, then tainted nodes with room, then capacity. */
function recommend(resource: string, shortage: Shortage): string {
  const advice: string[] = [];
  const cordoned = shortage.roomElsewhere.filter(({ exclusion }) => exclusion.reason === 'cordoned');
  if (cordoned.length > 0) {
    const names = cordoned.map(({ node }) => node.name).join(', ');
    advice.push(
      `${names} ${cordoned.length === 1 ? 'has room but is' : 'have room but are'} cordoned: uncordon once the maintenance is over.`,
    );
  }
  const taints = new Set<string>();
  for (const { exclusion } of shortage.roomElsewhere)
    if (exclusion.reason === 'taint') taints.add(describeTaint(exclusion.taint));
  if (taints.size > 0) {
    advice.push(`Nodes tainted ${[...taints].join(', ')} have room: add a toleration only if the pod belongs there.`);
  }
  advice.push(
    resource === 'pods'
      ? "Add nodes the pod can use, or raise the kubelet max-pods within the CNI's IP capacity per node."
      : `Add nodes the pod can use (or let the cluster autoscaler), lower the pod's ${resource} request, or find pods requesting far more than they use.`,
  );
  return advice.join(' ');
}
