/**
 * metrics.k8s.io as metrics-server serves it, checked with the real kubectl 1.32 (`kubectl top`) and on the wire;
 * and a cluster without it, where the group is as unknown as any other.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { get } from './simulator-client.js';

/** kubectl wherever PATH has it. In CI a missing kubectl fails the suite: a skip would prove nothing. */
const KUBECTL =
  (process.env.PATH ?? '')
    .split(':')
    .map((directory) => join(directory, 'kubectl'))
    .find((candidate) => existsSync(candidate)) ?? 'kubectl';
const describeWithKubectl = KUBECTL !== 'kubectl' || process.env.CI ? describe : describe.skip;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(sim: RunningSimulator, home: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      KUBECTL,
      ['--kubeconfig', sim.kubeconfigPath, '--cache-dir', join(home, 'cache'), '--request-timeout=20s', ...args],
      { timeout: 30_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Table rows of kubectl's output, split into columns. */
function rows(output: string): string[][] {
  return output
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/));
}

describe('metrics.k8s.io on the wire', () => {
  let withServer: RunningSimulator;
  let without: RunningSimulator;
  beforeAll(async () => {
    [withServer, without] = await Promise.all([
      startSimulator({ scenario: 'healthy' }),
      startSimulator({ scenario: 'no-metrics-server' }),
    ]);
  });
  afterAll(async () => {
    await Promise.allSettled([withServer?.stop(), without?.stop()]);
  });

  it('is discovered under /apis only where metrics-server runs', async () => {
    const groups = async (sim: RunningSimulator) =>
      ((await get(sim, '/apis')).json.groups as Array<{ name: string }>).map((group) => group.name);
    expect(await groups(withServer)).toContain('metrics.k8s.io');
    expect(await groups(without)).not.toContain('metrics.k8s.io');
    const resources = (await get(withServer, '/apis/metrics.k8s.io/v1beta1')).json;
    expect(resources).toMatchObject({
      kind: 'APIResourceList',
      groupVersion: 'metrics.k8s.io/v1beta1',
      resources: [
        { name: 'nodes', kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'] },
        { name: 'pods', kind: 'PodMetrics', namespaced: true, verbs: ['get', 'list'] },
      ],
    });
  });

  it('answers 404 everywhere under the group without metrics-server', async () => {
    for (const path of [
      '/apis/metrics.k8s.io',
      '/apis/metrics.k8s.io/v1beta1',
      '/apis/metrics.k8s.io/v1beta1/nodes',
      '/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods',
    ]) {
      expect({ path, status: (await get(without, path)).status }).toEqual({ path, status: 404 });
    }
  });

  it('serves NodeMetrics and PodMetrics as metrics-server writes them: nanocores, Ki, a timestamp and a window', async () => {
    const nodes = (await get(withServer, '/apis/metrics.k8s.io/v1beta1/nodes')).json;
    expect(nodes).toMatchObject({ kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1' });
    expect(nodes.items).toHaveLength(6);
    expect(nodes.items[0]).toMatchObject({
      metadata: { name: 'cp-1', labels: expect.objectContaining({ 'node-role.kubernetes.io/control-plane': '' }) },
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      window: '15s',
      usage: { cpu: expect.stringMatching(/^\d+n$/), memory: expect.stringMatching(/^\d+Ki$/) },
    });
    const pod = (await get(withServer, '/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods/kube-apiserver-cp-1'))
      .json;
    expect(pod).toMatchObject({
      kind: 'PodMetrics',
      metadata: { name: 'kube-apiserver-cp-1', namespace: 'kube-system' },
      containers: [{ name: 'kube-apiserver', usage: { cpu: '168000000n', memory: `${907 * 1024}Ki` } }],
    });
    const all = (await get(withServer, '/apis/metrics.k8s.io/v1beta1/pods')).json;
    expect(all.items.map((item: { metadata: { namespace: string } }) => item.metadata.namespace)).toEqual(
      expect.arrayContaining(['kube-system', 'shop']),
    );
    const selected = (
      await get(withServer, '/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods?labelSelector=component%3Detcd')
    ).json;
    expect(selected.items.map((item: { metadata: { name: string } }) => item.metadata.name)).toEqual([
      'etcd-cp-1',
      'etcd-cp-2',
      'etcd-cp-3',
    ]);
    const missing = await get(withServer, '/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods/nope');
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe('podmetrics.metrics.k8s.io "kube-system/nope" not found');
  });
});

describeWithKubectl('kubectl top against the simulator', () => {
  let withServer: RunningSimulator;
  let nodeDown: RunningSimulator;
  let without: RunningSimulator;
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'quorum-kubectl-top-'));
    [withServer, nodeDown, without] = await Promise.all([
      startSimulator({ scenario: 'healthy' }),
      startSimulator({ scenario: 'control-plane-node-not-ready' }),
      startSimulator({ scenario: 'no-metrics-server' }),
    ]);
  });
  afterAll(async () => {
    await Promise.allSettled([withServer?.stop(), nodeDown?.stop(), without?.stop()]);
    await rm(home, { recursive: true, force: true });
  });

  it('top nodes: every node with CPU and memory against its allocatable', async () => {
    const run = await kubectl(withServer, home, 'top', 'nodes');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)\s*\n/);
    const table = rows(run.stdout);
    expect(table.map((row) => row[0])).toEqual(['cp-1', 'cp-2', 'cp-3', 'worker-1', 'worker-2', 'worker-3']);
    for (const [, cpu, cpuShare, memory, memoryShare] of table) {
      expect(cpu).toMatch(/^\d+m$/);
      expect(memory).toMatch(/^\d+Mi$/);
      // A healthy cluster: every node well below its allocatable.
      expect(Number(cpuShare?.replace('%', ''))).toBeLessThan(50);
      expect(Number(memoryShare?.replace('%', ''))).toBeLessThan(50);
    }
  });

  it('top pods -n kube-system: the control-plane pods with the figures the scenario gives', async () => {
    const run = await kubectl(withServer, home, 'top', 'pods', '-n', 'kube-system');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\n/);
    const table = new Map(rows(run.stdout).map(([name, cpu, memory]) => [name, [cpu, memory]]));
    expect(table.get('kube-apiserver-cp-1')).toEqual(['168m', '907Mi']);
    expect(table.get('etcd-cp-2')).toEqual(['61m', '247Mi']);
    expect(table.get('kube-scheduler-cp-2')).toEqual(['6m', '37Mi']);
    expect(table.size).toBe(20);
  });

  it('top pods --containers and a label selector', async () => {
    const run = await kubectl(
      withServer,
      home,
      'top',
      'pods',
      '-n',
      'kube-system',
      '-l',
      'component=etcd',
      '--containers',
    );
    expect(run.code).toBe(0);
    expect(rows(run.stdout)).toEqual([
      ['etcd-cp-1', 'etcd', '52m', '231Mi'],
      ['etcd-cp-2', 'etcd', '61m', '247Mi'],
      ['etcd-cp-3', 'etcd', '47m', '226Mi'],
    ]);
  });

  it('top nodes shows a NotReady node as unknown, as metrics-server cannot scrape its kubelet', async () => {
    const run = await kubectl(nodeDown, home, 'top', 'nodes');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/cp-3\s+<unknown>\s+<unknown>\s+<unknown>\s+<unknown>/);
    expect(run.stdout).toMatch(/cp-1\s+\d+m\s+\d+%/);
  });

  it('without metrics-server kubectl says the Metrics API is not available', async () => {
    const run = await kubectl(without, home, 'top', 'nodes');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Metrics API not available/);
  });
});
