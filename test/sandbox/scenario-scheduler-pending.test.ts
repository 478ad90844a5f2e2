import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  categoriesOf,
  parseSchedulingCondition,
  parseSchedulingMessage,
} from '../../src/checks/failed-scheduling-parser.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { get } from './simulator-client.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- served objects are untyped JSON, checked field by field */

const T0 = Date.parse('2025-03-01T12:00:00Z');
const GATED = 'batch/eval-run-7-k4t9x';
const CUSTOM_SCHEDULER = 'ml/tensorboard-6b7c8d9f5-j2v5r';

/** Kubernetes quantities in base units (cores, bytes, counts); enough for the scenario's values. */
function quantity(text: string | undefined): number {
  if (text === undefined) return 0;
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(text);
  if (!match) throw new Error(`unexpected quantity ${text}`);
  const factor = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * factor;
}

function requests(pod: any): Record<string, number> {
  const total: Record<string, number> = {};
  for (const container of pod.spec.containers)
    for (const [name, value] of Object.entries(container.resources?.requests ?? {}))
      total[name] = (total[name] ?? 0) + quantity(value as string);
  return total;
}

const key = (object: any): string => `${object.metadata.namespace}/${object.metadata.name}`;

describe('scenario scheduler-pending: a full cluster, every reason a pod stays Pending', () => {
  let sim: RunningSimulator;
  let nodes: any[];
  let pods: any[];
  let pending: any[];
  let events: any[];

  beforeAll(async () => {
    sim = await startSimulator({ scenario: 'scheduler-pending', now: () => T0 });
    nodes = (await get(sim, '/api/v1/nodes')).json.items;
    pods = (await get(sim, '/api/v1/pods')).json.items;
    pending = (await get(sim, '/api/v1/pods?fieldSelector=status.phase%3DPending')).json.items;
    events = (await get(sim, '/api/v1/events?fieldSelector=reason%3DFailedScheduling')).json.items;
  });
  afterAll(async () => {
    await sim.stop();
  });

  const eventOf = (pod: any): any[] =>
    events.filter(
      (event) => event.involvedObject.kind === 'Pod' && key({ metadata: event.involvedObject }) === key(pod),
    );

  it('serves 8 nodes with real capacity, zones, instance types and taints', () => {
    expect(nodes.map((node) => node.metadata.name)).toEqual([
      'cp-1',
      'cp-2',
      'cp-3',
      'gpu-1',
      'gpu-2',
      'worker-1',
      'worker-2',
      'worker-3',
    ]);
    for (const node of nodes) {
      expect(node.metadata.labels['topology.kubernetes.io/zone']).toMatch(/^eu-west-1[abc]$/);
      expect(node.metadata.labels['node.kubernetes.io/instance-type']).toMatch(/^(m6i\.xlarge|g5\.2xlarge)$/);
      expect(node.metadata.labels['kubernetes.io/hostname']).toBe(node.metadata.name);
      expect(quantity(node.status.allocatable.cpu)).toBeLessThan(quantity(node.status.capacity.cpu));
      expect(node.status.allocatable.pods).toBe('110');
    }
    const worker3 = nodes.find((node) => node.metadata.name === 'worker-3');
    expect(worker3.spec.unschedulable).toBe(true);
    expect(worker3.spec.taints).toEqual([
      expect.objectContaining({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }),
    ]);
    const gpu = nodes.find((node) => node.metadata.name === 'gpu-1');
    expect(gpu.spec.taints).toEqual([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
    expect(gpu.status.allocatable['nvidia.com/gpu']).toBe('1');
  });

  it('keeps the scheduler healthy: fresh lease, its pods running and ready', async () => {
    const lease = (await get(sim, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler')).json;
    expect((T0 - Date.parse(lease.spec.renewTime)) / 1000).toBeLessThan(lease.spec.leaseDurationSeconds);
    const schedulers = (await get(sim, '/api/v1/namespaces/kube-system/pods?labelSelector=component%3Dkube-scheduler'))
      .json.items;
    expect(schedulers).toHaveLength(3);
    for (const pod of schedulers) {
      expect(pod.status.phase).toBe('Running');
      expect(pod.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
    }
  });

  it('gives every Pending pod but the gated and the custom-scheduler one a FailedScheduling event matching its condition', () => {
    expect(pending).toHaveLength(17);
    expect(pending.every((pod) => !pod.spec.nodeName)).toBe(true);
    for (const pod of pending) {
      const found = eventOf(pod);
      if ([GATED, CUSTOM_SCHEDULER].includes(key(pod))) {
        expect(found).toEqual([]);
        continue;
      }
      expect(found).toHaveLength(1);
      const [event] = found;
      expect(event).toMatchObject({
        type: 'Warning',
        reason: 'FailedScheduling',
        involvedObject: { kind: 'Pod', apiVersion: 'v1', uid: pod.metadata.uid },
      });
      expect(event.reportingComponent || event.source.component).toBe('default-scheduler');
      const condition = pod.status.conditions.find((one: any) => one.type === 'PodScheduled');
      expect(condition).toMatchObject({ status: 'False', reason: 'Unschedulable', message: event.message });
    }
    expect(events).toHaveLength(15);
  });

  it('writes messages as kube-scheduler 1.32 does: 0/8 nodes, reasons in sort order, a preemption tail for every node', () => {
    for (const event of events) {
      const message: string = event.message;
      const parsed = parseSchedulingMessage(message);
      expect(parsed.totalNodes).toBe(nodes.length);
      expect(message).toMatch(/\. preemption: 0\/8 nodes are available: [^.]*\.$/);
      const [head = ''] = message.split(' preemption: ');
      const body = head.replace(/^0\/8 nodes are available: /, '').replace(/\.$/, '');
      const counted = body.split(/, (?=\d+ )/);
      if (/^\d/.test(body)) {
        // Sorted by the whole "<count> <reason>" text, the way the scheduler sorts its histogram of reasons.
        expect([...counted].sort()).toEqual(counted);
        const total = counted.reduce((sum, item) => sum + Number(item.split(' ')[0]), 0);
        // A node short of several resources is counted once per resource.
        expect(total).toBeGreaterThanOrEqual(8);
      } else {
        expect(body).toBe('pod has unbound immediate PersistentVolumeClaims');
      }
      const tail = (parsed.preemption ?? '').replace(/^0\/8 nodes are available: /, '').replace(/\.$/, '');
      expect(tail.split(', ').reduce((sum, item) => sum + Number(item.split(' ')[0]), 0)).toBe(8);
    }
  });

  it('records newer events through events.k8s.io (eventTime, series, null lastTimestamp) and older ones in core/v1 form', () => {
    const viaEventsApi = events.filter((event) => event.eventTime && event.lastTimestamp === null);
    const legacy = events.filter((event) => event.lastTimestamp);
    expect(viaEventsApi.length).toBeGreaterThanOrEqual(10);
    expect(legacy.map((event) => event.involvedObject.name).sort()).toEqual([
      'ingest-backfill-226-9vl2m',
      'recommender-7b5d9c8f6b-w2k9p',
    ]);
    for (const event of viaEventsApi) {
      expect(event.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(event).toMatchObject({ firstTimestamp: null, reportingInstance: 'default-scheduler-cp-2', source: {} });
      expect(event.count).toBeUndefined();
      if (event.series) {
        expect(event.series.count).toBeGreaterThanOrEqual(2);
        expect(Date.parse(event.series.lastObservedTime)).toBeGreaterThan(Date.parse(event.eventTime));
      }
    }
    expect(viaEventsApi.filter((event) => !event.series).map((event) => event.involvedObject.name)).toEqual([
      'uploads-6f9c8b7d5-p2w6q',
    ]);
    for (const event of legacy) {
      expect(event.source).toEqual({ component: 'default-scheduler' });
      expect(event.count).toBeGreaterThan(1);
      expect(Date.parse(event.lastTimestamp)).toBeGreaterThan(Date.parse(event.firstTimestamp));
    }
  });

  it.each([
    ['shop/reports-6c9f7d8b4f-k2x8q', 'insufficient-cpu'],
    ['shop/reports-6c9f7d8b4f-v7m4n', 'insufficient-cpu'],
    ['shop/recommender-7b5d9c8f6b-w2k9p', 'insufficient-memory'],
    ['ci/build-cache-warmup-29017440-r8k2m', 'insufficient-ephemeral-storage'],
    ['analytics/etl-backfill-qj7xw', 'insufficient-cpu,insufficient-memory'],
    ['ml/embeddings-api-84c7d9f5b6-x5q8n', 'insufficient-extended-resource,untolerated-taint'],
    ['ml/finetune-llama-r7d2k', 'insufficient-extended-resource'],
    ['batch/ingest-backfill-226-9vl2m', 'insufficient-pods'],
    ['shop/catalog-5f6b7c8d9d-h3n6z', 'node-affinity-mismatch'],
    ['edge/traefik-7f8d6c9b5-m4x2k', 'host-port-conflict'],
    ['shop/redis-cache-2', 'pod-anti-affinity'],
    ['shop/checkout-6d9b8c7f5d-t8r2w', 'topology-spread'],
    ['shop/cache-warmer-5c8d7f6b9-z4m8k', 'pod-affinity'],
    ['shop/postgres-1', 'volume-node-affinity-conflict,unschedulable-node'],
    ['shop/uploads-6f9c8b7d5-p2w6q', 'unbound-pvc'],
    [GATED, 'scheduling-gated'],
  ])('%s: the scheduler reports %s', (name, expected) => {
    const pod = pending.find((candidate) => key(candidate) === name);
    const condition = pod.status.conditions.find((one: any) => one.type === 'PodScheduled');
    const categories = categoriesOf(parseSchedulingCondition(condition.reason, condition.message));
    expect(categories).toEqual(expect.arrayContaining(expected.split(',')));
    expect(categories).not.toContain('other');
  });

  it('gates a pod with schedulingGates and reason SchedulingGated', () => {
    const pod = pending.find((candidate) => key(candidate) === GATED);
    expect(pod.spec.schedulingGates).toEqual([{ name: 'kueue.x-k8s.io/admission' }]);
    expect(pod.status.conditions).toEqual([
      expect.objectContaining({
        type: 'PodScheduled',
        status: 'False',
        reason: 'SchedulingGated',
        message: 'Scheduling is blocked due to non-empty scheduling gates',
      }),
    ]);
  });

  it('leaves the custom-scheduler pod untouched: no condition, no event of any kind, and no such scheduler', async () => {
    const pod = pending.find((candidate) => key(candidate) === CUSTOM_SCHEDULER);
    expect(pod.spec.schedulerName).toBe('my-custom-scheduler');
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'Burstable' });
    const about = (
      await get(sim, `/api/v1/namespaces/ml/events?fieldSelector=involvedObject.name%3D${pod.metadata.name}`)
    ).json.items;
    expect(about).toEqual([]);
    const leases = (await get(sim, '/apis/coordination.k8s.io/v1/leases')).json.items.map((lease: any) => key(lease));
    expect(leases.some((name: string) => name.includes('my-custom-scheduler'))).toBe(false);
    expect(pods.filter((candidate) => candidate.spec.schedulerName === 'my-custom-scheduler')).toHaveLength(1);
  });

  it('fills the nodes so that requested versus allocatable explains each Insufficient reason', () => {
    const used = new Map<string, Record<string, number>>();
    for (const pod of pods) {
      if (!pod.spec.nodeName || ['Succeeded', 'Failed'].includes(pod.status.phase)) continue;
      const total = used.get(pod.spec.nodeName) ?? { pods: 0 };
      for (const [name, value] of Object.entries(requests(pod))) total[name] = (total[name] ?? 0) + value;
      total.pods = (total.pods ?? 0) + 1;
      used.set(pod.spec.nodeName, total);
    }
    const free = (node: string, resource: string): number => {
      const allocatable = nodes.find((one) => one.metadata.name === node).status.allocatable;
      return quantity(allocatable[resource] ?? '0') - (used.get(node)?.[resource] ?? 0);
    };
    const wants = (name: string): Record<string, number> => requests(pending.find((pod) => key(pod) === name));

    expect(free('worker-1', 'cpu')).toBeCloseTo(0.22);
    expect(wants('shop/reports-6c9f7d8b4f-k2x8q').cpu).toBeGreaterThan(free('worker-1', 'cpu'));
    expect(wants('shop/reports-6c9f7d8b4f-k2x8q').memory).toBeLessThan(free('worker-1', 'memory'));
    expect(wants('shop/recommender-7b5d9c8f6b-w2k9p').memory).toBeGreaterThan(free('worker-1', 'memory'));
    expect(wants('shop/recommender-7b5d9c8f6b-w2k9p').cpu).toBeLessThan(free('worker-1', 'cpu'));
    expect(wants('ci/build-cache-warmup-29017440-r8k2m')['ephemeral-storage']).toBeGreaterThan(
      free('worker-1', 'ephemeral-storage'),
    );
    // Larger than any node's allocatable, not just than what is free.
    const etl = wants('analytics/etl-backfill-qj7xw');
    for (const node of nodes) expect(etl.cpu).toBeGreaterThan(quantity(node.status.allocatable.cpu));
    for (const node of ['gpu-1', 'gpu-2']) expect(free(node, 'nvidia.com/gpu')).toBe(0);
    expect(free('worker-2', 'pods')).toBe(0);
    // What fails only on placement rules must fit worker-1's resources, or the message would say Insufficient.
    for (const name of [
      'edge/traefik-7f8d6c9b5-m4x2k',
      'shop/redis-cache-2',
      'shop/checkout-6d9b8c7f5d-t8r2w',
      'shop/cache-warmer-5c8d7f6b9-z4m8k',
      'shop/postgres-1',
    ]) {
      expect(wants(name).cpu).toBeLessThanOrEqual(free('worker-1', 'cpu'));
      expect(wants(name).memory).toBeLessThanOrEqual(free('worker-1', 'memory'));
    }
  });
});
