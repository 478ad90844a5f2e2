import type { SimObject } from '../scenario/object-source.js';
import { failedSchedulingMessage, type NodeGroup } from './failed-scheduling-message.js';
import {
  CONTROL_PLANE_NODES,
  INFRA_ZONE,
  NODE_CPU_M,
  NODE_MEMORY_MI,
  NODE_PODS,
  ZONES,
  type ScaleLayout,
} from './scale-layout.js';
import { fraction, hash32, hexChars, uuid } from './seeded-hash.js';
import { floor, max, min, round } from './intrinsics.js';

/** Why a generated Pending pod waits; each has its own pod spec and FailedScheduling message. */
export const PENDING_KINDS = [
  'insufficient-cpu',
  'insufficient-memory',
  'too-big',
  'node-affinity',
  'topology-spread',
  'pod-anti-affinity',
  'unbound-pvc',
] as const;
export type PendingKind = (typeof PENDING_KINDS)[number];

/** How often each kind occurs among the Pending pods: mostly a full cluster, then rules nobody can satisfy. */
const MIX: ReadonlyArray<readonly [PendingKind, number]> = [
  ['insufficient-cpu', 0.42],
  ['insufficient-memory', 0.18],
  ['too-big', 0.08],
  ['node-affinity', 0.09],
  ['topology-spread', 0.08],
  ['pod-anti-affinity', 0.07],
  ['unbound-pvc', 0.08],
];

const CONTROL_PLANE_TAINT = 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }';
const INFRA_TAINT = 'node(s) had untolerated taint {dedicated: infra}';
const VERSION = 'v1.32.2';
/** The `-45s`, `-3h`, `-12d` form the simulator resolves when it serves an object. */
const ago = (seconds: number): string => `-${max(0, round(seconds))}s`;

const RUNNING_CONDITIONS = (since: string): unknown[] =>
  ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
    type,
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: since,
  }));

/** How many objects of each resource have been built: what a test checks to see that memory stays bounded. */
export interface BuildCounts {
  nodes: number;
  pods: number;
  events: number;
  leases: number;
}

/**
 * Builds the objects of a generated cluster from their positions in the {@link ScaleLayout}. Everything comes from
 * hashes of the seed and the position, so the same position always gives the same object.
 */
export class ScaleObjects {
  readonly built: BuildCounts = { nodes: 0, pods: 0, events: 0, leases: 0 };
  private readonly messages: Readonly<Record<PendingKind, string>>;
  /** What the Insufficient pods ask for: more than the emptiest general node has free. */
  private readonly cpuAskM: number;
  private readonly memoryAskMi: number;

  constructor(readonly layout: ScaleLayout) {
    const free = {
      cpu: NODE_CPU_M - layout.podCpuM * layout.minPodsPerNode,
      memory: NODE_MEMORY_MI - layout.podMemoryMi * layout.minPodsPerNode,
    };
    this.cpuAskM = (floor(free.cpu / 250) + 1) * 250;
    this.memoryAskMi = (floor(free.memory / 512) + 1) * 512;
    const general = layout.general.length;
    const blocked: NodeGroup[] = [
      { nodes: CONTROL_PLANE_NODES, reasons: [CONTROL_PLANE_TAINT], preemptible: false },
      { nodes: layout.infraWorkers, reasons: [INFRA_TAINT], preemptible: false },
      { nodes: layout.cordonedWorkers, reasons: ['node(s) were unschedulable'], preemptible: false },
    ];
    const onGeneral = (reasons: string[], preemptible: boolean): string =>
      failedSchedulingMessage(this.totalNodes, [...blocked, { nodes: general, reasons, preemptible }]);
    this.messages = {
      'insufficient-cpu': onGeneral(['Insufficient cpu'], true),
      'insufficient-memory': onGeneral(['Insufficient memory'], true),
      'too-big': onGeneral(['Insufficient cpu', 'Insufficient memory'], true),
      'node-affinity': onGeneral(["node(s) didn't match Pod's node affinity/selector"], false),
      'topology-spread': onGeneral(["node(s) didn't match pod topology spread constraints"], true),
      'pod-anti-affinity': onGeneral(["node(s) didn't match pod anti-affinity rules"], true),
      'unbound-pvc': failedSchedulingMessage(this.totalNodes, [], 'pod has unbound immediate PersistentVolumeClaims'),
    };
  }

  get totalNodes(): number {
    return CONTROL_PLANE_NODES + this.layout.workers;
  }

  /** The FailedScheduling message of a kind. */
  message(kind: PendingKind): string {
    return this.messages[kind];
  }

  /** Why the k-th Pending pod waits. */
  pendingKind(k: number): PendingKind {
    let point = fraction(this.layout.size.seed, 3, k);
    for (const [kind, share] of MIX) {
      if (point < share) return kind;
      point -= share;
    }
    return 'insufficient-cpu';
  }

  private get s(): number {
    return this.layout.size.seed;
  }

  // ---- nodes ----

  workerNode(worker: number): SimObject {
    this.built.nodes++;
    const layout = this.layout;
    const name = layout.workerName(worker);
    const pool = layout.pool(worker);
    const ip = `10.1.${worker >> 8}.${worker & 255}`;
    const cidr = `10.${64 + (worker >> 8)}.${worker & 255}.0/24`;
    const heartbeat = ago(2 + (hash32(this.s, 10, worker) % 9));
    const condition = (type: string, status: string, reason: string, message: string): unknown => ({
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: heartbeat,
      lastTransitionTime: '-90d',
    });
    const spec: Record<string, unknown> = {
      podCIDR: cidr,
      podCIDRs: [cidr],
      providerID: `aws:///eu-west-1/i-0${hexChars(16, this.s, 11, worker)}`,
    };
    if (pool === 'infra') spec.taints = [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }];
    if (pool === 'cordoned') {
      spec.unschedulable = true;
      spec.taints = [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: '-5h' }];
    }
    return {
      metadata: {
        name,
        uid: uuid(this.s, 12, worker),
        resourceVersion: `${8_000_000 + worker}`,
        creationTimestamp: '-90d',
        labels: {
          'beta.kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'node-pool': pool === 'infra' ? 'infra' : 'general',
          'node.kubernetes.io/instance-type': 'm6i.xlarge',
          'topology.kubernetes.io/region': 'eu-west-1',
          'topology.kubernetes.io/zone': layout.zone(worker),
        },
        annotations: {
          'node.alpha.kubernetes.io/ttl': '0',
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        },
      },
      spec,
      status: {
        capacity: { cpu: '4', 'ephemeral-storage': '101430960Ki', memory: '16880532Ki', pods: `${NODE_PODS}` },
        allocatable: {
          cpu: `${NODE_CPU_M}m`,
          'ephemeral-storage': '93478772582',
          memory: `${NODE_MEMORY_MI * 1024}Ki`,
          pods: `${NODE_PODS}`,
        },
        conditions: [
          condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
          condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
          condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
          condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
        ],
        addresses: [
          { type: 'InternalIP', address: ip },
          { type: 'Hostname', address: name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: hexChars(32, this.s, 13, worker),
          systemUUID: uuid(this.s, 14, worker),
          bootID: uuid(this.s, 15, worker),
          kernelVersion: '6.8.0-1021-aws',
          osImage: 'Ubuntu 24.04.1 LTS',
          containerRuntimeVersion: 'containerd://1.7.24',
          kubeletVersion: VERSION,
          kubeProxyVersion: VERSION,
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    };
  }

  // ---- pods ----

  /** A workload pod: running on a general node, or the Pending surge pod of a stuck rollout. */
  workloadPod(j: number): SimObject {
    this.built.pods++;
    const layout = this.layout;
    const { t, d } = layout.place(j);
    const namespace = layout.namespaceName(t);
    const name = layout.podName(j);
    const app = layout.appName(d);
    const hash = layout.templateHash(j);
    const image = this.image(t, d);
    const metadata = {
      name,
      namespace,
      uid: uuid(this.s, 22, j),
      resourceVersion: `${1_000_000 + j}`,
      generateName: `${app}-${hash}-`,
      labels: { app, 'pod-template-hash': hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${app}-${hash}`,
          uid: uuid(this.s, 23, t, d, layout.isPending(j) ? 1 : 0),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    };
    const common = {
      schedulerName: 'default-scheduler',
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      serviceAccountName: 'default',
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    };
    const k = layout.pendingRank(j);
    if (k >= 0) return this.pendingPod(k, metadata, common, image);

    const worker = layout.nodeOfRunning(j);
    const created = layout.isRecent(j)
      ? ago(60 + (hash32(this.s, 24, j) % 3240))
      : ago(86_400 * (1 + (hash32(this.s, 24, j) % 60)));
    const slot = layout.slotOnNode(j);
    return {
      metadata: { ...metadata, creationTimestamp: created },
      spec: {
        ...common,
        nodeName: layout.workerName(worker),
        containers: [
          {
            name: app,
            image,
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            resources: { requests: { cpu: `${layout.podCpuM}m`, memory: `${layout.podMemoryMi}Mi` } },
          },
        ],
      },
      status: {
        phase: 'Running',
        qosClass: 'Burstable',
        hostIP: `10.1.${worker >> 8}.${worker & 255}`,
        podIP: `10.${64 + (worker >> 8)}.${worker & 255}.${2 + (slot % 250)}`,
        startTime: created,
        conditions: RUNNING_CONDITIONS(created),
        containerStatuses: [
          {
            name: app,
            image,
            imageID: `${image.split(':')[0] ?? image}@sha256:${hexChars(64, this.s, 25, t, d)}`,
            containerID: `containerd://${hexChars(64, this.s, 26, j)}`,
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt: created } },
          },
        ],
      },
    };
  }

  /** A Deployment's image. */
  private image(t: number, d: number): string {
    const tag = `1.${hash32(this.s, 20, t, d) % 40}.${hash32(this.s, 21, t, d) % 10}`;
    return `registry.example.com/${this.layout.namespaceName(t)}/${this.layout.appName(d)}:${tag}`;
  }

  /** How long ago the k-th Pending pod was created, in seconds: 1 minute to 3 hours. */
  private pendingAge(k: number): number {
    return 60 + (hash32(this.s, 30, k) % 10_740);
  }

  private pendingPod(
    k: number,
    metadata: SimObject['metadata'],
    common: Record<string, unknown>,
    image: string,
  ): SimObject {
    const kind = this.pendingKind(k);
    const app = metadata.labels?.app ?? metadata.name;
    const created = ago(this.pendingAge(k));
    const small = { cpu: '100m', memory: '256Mi' };
    const requests: Record<PendingKind, Record<string, string>> = {
      'insufficient-cpu': { cpu: `${this.cpuAskM}m`, memory: '1Gi' },
      'insufficient-memory': { cpu: '100m', memory: `${this.memoryAskMi}Mi` },
      'too-big': { cpu: '16', memory: '64Gi' },
      'node-affinity': { cpu: '250m', memory: '512Mi' },
      'topology-spread': small,
      'pod-anti-affinity': small,
      'unbound-pvc': small,
    };
    const spec: Record<string, unknown> = {
      ...common,
      containers: [{ name: app, image, resources: { requests: requests[kind] } }],
    };
    const byApp = { matchLabels: { app } };
    switch (kind) {
      case 'node-affinity':
        spec.nodeSelector = { 'node.kubernetes.io/instance-type': 'c7i.4xlarge' };
        break;
      case 'topology-spread':
        spec.topologySpreadConstraints = [
          {
            maxSkew: 1,
            topologyKey: 'topology.kubernetes.io/zone',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: byApp,
          },
        ];
        break;
      case 'pod-anti-affinity':
        spec.affinity = {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { labelSelector: byApp, topologyKey: 'topology.kubernetes.io/zone' },
            ],
          },
        };
        break;
      case 'unbound-pvc':
        spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: `${app}-data` } }];
        break;
      default:
        break;
    }
    return {
      metadata: { ...metadata, creationTimestamp: created },
      spec,
      status: {
        phase: 'Pending',
        qosClass: 'Burstable',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: this.messages[kind],
            lastProbeTime: null,
            lastTransitionTime: created,
          },
        ],
      },
    };
  }

  /** The control-plane nodes' static pods and CoreDNS, in name order. */
  systemPods(): SimObject[] {
    const pods: SimObject[] = [];
    const components = [
      ['etcd', 'registry.k8s.io/etcd:3.5.16-0', '100m'],
      ['kube-apiserver', `registry.k8s.io/kube-apiserver:${VERSION}`, '250m'],
      ['kube-controller-manager', `registry.k8s.io/kube-controller-manager:${VERSION}`, '200m'],
      ['kube-scheduler', `registry.k8s.io/kube-scheduler:${VERSION}`, '100m'],
    ] as const;
    for (let n = 1; n <= CONTROL_PLANE_NODES; n++) {
      for (const [component, image, cpu] of components) {
        const ip = `10.0.0.${10 + n}`;
        pods.push({
          metadata: {
            name: `${component}-cp-${n}`,
            namespace: 'kube-system',
            creationTimestamp: '-30d',
            labels: { component, tier: 'control-plane' },
            annotations: { 'kubernetes.io/config.source': 'file' },
          },
          spec: {
            nodeName: `cp-${n}`,
            hostNetwork: true,
            priorityClassName: 'system-node-critical',
            priority: 2000001000,
            tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
            containers: [{ name: component, image, resources: { requests: { cpu } } }],
          },
          status: {
            phase: 'Running',
            qosClass: 'Burstable',
            hostIP: ip,
            podIP: ip,
            startTime: '-30d',
            conditions: RUNNING_CONDITIONS('-30d'),
            containerStatuses: [
              { name: component, ready: true, restartCount: 0, state: { running: { startedAt: '-30d' } } },
            ],
          },
        });
      }
    }
    for (const [suffix, node, ip] of [
      ['4xq2w', 'cp-1', '10.64.200.2'],
      ['9zj7k', 'cp-2', '10.64.201.2'],
    ] as const) {
      pods.push({
        metadata: {
          name: `coredns-668d6bf9bc-${suffix}`,
          namespace: 'kube-system',
          creationTimestamp: '-30d',
          labels: { 'k8s-app': 'kube-dns', 'pod-template-hash': '668d6bf9bc' },
        },
        spec: {
          nodeName: node,
          priorityClassName: 'system-cluster-critical',
          priority: 2000000000,
          tolerations: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
          containers: [
            {
              name: 'coredns',
              image: 'registry.k8s.io/coredns/coredns:v1.11.3',
              resources: { requests: { cpu: '100m', memory: '70Mi' } },
            },
          ],
        },
        status: {
          phase: 'Running',
          qosClass: 'Burstable',
          podIP: ip,
          startTime: '-30d',
          conditions: RUNNING_CONDITIONS('-30d'),
          containerStatuses: [
            { name: 'coredns', ready: true, restartCount: 0, state: { running: { startedAt: '-30d' } } },
          ],
        },
      });
    }
    return pods.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  }

  /** The control-plane nodes, tainted as kubeadm leaves them. */
  controlPlaneNodes(): SimObject[] {
    return Array.from({ length: CONTROL_PLANE_NODES }, (_, index) => {
      const name = `cp-${index + 1}`;
      return {
        metadata: {
          name,
          creationTimestamp: '-120d',
          labels: {
            'node-role.kubernetes.io/control-plane': '',
            'node.kubernetes.io/exclude-from-external-load-balancers': '',
            'node.kubernetes.io/instance-type': 'm6i.xlarge',
            'topology.kubernetes.io/region': 'eu-west-1',
            'topology.kubernetes.io/zone': ZONES[index % ZONES.length] ?? INFRA_ZONE,
          },
        },
        spec: { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
        status: {
          capacity: { cpu: '4', memory: '16880532Ki', pods: `${NODE_PODS}` },
          allocatable: { cpu: `${NODE_CPU_M}m`, memory: `${NODE_MEMORY_MI * 1024}Ki`, pods: `${NODE_PODS}` },
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
              lastHeartbeatTime: '-5s',
              lastTransitionTime: '-120d',
            },
          ],
          addresses: [{ type: 'InternalIP', address: `10.0.0.${11 + index}` }],
        },
      };
    });
  }

  // ---- events ----

  /** The storage key of the k-th Pending pod's FailedScheduling event, without building it. */
  failedSchedulingEventKey(k: number): string {
    return `${this.layout.podKey(this.layout.pendingPosition(k))}.${this.eventSuffix(40, k, 0)}`;
  }

  /** The storage key of a recent pod's start event (four per pod), without building it. */
  recentPodEventKey(position: number): string {
    const m = floor(position / 4);
    return `${this.layout.podKey(this.layout.recentPosition(m))}.${this.eventSuffix(50, m, position % 4)}`;
  }

  /** The FailedScheduling event of the k-th Pending pod, as kube-scheduler records it through events.k8s.io. */
  failedSchedulingEvent(k: number): SimObject {
    this.built.events++;
    const layout = this.layout;
    const j = layout.pendingPosition(k);
    const { t } = layout.place(j);
    const namespace = layout.namespaceName(t);
    const pod = layout.podName(j);
    const age = this.pendingAge(k);
    const created = ago(age);
    // The scheduler retries at most every 5 minutes, and on every cluster change; a pod tried once has no series.
    const repeats = floor(age / 150);
    return {
      metadata: {
        name: `${pod}.${this.eventSuffix(40, k, 0)}`,
        namespace,
        uid: uuid(this.s, 41, k),
        resourceVersion: `${7_000_000 + k}`,
        creationTimestamp: created,
      },
      involvedObject: { kind: 'Pod', namespace, name: pod, uid: uuid(this.s, 22, j), apiVersion: 'v1' },
      reason: 'FailedScheduling',
      message: this.messages[this.pendingKind(k)],
      type: 'Warning',
      action: 'Scheduling',
      eventTime: created,
      ...(repeats >= 2
        ? { series: { count: repeats, lastObservedTime: ago(hash32(this.s, 42, k) % min(age, 150)) } }
        : {}),
      firstTimestamp: null,
      lastTimestamp: null,
      reportingComponent: 'default-scheduler',
      reportingInstance: 'default-scheduler-cp-1',
      source: {},
    };
  }

  /** `17` and 14 hex digits, as the recorders name events (`<object>.<UnixNano in hex>`), increasing with `step`. */
  private eventSuffix(kind: number, position: number, step: number): string {
    const base = hash32(this.s, kind, position) % 0xff_ffff;
    return `17${(base * 0x100 + step).toString(16).padStart(8, '0')}${hexChars(6, this.s, kind + 1, position)}`;
  }

  /** The four events of a recent pod's start, in name order: Scheduled, Pulled, Created, Started. */
  recentPodEvent(position: number): SimObject {
    this.built.events++;
    const layout = this.layout;
    const m = floor(position / 4);
    const step = position % 4;
    const j = layout.recentPosition(m);
    const { t, d } = layout.place(j);
    const namespace = layout.namespaceName(t);
    const pod = layout.podName(j);
    const app = layout.appName(d);
    const node = layout.workerName(layout.nodeOfRunning(j));
    const age = 60 + (hash32(this.s, 24, j) % 3240) - step;
    const when = ago(age);
    const metadata = {
      name: `${pod}.${this.eventSuffix(50, m, step)}`,
      namespace,
      uid: uuid(this.s, 52, m, step),
      resourceVersion: `${6_000_000 + position}`,
      creationTimestamp: when,
    };
    const involvedObject = { kind: 'Pod', namespace, name: pod, uid: uuid(this.s, 22, j), apiVersion: 'v1' };
    if (step === 0) {
      return {
        metadata,
        involvedObject,
        reason: 'Scheduled',
        message: `Successfully assigned ${namespace}/${pod} to ${node}`,
        type: 'Normal',
        action: 'Binding',
        eventTime: when,
        firstTimestamp: null,
        lastTimestamp: null,
        reportingComponent: 'default-scheduler',
        reportingInstance: 'default-scheduler-cp-1',
        source: {},
      };
    }
    const [reason, message] = (
      [
        ['Pulled', `Container image "${this.image(t, d)}" already present on machine`],
        ['Created', `Created container ${app}`],
        ['Started', `Started container ${app}`],
      ] as const
    )[step - 1] ?? ['Started', `Started container ${app}`];
    return {
      metadata,
      involvedObject: { ...involvedObject, fieldPath: `spec.containers{${app}}` },
      reason,
      message,
      type: 'Normal',
      count: 1,
      firstTimestamp: when,
      lastTimestamp: when,
      eventTime: null,
      reportingComponent: 'kubelet',
      reportingInstance: node,
      source: { component: 'kubelet', host: node },
    };
  }

  // ---- leases ----

  workerLease(worker: number): SimObject {
    this.built.leases++;
    const name = this.layout.workerName(worker);
    return {
      metadata: {
        name,
        namespace: 'kube-node-lease',
        uid: uuid(this.s, 60, worker),
        resourceVersion: `${8_500_000 + worker}`,
        creationTimestamp: '-90d',
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: uuid(this.s, 12, worker) }],
      },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: ago(1 + (hash32(this.s, 61, worker) % 9)) },
    };
  }
}
