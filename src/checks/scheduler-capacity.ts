import { z } from 'zod';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatBytes, formatPercent } from '../findings/format.js';
import { defineCheck, type CheckContext } from './check.js';
import { free, startNodeRequests, type NodeCapacity, type NodeRequests } from './node-capacity.js';
import { pendingPodsOnce } from './scheduler-pending.js';
import { formatCpu } from './quantity.js';
import type { PendingPod } from './pending-pods.js';
import { tolerates } from './scheduler-taints.js';

const Args = z.object({
  namespace: z.string().default(''),
  /** Nodes listed with the most free room. */
  top: z.number().int().positive().max(20).default(5),
});

const CATEGORY_RESOURCE: Record<string, string> = {
  'insufficient-cpu': 'cpu',
  'insufficient-memory': 'memory',
  'insufficient-pods': 'pods',
  'insufficient-ephemeral-storage': 'ephemeral-storage',
};

function show(resource: string, value: number): string {
  if (resource === 'cpu') return formatCpu(value);
  if (resource === 'memory' || resource === 'ephemeral-storage') return formatBytes(value);
  return String(Math.round(value * 100) / 100);
}

function schedulable(node: NodeCapacity): boolean {
  return node.ready && !node.unschedulable;
}

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

/** The findings, with the requests listing already under way. */
async function capacityFindings(
  context: CheckContext,
  args: z.infer<typeof Args>,
  requests: NodeRequests,
): Promise<Finding[]> {
  const pending = await pendingPodsOnce(context, args.namespace);
  const findings: Finding[] = [];
  const blocked = new Map<string, { pod: PendingPod; request: number }>();
  for (const pod of pending) {
    for (const reason of pod.parsed?.reasons ?? []) {
      const resource = reason.resource ?? CATEGORY_RESOURCE[reason.category];
      if (!resource || !reason.category.startsWith('insufficient')) continue;
      const request = resource === 'pods' ? 1 : (pod.requests[resource] ?? 0);
      const largest = blocked.get(resource);
      if (!largest || request > largest.request) blocked.set(resource, { pod, request });
    }
  }
  if (blocked.size === 0) {
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
  const open = nodes.filter(schedulable);
  for (const [resource, { pod: pendingPod, request }] of blocked) {
    const pod = `${pendingPod.namespace}/${pendingPod.name}`;
    // Compare with the nodes the pod could use at all: tainted nodes it does not tolerate are no answer.
    const usable = open.filter((node) =>
      node.taints.every(
        (taint) =>
          taint.effect === 'PreferNoSchedule' ||
          pendingPod.tolerations.some((toleration) => tolerates(toleration, taint)),
      ),
    );
    const ranked = [...(usable.length > 0 ? usable : open)].sort((a, b) => free(b, resource) - free(a, resource));
    const best = ranked[0];
    const fits = ranked.filter((node) => free(node, resource) >= request).length;
    const evidence: Evidence[] = ranked.slice(0, args.top).map((node) => ({
      label: node.name,
      value: `${show(resource, free(node, resource))} free of ${show(resource, node.allocatable[resource] ?? 0)} allocatable`,
    }));
    // Room by requests on some node means other reasons excluded it: those have findings of their own.
    if (fits > 0) continue;
    findings.push({
      check: 'scheduler.capacity',
      severity: 'warning',
      title: `No node ${pod} can use has ${show(resource, request)} ${resource} free${best ? ` (most free: ${show(resource, free(best, resource))} on ${best.name})` : ''}`,
      summary: `Requests, not usage, decide placement: the ${ranked.length} Ready, uncordoned nodes whose taints it tolerates have too little ${resource} left unrequested.`,
      evidence,
      recommendation: `Add nodes (or let the cluster autoscaler), lower the pod's ${resource} request, or find pods requesting far more than they use.`,
      data: { resource, pod, request, schedulableNodes: open.length },
    });
  }
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
      { label: 'cpu', value: `${formatCpu(cpu.requested)} of ${formatCpu(cpu.allocatable)} cores requested` },
      { label: 'memory', value: `${formatBytes(memory.requested)} of ${formatBytes(memory.allocatable)} requested` },
    ],
    data: { nodes: nodes.length, schedulableNodes: open.length, cpu, memory },
  });
  return findings;
}
