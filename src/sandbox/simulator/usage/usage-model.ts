import { parseQuantity } from '../../../checks/quantity.js';
import { fraction } from '../generators/seeded-hash.js';
import type { ObjectStore } from '../api/object-store.js';
import type { SimObject } from '../scenario/object-source.js';
import { formatTime } from '../scenario/relative-time.js';
import type { MetricsServerSpec, UsageSpec } from '../scenario/scenario.js';

/**
 * What metrics-server answers: usage per node and per running container, built at request time from the scenario's
 * objects and its declared figures. Objects come out as metrics-server 0.7 writes them: the node's or pod's labels
 * copied (label selectors work on them), `timestamp` the kubelet scrape a few seconds ago, `window` the span of the
 * two samples, CPU in nanocores and memory (working set) in Ki — e.g. `{"cpu":"7338891n","memory":"14520Ki"}`
 * (kubernetes/website#27840 shows a real `PodMetricsList`).
 */

interface Resolved {
  cpu: number;
  memory: number;
}

type Spec = Record<string, unknown>;

/** The system's own share of a node (kubelet, container runtime, journald, the OS): cores and bytes. */
const SYSTEM_CPU = 0.12;
const SYSTEM_MEMORY = 1.1 * 2 ** 30;
/** A container with neither requests nor limits: a few millicores and tens of MiB, like kube-proxy or a sidecar. */
const IDLE_CPU = 0.002;
const IDLE_MEMORY = 24 * 2 ** 20;

/** A stable number in [0, 1) per name, so every answer (and every run) shows the same figures. */
function jitter(...names: string[]): number {
  const text = names.join('/');
  const codes: number[] = [];
  for (let index = 0; index < text.length; index++) codes.push(text.charCodeAt(index));
  return fraction(...codes);
}

function read(object: unknown, path: readonly string[]): unknown {
  let current = object;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Spec)[part];
  }
  return current;
}

function quantity(object: unknown, path: readonly string[]): number | undefined {
  const value = read(object, path);
  return typeof value === 'string' ? parseQuantity(value) : typeof value === 'number' ? value : undefined;
}

/**
 * A container without declared figures uses a fraction of what it asked for (its requests, or its limits, which
 * are its requests when none are set): 25–65 %, comfortably below any limit, as a healthy container runs.
 */
function derivedUsage(container: unknown, key: string): Resolved {
  const resources = read(container, ['resources']);
  const cpuBase = quantity(resources, ['requests', 'cpu']) ?? quantity(resources, ['limits', 'cpu']);
  const memoryBase = quantity(resources, ['requests', 'memory']) ?? quantity(resources, ['limits', 'memory']);
  const share = (salt: string) => 0.25 + 0.4 * jitter(key, salt);
  return {
    cpu: cpuBase === undefined ? IDLE_CPU * (1 + 2 * jitter(key, 'cpu')) : cpuBase * share('cpu'),
    memory: memoryBase === undefined ? IDLE_MEMORY * (1 + jitter(key, 'memory')) : memoryBase * share('memory'),
  };
}

function resolve(declared: UsageSpec | undefined, derived: () => Resolved): Resolved {
  if (declared?.cpu !== undefined && declared.memory !== undefined)
    return { cpu: declared.cpu, memory: declared.memory };
  const fallback = derived();
  return { cpu: declared?.cpu ?? fallback.cpu, memory: declared?.memory ?? fallback.memory };
}

/** metrics-server cannot scrape a kubelet whose node is not Ready: that node and its pods are missing, as for real. */
function nodeReady(node: SimObject): boolean {
  const conditions = read(node, ['status', 'conditions']);
  return (
    Array.isArray(conditions) &&
    conditions.some((condition) => read(condition, ['type']) === 'Ready' && read(condition, ['status']) === 'True')
  );
}

export interface ContainerUsage {
  name: string;
  usage: Resolved;
}

export interface PodUsage {
  pod: SimObject;
  containers: ContainerUsage[];
}

/** Every running container of the pod with its usage; `undefined` when metrics-server would have none for it. */
function podUsage(pod: SimObject, spec: MetricsServerSpec, readyNodes: ReadonlySet<string>): PodUsage | undefined {
  if (read(pod, ['status', 'phase']) !== 'Running') return undefined;
  const nodeName = read(pod, ['spec', 'nodeName']);
  if (typeof nodeName !== 'string' || !readyNodes.has(nodeName)) return undefined;
  const key = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
  const declared = spec.pods[key] ?? {};
  const statuses = read(pod, ['status', 'containerStatuses']);
  const running = new Set(
    (Array.isArray(statuses) ? statuses : [])
      .filter((status) => read(status, ['state', 'running']) !== undefined)
      .map((status) => read(status, ['name'])),
  );
  const containers = read(pod, ['spec', 'containers']);
  const usage = (Array.isArray(containers) ? containers : [])
    .filter((container) => running.has(read(container, ['name'])))
    .map((container) => {
      const name = String(read(container, ['name']));
      return { name, usage: resolve(declared[name], () => derivedUsage(container, `${key}/${name}`)) };
    });
  return usage.length > 0 ? { pod, containers: usage } : undefined;
}

function each(store: ObjectStore, resource: 'nodes' | 'pods'): SimObject[] {
  const source = store.source(resource);
  const objects: SimObject[] = [];
  for (let index = 0; index < source.size; index++) objects.push(source.at(index));
  return objects;
}

/** Nanocores as metrics-server writes them: `167379835n`. */
export function cpuText(cores: number): string {
  return `${Math.round(cores * 1e9)}n`;
}

/** Working-set bytes in Ki, as metrics-server writes them: `1654212Ki`. */
export function memoryText(bytes: number): string {
  return `${Math.round(bytes / 1024)}Ki`;
}

/** `15s`, `20.5s`: a Go duration as the API prints a window. */
function windowText(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/** The usage metrics-server would report for a scenario at one moment. */
export class UsageModel {
  constructor(
    private readonly store: ObjectStore,
    private readonly spec: MetricsServerSpec,
  ) {}

  /** `NodeMetrics` of every Ready node, in name order. */
  nodeMetrics(nowMs: number): Array<Record<string, unknown>> {
    const nodes = each(this.store, 'nodes').filter(nodeReady);
    const ready = new Set(nodes.map((node) => node.metadata.name));
    const pods = each(this.store, 'pods').flatMap((pod) => podUsage(pod, this.spec, ready) ?? []);
    return nodes.map((node) => {
      const name = node.metadata.name;
      const usage = resolve(this.spec.nodes[name], () => {
        const own = pods.filter((entry) => read(entry.pod, ['spec', 'nodeName']) === name);
        const sum = (pick: (usage: Resolved) => number) =>
          own.reduce((total, entry) => total + entry.containers.reduce((all, c) => all + pick(c.usage), 0), 0);
        return {
          cpu: SYSTEM_CPU * (1 + jitter(name, 'cpu')) + sum((usage) => usage.cpu),
          memory: SYSTEM_MEMORY * (1 + 0.3 * jitter(name, 'memory')) + sum((usage) => usage.memory),
        };
      });
      return {
        metadata: {
          name,
          creationTimestamp: formatTime(nowMs),
          ...(node.metadata.labels ? { labels: node.metadata.labels } : {}),
        },
        timestamp: formatTime(this.scrapedAt(nowMs, name)),
        window: windowText(this.spec.windowMs),
        usage: { cpu: cpuText(usage.cpu), memory: memoryText(usage.memory) },
      };
    });
  }

  /** `PodMetrics` of every running pod (of one namespace when given), in namespace/name order. */
  podMetrics(nowMs: number, namespace?: string): Array<Record<string, unknown>> {
    const ready = new Set(
      each(this.store, 'nodes')
        .filter(nodeReady)
        .map((node) => node.metadata.name),
    );
    return each(this.store, 'pods')
      .filter((pod) => namespace === undefined || (pod.metadata.namespace ?? 'default') === namespace)
      .flatMap((pod) => podUsage(pod, this.spec, ready) ?? [])
      .map(({ pod, containers }) => ({
        metadata: {
          name: pod.metadata.name,
          namespace: pod.metadata.namespace ?? 'default',
          creationTimestamp: formatTime(nowMs),
          ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}),
        },
        timestamp: formatTime(this.scrapedAt(nowMs, pod.metadata.name)),
        window: windowText(this.spec.windowMs),
        containers: containers.map(({ name, usage }) => ({
          name,
          usage: { cpu: cpuText(usage.cpu), memory: memoryText(usage.memory) },
        })),
      }));
  }

  /** The kubelet scrape the figures come from: within the last resolution period, never in the future. */
  private scrapedAt(nowMs: number, name: string): number {
    return Math.floor((nowMs - this.spec.windowMs * jitter(name, 'scrape')) / 1000) * 1000;
  }
}
