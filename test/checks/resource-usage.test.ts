import { describe, expect, it } from '@jest/globals';
import { resourceUsageCheck, ResourceUsageArgs } from '../../src/checks/resource-usage.js';
import { formatCores, formatMemory, formatShare } from '../../src/checks/usage-format.js';
import { MetricsApiUnavailableError } from '../../src/core/errors.js';
import type { Node, NodeMetrics, Pod, PodMetrics } from '../../src/ports/kube-types.js';
import { FakeKubeReader, checkContext } from './fake-readers.js';

const GI = 2 ** 30;
const MI = 2 ** 20;

function node(name: string, cpu = '4', memory = '16Gi'): Node {
  return { metadata: { name }, status: { allocatable: { cpu, memory, pods: '110' } } };
}

function staticPod(component: string, nodeName: string, limits?: Record<string, string>): Pod {
  return {
    metadata: {
      name: `${component}-${nodeName}`,
      namespace: 'kube-system',
      labels: { component, tier: 'control-plane' },
    },
    spec: {
      nodeName,
      containers: [{ name: component, resources: { requests: { cpu: '100m' }, ...(limits ? { limits } : {}) } }],
    },
    status: { phase: 'Running' },
  };
}

function nodeUsage(name: string, cpu: string, memory: string): NodeMetrics {
  return { metadata: { name }, timestamp: '2026-12-02T06:00:00Z', window: '15s', usage: { cpu, memory } };
}

function podUsage(pod: Pod, cpu: string, memory: string): PodMetrics {
  return {
    metadata: { name: pod.metadata.name, namespace: 'kube-system' },
    window: '15s',
    containers: [{ name: pod.spec?.containers?.[0]?.name ?? '', usage: { cpu, memory } }],
  };
}

async function run(kube: FakeKubeReader) {
  return resourceUsageCheck.run(checkContext({ kube }), ResourceUsageArgs.parse({}));
}

describe('usage figures as Kubernetes writes them', () => {
  it.each([
    [3.7, '3.7'],
    [4, '4'],
    [0.85, '850m'],
    [0.0021, '2m'],
  ])('%p cores read %p', (cores, text) => expect(formatCores(cores)).toBe(text));
  it.each([
    [15.1 * GI, '15.1Gi'],
    [16 * GI, '16Gi'],
    [907 * MI, '907Mi'],
    [512 * 1024, '512Ki'],
  ])('%p bytes read %p', (bytes, text) => expect(formatMemory(bytes)).toBe(text));
  it('rounds shares down, so 89.6 % never reads as a 90 % threshold, and keeps 95 % at 95', () => {
    expect(formatShare(0.896)).toBe('89 %');
    expect(formatShare(0.95)).toBe('95 %');
    expect(formatShare(1946 / 2048)).toBe('95 %');
  });
});

describe('control-plane.resource-usage', () => {
  it('names a node above 90 % of its allocatable CPU and memory, with the figures and units', async () => {
    const kube = new FakeKubeReader();
    kube.nodeList = [node('cp-1'), node('cp-2')];
    kube.podList = [staticPod('kube-apiserver', 'cp-2')];
    kube.nodeUsage = [nodeUsage('cp-1', '812345678n', '3Gi'), nodeUsage('cp-2', '3720000000n', '15833498Ki')];
    kube.podUsage = [podUsage(kube.podList[0] as Pod, '1200m', '1500Mi')];
    const [finding, ...rest] = await run(kube);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      about: { component: 'node', instance: 'cp-2' },
      signals: ['node.saturated'],
      title: 'Node cp-2 at 3.7 of 4 CPU (93 %) and 15.1Gi of 16Gi (94 %) memory of allocatable',
    });
    expect(finding?.summary).toContain('kube-apiserver-cp-2');
    expect(finding?.evidence).toContainEqual({ label: 'kube-apiserver-cp-2/kube-apiserver', value: '1.2 CPU, 1.5Gi' });
  });

  it('names a control-plane container at 95 % of its memory limit as an OOM risk', async () => {
    const kube = new FakeKubeReader();
    const etcd = staticPod('etcd', 'cp-1', { memory: '2Gi' });
    kube.nodeList = [node('cp-1')];
    kube.podList = [etcd, staticPod('kube-apiserver', 'cp-1')];
    kube.nodeUsage = [nodeUsage('cp-1', '900m', '6Gi')];
    kube.podUsage = [podUsage(etcd, '412m', '1946Mi'), podUsage(kube.podList[1] as Pod, '300m', '1Gi')];
    const findings = await run(kube);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      about: { component: 'etcd', instance: 'etcd-cp-1', node: 'cp-1' },
      signals: ['component.memory-near-limit'],
      title: 'etcd-cp-1/etcd memory at 1.9Gi of 2Gi limit (95 %): OOM kill risk',
      data: { pod: 'etcd-cp-1', container: 'etcd', memoryLimit: 2 * GI },
    });
    expect(findings[0]?.recommendation).toMatch(/\/etc\/kubernetes\/manifests\/etcd\.yaml on cp-1/);
  });

  it('leaves containers without a limit and pods outside the control plane alone', async () => {
    const kube = new FakeKubeReader();
    const coredns: Pod = {
      metadata: { name: 'coredns-1', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      spec: { nodeName: 'cp-1', containers: [{ name: 'coredns', resources: { limits: { memory: '170Mi' } } }] },
    };
    kube.nodeList = [node('cp-1'), node('cp-3')];
    kube.podList = [staticPod('kube-apiserver', 'cp-1'), coredns];
    kube.nodeUsage = [nodeUsage('cp-1', '1', '8Gi')];
    kube.podUsage = [podUsage(kube.podList[0] as Pod, '250m', '3Gi'), podUsage(coredns, '5m', '169Mi')];
    const [finding, ...rest] = await run(kube);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'ok',
      title: 'Nodes below 90 % of allocatable, control-plane containers below 90 % of their memory limits',
    });
    expect(finding?.evidence).toEqual(
      expect.arrayContaining([
        { label: 'busiest node (cp-1)', value: '1 of 4 CPU (25 %), 8Gi of 16Gi (50 %) memory' },
        { label: 'kube-apiserver-cp-1/kube-apiserver', value: '250m CPU, 3Gi (no memory limit)' },
        { label: 'no figures for', value: expect.stringContaining('cp-3') },
        { label: 'measured over', value: '15s (metrics-server)' },
      ]),
    );
  });

  it.each([
    [404, 'not-served', /does not serve metrics\.k8s\.io \(no metrics-server\)/],
    [503, 'unavailable', /registered but its server does not answer/],
  ] as const)('without the metrics API (%p) says so once, as information', async (status, reason, title) => {
    const kube = new FakeKubeReader();
    const error = new MetricsApiUnavailableError(`answered ${status}`, status, reason);
    kube.nodeUsage = error;
    kube.podUsage = error;
    const findings = await run(kube);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'info', data: { served: false, reason } });
    expect(findings[0]?.title).toMatch(title);
  });

  it('lets other failures through, for the runner to report as "could not check"', async () => {
    const kube = new FakeKubeReader();
    kube.nodeUsage = new Error('socket hang up');
    await expect(run(kube)).rejects.toThrow('socket hang up');
  });
});
