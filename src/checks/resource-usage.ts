import { z } from 'zod';
import { MetricsApiUnavailableError } from '../core/errors.js';
import { asComponent } from '../findings/cause-vocabulary.js';
import type { Evidence, Finding } from '../findings/finding.js';
import type { Node, NodeMetrics, Pod, PodMetrics } from '../ports/kube-types.js';
import { defineCheck } from './check.js';
import { ComponentScopeArgs } from './control-plane-components.js';
import { componentOf } from './control-plane-pods.js';
import { parseQuantity } from './quantity.js';
import { formatCores, formatMemory, formatShare } from './usage-format.js';

const CHECK = 'control-plane.resource-usage';

export const ResourceUsageArgs = z.object({
  ...ComponentScopeArgs,
  /** A node using this share of its allocatable CPU or memory starves what runs on it, control plane included. */
  nodeRatio: z.number().gt(0).lte(1).default(0.9),
  /** A container using this share of its memory limit is one allocation burst from an OOM kill. */
  memoryLimitRatio: z.number().gt(0).lte(1).default(0.9),
});
export type ResourceUsageArgs = z.infer<typeof ResourceUsageArgs>;

/** One node's usage against its allocatable. */
export interface NodeUsage {
  node: string;
  cpu: number;
  cpuAllocatable?: number;
  memory: number;
  memoryAllocatable?: number;
}

/** One control-plane container's usage against its limits. */
export interface ContainerUsage {
  pod: string;
  container: string;
  component: string;
  node?: string;
  cpu: number;
  memory: number;
  memoryLimit?: number;
  cpuLimit?: number;
}

const ratio = (used: number, of: number | undefined): number | undefined =>
  of !== undefined && of > 0 ? used / of : undefined;

/** Usage of every node metrics-server reports, with its allocatable; nodes it has no figures for are left out. */
export function nodeUsage(nodes: readonly Node[], metrics: readonly NodeMetrics[]): NodeUsage[] {
  const byName = new Map(nodes.map((node) => [node.metadata.name, node]));
  return metrics.map((entry) => {
    const allocatable = byName.get(entry.metadata.name)?.status?.allocatable;
    const cpuAllocatable = parseQuantity(allocatable?.cpu);
    const memoryAllocatable = parseQuantity(allocatable?.memory);
    return {
      node: entry.metadata.name,
      cpu: parseQuantity(entry.usage.cpu) ?? 0,
      memory: parseQuantity(entry.usage.memory) ?? 0,
      ...(cpuAllocatable === undefined ? {} : { cpuAllocatable }),
      ...(memoryAllocatable === undefined ? {} : { memoryAllocatable }),
    };
  });
}

/** Usage of each container of the control-plane pods, with the limits their specs set. */
export function containerUsage(
  pods: readonly Pod[],
  metrics: readonly PodMetrics[],
  components: readonly string[],
): ContainerUsage[] {
  const byName = new Map(metrics.map((entry) => [`${entry.metadata.namespace ?? ''}/${entry.metadata.name}`, entry]));
  return pods.flatMap((pod) => {
    const component = componentOf(pod, components);
    const usage = byName.get(`${pod.metadata.namespace ?? ''}/${pod.metadata.name}`);
    if (!component || !usage) return [];
    return usage.containers.map((container): ContainerUsage => {
      const spec = pod.spec?.containers?.find((candidate) => candidate.name === container.name);
      const memoryLimit = parseQuantity(spec?.resources?.limits?.memory);
      const cpuLimit = parseQuantity(spec?.resources?.limits?.cpu);
      return {
        pod: pod.metadata.name,
        container: container.name,
        component,
        ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
        cpu: parseQuantity(container.usage.cpu) ?? 0,
        memory: parseQuantity(container.usage.memory) ?? 0,
        ...(memoryLimit === undefined ? {} : { memoryLimit }),
        ...(cpuLimit === undefined ? {} : { cpuLimit }),
      };
    });
  });
}

/** "3.7 of 4 CPU (93 %)", or just "3.7 CPU" when the node publishes no allocatable. */
function cpuText(used: number, of: number | undefined): string {
  const share = ratio(used, of);
  return of === undefined || share === undefined
    ? `${formatCores(used)} CPU`
    : `${formatCores(used)} of ${formatCores(of)} CPU (${formatShare(share)})`;
}

function memoryText(used: number, of: number | undefined, what = ''): string {
  const share = ratio(used, of);
  return of === undefined || share === undefined
    ? formatMemory(used)
    : `${formatMemory(used)} of ${formatMemory(of)}${what} (${formatShare(share)})`;
}

const COMPONENT_ADVICE: Readonly<Record<string, string>> = {
  'kube-apiserver':
    "kube-apiserver's memory follows its watch cache and the LISTs it answers: every unpaginated LIST is built whole in memory before the first byte is sent (kubernetes#96082). Find the heavy clients (apiserver_request_duration_seconds and audit logs by user agent, LIST at cluster scope) and make them page or use informers",
  etcd: "etcd's memory follows its database and the range requests it answers: a read of many keys allocates about the size of its response (kubernetes#107325); compaction and defragmentation shrink what it maps",
};

function containerAdvice(usage: ContainerUsage): string {
  const manifest =
    usage.component === 'kube-apiserver' || usage.component === 'etcd' || usage.component.startsWith('kube-')
      ? ` (kubeadm: /etc/kubernetes/manifests/${usage.component}.yaml on ${usage.node ?? 'its node'}; the kubelet restarts the static pod when the file changes — kubeadm itself sets no memory limit, so someone added this one)`
      : '';
  const why = COMPONENT_ADVICE[usage.component];
  return `At ${formatShare(usage.memory / (usage.memoryLimit ?? Infinity))} of its limit the next allocation burst gets it OOMKilled (exit 137), and with it ${usage.component === 'kube-apiserver' ? "this API server's clients and the leases renewed through it" : usage.component === 'etcd' ? 'this member, and quorum if another one fails' : 'its leadership'}. Raise or remove the memory limit in the manifest${manifest}.${why ? ` ${why}.` : ''}`;
}

function notServedFinding(error: MetricsApiUnavailableError): Finding {
  const unavailable = error.reason === 'unavailable';
  return {
    check: CHECK,
    severity: 'info',
    title: unavailable
      ? 'Resource usage unavailable: metrics.k8s.io is registered but its server does not answer'
      : 'Resource usage unavailable: the cluster does not serve metrics.k8s.io (no metrics-server)',
    summary: unavailable
      ? 'kube-apiserver has an APIService for metrics.k8s.io but cannot reach the server behind it, so node and pod usage (kubectl top) cannot be read. Nothing else depends on it here.'
      : 'Without metrics-server there are no node or pod usage figures (kubectl top answers "Metrics API not available"). This is not a fault of the control plane; the process figures from /metrics still show the API server and etcd.',
    evidence: [{ label: 'metrics.k8s.io', value: error.message }],
    recommendation: unavailable
      ? 'Check the metrics-server pod (kubectl -n kube-system get pods -l k8s-app=metrics-server) and `kubectl get apiservice v1beta1.metrics.k8s.io` for its condition.'
      : 'Install metrics-server (https://github.com/kubernetes-sigs/metrics-server) to read usage with kubectl top and here.',
    data: { served: false, reason: error.reason },
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** The findings for usage already read: one per starved node, one per container near its memory limit, or one ok. */
export function judgeUsage(
  nodes: readonly NodeUsage[],
  containers: readonly ContainerUsage[],
  args: Pick<ResourceUsageArgs, 'nodeRatio' | 'memoryLimitRatio'>,
  context: { window?: string; missingNodes?: readonly string[] } = {},
): Finding[] {
  const findings: Finding[] = [];
  for (const node of nodes) {
    const cpu = ratio(node.cpu, node.cpuAllocatable) ?? 0;
    const memory = ratio(node.memory, node.memoryAllocatable) ?? 0;
    if (cpu < args.nodeRatio && memory < args.nodeRatio) continue;
    const over = [
      ...(cpu >= args.nodeRatio ? [cpuText(node.cpu, node.cpuAllocatable)] : []),
      ...(memory >= args.nodeRatio ? [`${memoryText(node.memory, node.memoryAllocatable)} memory`] : []),
    ];
    const onNode = containers.filter((container) => container.node === node.node);
    findings.push({
      check: CHECK,
      severity: 'warning',
      about: { component: 'node', instance: node.node },
      signals: ['node.saturated'],
      title: `Node ${node.node} at ${over.join(' and ')} of allocatable`,
      summary: `Above ${formatShare(args.nodeRatio)} of what the node can give its pods, everything on it competes for ${cpu >= args.nodeRatio ? 'CPU (probes time out, leases renew late)' : ''}${cpu >= args.nodeRatio && memory >= args.nodeRatio ? ' and ' : ''}${memory >= args.nodeRatio ? 'memory (the kubelet evicts pods, the kernel OOM-kills containers without limits)' : ''}${onNode.length > 0 ? `, the control-plane pods on it (${[...new Set(onNode.map((c) => c.pod))].join(', ')}) included` : ''}.`,
      evidence: [
        { label: 'CPU', value: cpuText(node.cpu, node.cpuAllocatable) },
        { label: 'memory', value: memoryText(node.memory, node.memoryAllocatable) },
        ...onNode.map((container) => ({
          label: `${container.pod}/${container.container}`,
          value: `${formatCores(container.cpu)} CPU, ${memoryText(container.memory, container.memoryLimit, ' limit')}`,
        })),
        ...(context.window ? [{ label: 'measured over', value: `${context.window} (metrics-server)` }] : []),
      ],
      recommendation: `See what uses ${node.node} (kubectl top pods -A --sort-by=${memory >= cpu ? 'memory' : 'cpu'} with a field selector spec.nodeName=${node.node}); move or limit the heavy workloads, keep control-plane nodes tainted (node-role.kubernetes.io/control-plane:NoSchedule), and reserve resources for the system (kubelet --system-reserved, --kube-reserved).`,
      data: {
        node: node.node,
        cpu: node.cpu,
        cpuAllocatable: node.cpuAllocatable ?? null,
        memory: node.memory,
        memoryAllocatable: node.memoryAllocatable ?? null,
      },
    });
  }
  for (const container of containers) {
    const share = ratio(container.memory, container.memoryLimit);
    if (share === undefined || share < args.memoryLimitRatio) continue;
    const component = asComponent(container.component);
    findings.push({
      check: CHECK,
      severity: 'warning',
      ...(component
        ? { about: { component, instance: container.pod, ...(container.node ? { node: container.node } : {}) } }
        : {}),
      signals: ['component.memory-near-limit'],
      title: `${container.pod}/${container.container} memory at ${memoryText(container.memory, container.memoryLimit, ' limit')}: OOM kill risk`,
      summary: `${container.component} on ${container.node ?? 'an unknown node'} uses ${formatShare(share)} of its memory limit; past the limit the kernel kills it (OOMKilled, exit 137).`,
      evidence: [
        { label: 'memory', value: memoryText(container.memory, container.memoryLimit, ' limit') },
        {
          label: 'CPU',
          value: container.cpuLimit
            ? `${formatCores(container.cpu)} of ${formatCores(container.cpuLimit)} limit`
            : `${formatCores(container.cpu)} (no limit)`,
        },
        ...(context.window ? [{ label: 'measured over', value: `${context.window} (metrics-server)` }] : []),
      ],
      recommendation: containerAdvice(container),
      data: {
        pod: container.pod,
        container: container.container,
        component: container.component,
        node: container.node ?? null,
        memory: container.memory,
        memoryLimit: container.memoryLimit ?? null,
        ratio: share,
      },
    });
  }
  if (findings.length > 0) return findings;

  const busiest = [...nodes].sort(
    (a, b) =>
      Math.max(ratio(b.cpu, b.cpuAllocatable) ?? 0, ratio(b.memory, b.memoryAllocatable) ?? 0) -
      Math.max(ratio(a.cpu, a.cpuAllocatable) ?? 0, ratio(a.memory, a.memoryAllocatable) ?? 0),
  )[0];
  // Per component, the container that uses most memory (nearest its limit when it has one).
  const byComponent = new Map<string, ContainerUsage>();
  for (const container of containers) {
    const known = byComponent.get(container.component);
    if (!known || container.memory > known.memory) byComponent.set(container.component, container);
  }
  const evidence: Evidence[] = [
    ...(busiest
      ? [
          {
            label: `busiest node (${busiest.node})`,
            value: `${cpuText(busiest.cpu, busiest.cpuAllocatable)}, ${memoryText(busiest.memory, busiest.memoryAllocatable)} memory`,
          },
        ]
      : []),
    ...[...byComponent.values()].map((container) => ({
      label: `${container.pod}/${container.container}`,
      value: `${formatCores(container.cpu)} CPU, ${container.memoryLimit ? memoryText(container.memory, container.memoryLimit, ' limit') : `${formatMemory(container.memory)} (no memory limit)`}`,
    })),
    ...(context.missingNodes && context.missingNodes.length > 0
      ? [
          {
            label: 'no figures for',
            value: `${context.missingNodes.join(', ')} (metrics-server cannot scrape a kubelet that does not answer)`,
          },
        ]
      : []),
    ...(context.window ? [{ label: 'measured over', value: `${context.window} (metrics-server)` }] : []),
  ];
  return [
    {
      check: CHECK,
      severity: 'ok',
      title: `Nodes below ${formatShare(args.nodeRatio)} of allocatable, control-plane containers below ${formatShare(args.memoryLimitRatio)} of their memory limits`,
      summary: `Usage from metrics.k8s.io (what kubectl top shows) for ${nodes.length} nodes and ${containers.length} control-plane containers.`,
      evidence,
      data: { served: true, nodes: nodes.length, containers: containers.length },
    },
  ];
}

/**
 * Step 6 of the checklist, `kubectl top nodes` and `kubectl top pods -n kube-system`: node usage against allocatable
 * and each control-plane container's usage against its limits, from metrics-server. A cluster without it gets one
 * `info` line saying so: usage is then unknown, not bad.
 */
export const resourceUsageCheck = defineCheck({
  id: CHECK,
  description: 'node and control-plane container usage (metrics.k8s.io)',
  needs: ['kube'],
  args: ResourceUsageArgs,
  async run(context, args) {
    const { kube } = context;
    let nodeMetrics: NodeMetrics[];
    let podMetrics: PodMetrics[];
    try {
      [nodeMetrics, podMetrics] = await Promise.all([
        kube.nodeMetrics(),
        kube.podMetrics({ namespace: args.namespace }),
      ]);
    } catch (error) {
      if (error instanceof MetricsApiUnavailableError) return [notServedFinding(error)];
      throw error;
    }
    const [nodes, pods] = await Promise.all([collect(kube.nodes()), collect(kube.pods({ namespace: args.namespace }))]);
    const reported = new Set(nodeMetrics.map((entry) => entry.metadata.name));
    const window = nodeMetrics[0]?.window ?? podMetrics[0]?.window;
    return judgeUsage(nodeUsage(nodes, nodeMetrics), containerUsage(pods, podMetrics, args.components), args, {
      ...(window ? { window } : {}),
      missingNodes: nodes.map((node) => node.metadata.name).filter((name) => !reported.has(name)),
    });
  },
});
