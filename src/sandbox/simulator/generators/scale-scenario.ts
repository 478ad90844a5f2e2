import { DEFAULT_CHECKS } from '../health/default-checks.js';
import type { MetricFamily } from '../metrics/metric-model.js';
import { ObjectNormalizer } from '../scenario/normalize-objects.js';
import { arraySource, type FieldIndex, type ObjectSource, type SimObject } from '../scenario/object-source.js';
import type { Scenario } from '../scenario/scenario.js';
import {
  concatSources,
  emptySource,
  generatedSource,
  mergeSources,
  subsequenceSource,
  withIndex,
} from '../scenario/source-combinators.js';
import { CONTROL_PLANE_NODES, NODE_PODS, REPLICAS, SYSTEM_PODS, ScaleLayout } from './scale-layout.js';
import { ScaleObjects, type BuildCounts } from './scale-objects.js';

/** Options of {@link generateScaleScenario}; every field is optional. */
export interface ScaleScenarioOptions {
  /** Nodes, the 3 control-plane nodes included; at least 50. @defaultValue 5000 */
  nodes?: number;
  /** Pods, the 14 kube-system pods included. @defaultValue 100000 */
  pods?: number;
  /**
   * Pending pods among them, each with a FailedScheduling event: the surge pod of a Deployment whose rollout is
   * stuck, so at most one in 20 workload pods. @defaultValue 2000
   */
  pending?: number;
  /** Namespaces the workload pods spread over. @defaultValue 100 */
  namespaces?: number;
  /** Varies names, hashes, ages and the mix of scheduling failures; a seed always gives the same cluster. @defaultValue 1 */
  seed?: number;
}

/** A generated scenario, with how many objects it has built so far. */
export interface ScaleScenario extends Scenario {
  /**
   * Objects built since generation, by resource. Each list page builds only the objects it walks, so this grows by
   * at most the page size (plus the few held in memory never count) per request: how tests see memory stay bounded.
   */
  readonly built: Readonly<BuildCounts>;
}

const VERSION = 'v1.32.2';
/** Above every resourceVersion the generated objects carry. */
const REVISION = 9_000_000;

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`generateScaleScenario: ${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

/** An index whose candidates come from a function; `values` lists what the field can be, when known. */
function fieldIndex(candidates: (value: string) => ObjectSource, values?: readonly string[]): FieldIndex {
  return values ? { candidates, values } : { candidates };
}

/**
 * A cluster of thousands of nodes and hundreds of thousands of pods, built on demand: nodes, pods, events and node
 * leases are made from their position when a list reaches them, and dropped after, so the simulator holds a few
 * small arrays whatever the size. The cluster is full (workloads fill the general pool to ~2900m of 3920m CPU);
 * `pending` Deployments have a stuck rollout whose surge pod is Pending with a FailedScheduling event (insufficient
 * CPU or memory, too big for any node, no node matching its selector, topology spread, zone anti-affinity, unbound
 * claim). One worker in 100 is a tainted infra node, one in 500 is cordoned. Lists with
 * `fieldSelector=status.phase=Pending`, `spec.nodeName=<node>` or `spec.nodeName=`, and events with
 * `reason=FailedScheduling` or `type=Warning` walk indexes instead of every object.
 */
export function generateScaleScenario(options: ScaleScenarioOptions = {}): ScaleScenario {
  const nodes = integer('nodes', options.nodes ?? 5000, 50, 50_000);
  const pods = integer('pods', options.pods ?? 100_000, SYSTEM_PODS + REPLICAS, 2_000_000);
  const pending = integer('pending', options.pending ?? 2000, 0, Math.floor((pods - SYSTEM_PODS) / REPLICAS));
  const namespaces = integer('namespaces', options.namespaces ?? 100, 1, 10_000);
  const seed = integer('seed', options.seed ?? 1, -0x8000_0000, 0x7fff_ffff);
  const layout = new ScaleLayout({ nodes, pods, pending, namespaces, seed });
  if (layout.maxPodsPerNode > NODE_PODS) {
    throw new RangeError(
      `generateScaleScenario: ${pods} pods do not fit on ${layout.general.length} general nodes of ${NODE_PODS} pods each: add nodes`,
    );
  }
  const objects = new ScaleObjects(layout);
  const cluster = { name: 'scale-test', version: VERSION, endpoint: '10.0.0.10:6443' };
  const normalizer = new ObjectNormalizer({ ...cluster, createdAt: '-120d' }, 100);

  const namespaceObjects: SimObject[] = [
    'default',
    'kube-node-lease',
    'kube-public',
    'kube-system',
    ...Array.from({ length: layout.namespaceCount }, (_, t) => layout.namespaceName(t)),
  ].map((name) => ({ metadata: { name } }));
  namespaceObjects.forEach((object) => normalizer.namespace(object));

  const controlPlane = objects.controlPlaneNodes();
  controlPlane.forEach((object) => normalizer.node(object));
  const nodeSource = concatSources([
    arraySource(controlPlane, false, 'nodes'),
    generatedSource({
      size: layout.workers,
      keyAt: (worker) => layout.workerName(worker),
      build: (worker) => objects.workerNode(worker),
    }),
  ]);

  const systemPods = objects.systemPods();
  systemPods.forEach((object) => normalizer.pod(object));
  const workloads = generatedSource({
    size: layout.workloadPods,
    keyAt: (j) => layout.podKey(j),
    build: (j) => objects.workloadPod(j),
  });
  const allPods = concatSources([arraySource(systemPods, true, 'pods'), workloads]);
  const pendingPods = subsequenceSource(allPods, pending, (k) => SYSTEM_PODS + layout.pendingPosition(k));
  const general = layout.general.length;
  const onNode = (name: string): ObjectSource => {
    if (name === '') return pendingPods;
    const system = systemPods.flatMap((pod, index) =>
      (pod.spec as { nodeName?: string }).nodeName === name ? [index] : [],
    );
    if (system.length > 0) return subsequenceSource(allPods, system.length, (index) => system[index] ?? 0);
    const worker = layout.workerIndex(name);
    const rank = worker < 0 ? -1 : (layout.generalRank[worker] ?? -1);
    if (rank < 0 || rank >= layout.workloadPods) return emptySource();
    // Pods go round the general pool: this node's are every `general`-th from its rank (a few Pending among them).
    const count = Math.ceil((layout.workloadPods - rank) / general);
    return subsequenceSource(allPods, count, (m) => SYSTEM_PODS + rank + m * general);
  };
  const podSource = withIndex(allPods, (field) => {
    if (field === 'status.phase')
      return fieldIndex(
        (value) => (value === 'Pending' ? pendingPods : value === 'Running' ? allPods : emptySource()),
        ['Pending', 'Running'],
      );
    if (field === 'spec.nodeName') return fieldIndex(onNode);
    return undefined;
  });

  const failedScheduling = generatedSource({
    size: pending,
    keyAt: (k) => objects.failedSchedulingEventKey(k),
    build: (k) => objects.failedSchedulingEvent(k),
  });
  const podStarts = generatedSource({
    size: layout.recentPods * 4,
    keyAt: (position) => objects.recentPodEventKey(position),
    build: (position) => objects.recentPodEvent(position),
  });
  const allEvents = mergeSources(failedScheduling, podStarts);
  const eventSource = withIndex(allEvents, (field) => {
    switch (field) {
      case 'reason':
        return fieldIndex(
          (value) =>
            value === 'FailedScheduling'
              ? failedScheduling
              : ['Scheduled', 'Pulled', 'Created', 'Started'].includes(value)
                ? podStarts
                : emptySource(),
          ['FailedScheduling', 'Scheduled', 'Pulled', 'Created', 'Started'],
        );
      case 'type':
        return fieldIndex(
          (value) => (value === 'Warning' ? failedScheduling : value === 'Normal' ? podStarts : emptySource()),
          ['Warning', 'Normal'],
        );
      case 'involvedObject.kind':
        return fieldIndex((value) => (value === 'Pod' ? allEvents : emptySource()), ['Pod']);
      default:
        return undefined;
    }
  });

  const controlPlaneLeases: SimObject[] = Array.from({ length: CONTROL_PLANE_NODES }, (_, index) => ({
    metadata: { name: `cp-${index + 1}`, namespace: 'kube-node-lease' },
    spec: { holderIdentity: `cp-${index + 1}`, leaseDurationSeconds: 40, renewTime: '-3s' },
  }));
  const systemLeases: SimObject[] = [
    {
      metadata: { name: 'kube-scheduler', namespace: 'kube-system' },
      spec: {
        holderIdentity: 'cp-1_5c0d9a7e-2b4f-4e61-9d3a-8f1e6b2c7a40',
        leaseDurationSeconds: 15,
        acquireTime: '-20d',
        renewTime: '-2s',
        leaseTransitions: 2,
      },
    },
    {
      metadata: { name: 'kube-controller-manager', namespace: 'kube-system' },
      spec: {
        holderIdentity: 'cp-2_9e4b1f6c-7a3d-4c52-b8e0-1d6f3a9c5e27',
        leaseDurationSeconds: 15,
        acquireTime: '-20d',
        renewTime: '-1s',
        leaseTransitions: 1,
      },
    },
  ];
  [...controlPlaneLeases, ...systemLeases].forEach((object) => normalizer.lease(object));
  const leaseSource = concatSources([
    arraySource(controlPlaneLeases, true, 'leases'),
    generatedSource({
      size: layout.workers,
      keyAt: (worker) => `kube-node-lease/${layout.workerName(worker)}`,
      build: (worker) => objects.workerLease(worker),
    }),
    arraySource(systemLeases, true, 'leases'),
  ]);

  const gauge = (name: string, help: string, values: Record<string, number>): MetricFamily => ({
    name,
    help,
    type: 'gauge',
    series: Object.entries(values).map(([resource, value]) => ({ labels: { resource }, value, perSecond: 0 })),
  });
  const metrics: MetricFamily[] = [
    gauge(
      'apiserver_storage_objects',
      '[STABLE] Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.',
      {
        events: allEvents.size,
        'leases.coordination.k8s.io': leaseSource.size,
        namespaces: namespaceObjects.length,
        nodes: nodeSource.size,
        pods: allPods.size,
      },
    ),
    {
      name: 'apiserver_current_inflight_requests',
      help: '[STABLE] Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
      type: 'gauge',
      series: [
        { labels: { request_kind: 'readOnly' }, value: 41, perSecond: 0 },
        { labels: { request_kind: 'mutating' }, value: 12, perSecond: 0 },
      ],
    },
  ];

  return {
    name: 'scale',
    description: `Generated: ${nodes} nodes, ${pods} pods (${pending} Pending with FailedScheduling events), built on demand.`,
    file: '(generated)',
    cluster,
    objects: {
      namespaces: arraySource(namespaceObjects, false, 'namespaces'),
      nodes: nodeSource,
      pods: podSource,
      events: eventSource,
      leases: leaseSource,
    },
    revision: REVISION,
    logs: [],
    health: {
      livez: DEFAULT_CHECKS.livez.map((name) => ({ name })),
      readyz: DEFAULT_CHECKS.readyz.map((name) => ({ name })),
      healthz: DEFAULT_CHECKS.healthz.map((name) => ({ name })),
    },
    metrics,
    built: objects.built,
  };
}
