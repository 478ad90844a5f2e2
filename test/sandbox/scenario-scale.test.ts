import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseSchedulingMessage, categoriesOf } from '../../src/checks/failed-scheduling-parser.js';
import {
  generateScaleScenario,
  listScenarios,
  loadScenario,
  startSimulator,
  type RunningSimulator,
  type ScaleScenario,
} from '../../src/sandbox/simulator/index.js';
import { get, walkList } from './simulator-client.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- served objects are untyped JSON, checked field by field */

const T0 = Date.parse('2025-03-01T12:00:00Z');
const PAGE = 500;

const milli = (cpu: string): number => (cpu.endsWith('m') ? Number(cpu.slice(0, -1)) : Number(cpu) * 1000);
const mebi = (memory: string): number =>
  memory.endsWith('Gi')
    ? Number(memory.slice(0, -2)) * 1024
    : memory.endsWith('Mi')
      ? Number(memory.slice(0, -2))
      : Number(memory.slice(0, -2)) / 1024;

describe('generated scenario scale: 5000 nodes, 100,000 pods, built on demand', () => {
  let sim: RunningSimulator;
  let scenario: ScaleScenario;

  /** Objects of `resource` built while `action` runs. */
  async function built(resource: keyof ScaleScenario['built'], action: () => Promise<unknown>): Promise<number> {
    const before = scenario.built[resource];
    await action();
    return scenario.built[resource] - before;
  }

  beforeAll(async () => {
    scenario = generateScaleScenario();
    sim = await startSimulator({ scenario, now: () => T0 });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('is reachable by name, and generating it builds no pod, node or event', async () => {
    expect(await listScenarios()).toContain('scale');
    const byName = await loadScenario('scale');
    expect(byName.name).toBe('scale');
    expect(byName.objects.pods.size).toBe(100_000);
    expect(byName.objects.nodes.size).toBe(5000);
    expect(byName.objects.events.size).toBeGreaterThan(2000);
    expect((byName as ScaleScenario).built).toEqual({ nodes: 0, pods: 0, events: 0, leases: 0 });
  });

  it('lists all 100,000 pods in pages of 500, in key order, building at most a page of pods per request', async () => {
    let previous = '';
    let largestBuild = 0;
    let mark = scenario.built.pods;
    let pending = 0;
    let seen = 0;
    const result = await walkList(sim, '/api/v1/pods', PAGE, (items, answer) => {
      largestBuild = Math.max(largestBuild, scenario.built.pods - mark);
      mark = scenario.built.pods;
      expect(items.length).toBeLessThanOrEqual(PAGE);
      for (const pod of items) {
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        if (key <= previous) throw new Error(`${key} listed after ${previous}`);
        previous = key;
        if (pod.status.phase === 'Pending') pending++;
      }
      seen += items.length;
      if (answer.json.metadata.continue) expect(answer.json.metadata.remainingItemCount).toBe(100_000 - seen);
    });
    expect(result).toEqual({ pages: 200, items: 100_000 });
    expect(pending).toBe(2000);
    expect(largestBuild).toBeLessThanOrEqual(PAGE);
  });

  it('answers status.phase=Pending from its index: 4 pages, building only Pending pods', async () => {
    const names: string[] = [];
    const count = await built('pods', () =>
      walkList(sim, '/api/v1/pods?fieldSelector=status.phase%3DPending', PAGE, (items) => {
        for (const pod of items) {
          expect(pod.status.phase).toBe('Pending');
          expect(pod.spec.nodeName).toBeUndefined();
          names.push(pod.metadata.name);
        }
      }),
    );
    expect(names).toHaveLength(2000);
    expect(new Set(names).size).toBe(2000);
    expect(count).toBe(2000);
    // spec.nodeName= (not bound to a node) is the same set, from the same index.
    const unbound = await built('pods', async () => {
      const page = await get(sim, '/api/v1/pods?fieldSelector=spec.nodeName%3D&limit=2000');
      expect(page.json.items.map((pod: any) => pod.metadata.name)).toEqual(names);
    });
    expect(unbound).toBe(2000);
  });

  it('answers spec.nodeName=<node> from its index, with requests that fit the node', async () => {
    const node = (await get(sim, '/api/v1/nodes/worker-0043')).json;
    let pods: any[] = [];
    const count = await built('pods', async () => {
      pods = (
        await get(
          sim,
          '/api/v1/pods?fieldSelector=spec.nodeName%3Dworker-0043,status.phase!%3DSucceeded,status.phase!%3DFailed',
        )
      ).json.items;
    });
    expect(pods.length).toBeGreaterThan(10);
    expect(count).toBeLessThan(30);
    expect(pods.every((pod) => pod.spec.nodeName === 'worker-0043' && pod.status.phase === 'Running')).toBe(true);
    const cpu = pods.reduce((sum, pod) => sum + milli(pod.spec.containers[0].resources.requests.cpu), 0);
    const memory = pods.reduce((sum, pod) => sum + mebi(pod.spec.containers[0].resources.requests.memory), 0);
    expect(cpu).toBeLessThanOrEqual(milli(node.status.allocatable.cpu));
    expect(cpu).toBeGreaterThan(milli(node.status.allocatable.cpu) * 0.6);
    expect(memory).toBeLessThanOrEqual(mebi(node.status.allocatable.memory));
    expect(pods.length).toBeLessThanOrEqual(Number(node.status.allocatable.pods));
  });

  it('gives every Pending pod one FailedScheduling event, from the reason index, with a realistic mix of reasons', async () => {
    const pending = new Map<string, any>();
    await walkList(sim, '/api/v1/pods?fieldSelector=status.phase%3DPending', 1000, (items) => {
      for (const pod of items) pending.set(pod.metadata.uid, pod);
    });
    const categories = new Map<string, number>();
    const count = await built('events', () =>
      walkList(
        sim,
        '/api/v1/events?fieldSelector=reason%3DFailedScheduling,involvedObject.kind%3DPod',
        PAGE,
        (items) => {
          for (const event of items) {
            const pod = pending.get(event.involvedObject.uid);
            expect(pod?.metadata.name).toBe(event.involvedObject.name);
            expect(event).toMatchObject({
              type: 'Warning',
              reportingComponent: 'default-scheduler',
              lastTimestamp: null,
            });
            const condition = pod.status.conditions.find((one: any) => one.type === 'PodScheduled');
            expect(condition.message).toBe(event.message);
            const parsed = parseSchedulingMessage(event.message);
            expect(parsed.totalNodes).toBe(5000);
            for (const category of categoriesOf(parsed)) categories.set(category, (categories.get(category) ?? 0) + 1);
            pending.delete(event.involvedObject.uid);
          }
        },
      ),
    );
    expect(pending.size).toBe(0);
    expect(count).toBe(2000);
    expect([...categories.keys()].sort()).toEqual([
      'insufficient-cpu',
      'insufficient-memory',
      'node-affinity-mismatch',
      'pod-anti-affinity',
      'topology-spread',
      'unbound-pvc',
      'unschedulable-node',
      'untolerated-taint',
    ]);
    expect(categories.get('insufficient-cpu')).toBeGreaterThan(600);
  });

  it('makes the Insufficient reasons true: an insufficient-cpu pod asks for more than any general node has free', async () => {
    const pods = (await get(sim, '/api/v1/pods?fieldSelector=status.phase%3DPending&limit=200')).json.items;
    const cpuPod = pods.find((pod: any) => /Insufficient cpu, /.test(pod.status.conditions[0].message));
    const ask = milli(cpuPod.spec.containers[0].resources.requests.cpu);
    for (const name of ['worker-0000', 'worker-1234', 'worker-4996']) {
      const node = (await get(sim, `/api/v1/nodes/${name}`)).json;
      const onNode = (await get(sim, `/api/v1/pods?fieldSelector=spec.nodeName%3D${name}`)).json.items;
      const used = onNode.reduce(
        (sum: number, pod: any) => sum + milli(pod.spec.containers[0].resources.requests.cpu),
        0,
      );
      expect(ask).toBeGreaterThan(milli(node.status.allocatable.cpu) - used);
    }
  });

  it('serves fresh leases, the control plane, and an unlimited node list without holding it', async () => {
    const scheduler = (await get(sim, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler'))
      .json;
    expect((T0 - Date.parse(scheduler.spec.renewTime)) / 1000).toBeLessThan(scheduler.spec.leaseDurationSeconds);
    const nodeLease = (await get(sim, '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/worker-2500'))
      .json;
    expect((T0 - Date.parse(nodeLease.spec.renewTime)) / 1000).toBeLessThan(nodeLease.spec.leaseDurationSeconds);
    const controlPlane = (await get(sim, '/api/v1/namespaces/kube-system/pods?labelSelector=tier%3Dcontrol-plane')).json
      .items;
    expect(controlPlane).toHaveLength(12);
    const nodes = await built('nodes', async () => {
      const all = (await get(sim, '/api/v1/nodes')).json;
      expect(all.items).toHaveLength(5000);
      expect(all.items.filter((node: any) => node.spec.unschedulable)).toHaveLength(9);
      expect(all.metadata.continue).toBeUndefined();
    });
    expect(nodes).toBe(4997);
  });

  it('paginates one namespace', async () => {
    const result = await walkList(sim, '/api/v1/namespaces/team-007/pods', 300, (items) => {
      expect(items.every((pod) => pod.metadata.namespace === 'team-007')).toBe(true);
    });
    expect(result).toEqual({ pages: 4, items: 1000 });
  });
});

describe('generateScaleScenario', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateScaleScenario({ nodes: 60, pods: 1200, pending: 30 });
    const b = generateScaleScenario({ nodes: 60, pods: 1200, pending: 30 });
    const c = generateScaleScenario({ nodes: 60, pods: 1200, pending: 30, seed: 7 });
    for (const index of [0, 17, 500, 1199]) {
      expect(JSON.stringify(b.objects.pods.at(index))).toBe(JSON.stringify(a.objects.pods.at(index)));
      expect(a.objects.pods.keyAt(index)).toBe(
        `${a.objects.pods.at(index).metadata.namespace}/${a.objects.pods.at(index).metadata.name}`,
      );
    }
    expect(c.objects.pods.keyAt(500)).not.toBe(a.objects.pods.keyAt(500));
    expect(a.objects.nodes.size).toBe(60);
    expect(a.objects.pods.index?.('status.phase')?.candidates('Pending').size).toBe(30);
  });

  it.each([
    [{ nodes: 10 }, 'nodes must be an integer from 50 to 50000, got 10'],
    [{ pods: 10_000, pending: 600 }, 'pending must be an integer from 0 to 499, got 600'],
    [{ nodes: 50, pods: 10_000, pending: 10 }, '10000 pods do not fit on 46 general nodes of 110 pods each'],
    [{ seed: 1.5 }, 'seed must be an integer'],
  ])('refuses %j', (options, message) => {
    expect(() => generateScaleScenario(options)).toThrow(message);
  });
});
