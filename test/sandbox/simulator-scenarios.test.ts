import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScenarioError } from '../../src/core/errors.js';
import {
  buildScenario,
  defaultScenariosDir,
  listScenarios,
  loadScenario,
  resolveTimestamp,
  type Scenario,
  type SimObject,
} from '../../src/sandbox/simulator/index.js';

/** Every object of a resource, in key order. */
function all(scenario: Scenario, resource: keyof Scenario['objects']): SimObject[] {
  const source = scenario.objects[resource];
  return Array.from({ length: source.size }, (_, index) => source.at(index));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- scenario objects are untyped JSON, checked field by field
function find(scenario: Scenario, resource: keyof Scenario['objects'], key: string): any {
  const source = scenario.objects[resource];
  const index = source.lowerBound(key);
  if (source.keyAt(index) !== key) throw new Error(`no ${resource} ${key}`);
  return source.at(index);
}

const NOW = Date.parse('2025-03-01T12:00:00Z');
const ageSeconds = (timestamp: string): number => (NOW - Date.parse(resolveTimestamp(timestamp, NOW, true))) / 1000;

describe('shipped scenarios', () => {
  it('lists the scenario files', async () => {
    expect(await listScenarios()).toEqual(
      expect.arrayContaining(['control-plane-degraded', 'etcd-db-growth', 'healthy']),
    );
  });

  it.each(['healthy', 'control-plane-degraded', 'etcd-db-growth'])(
    '%s loads and holds a control plane of 3 nodes',
    async (name) => {
      const scenario = await loadScenario(name);
      expect(scenario.name).toBe(name);
      expect(scenario.cluster).toEqual({ name: 'prod-eu-1', version: 'v1.32.2', endpoint: '10.0.0.10:6443' });
      const controlPlane = all(scenario, 'nodes').filter(
        (node) => 'node-role.kubernetes.io/control-plane' in (node.metadata.labels ?? {}),
      );
      expect(controlPlane.map((node) => node.metadata.name)).toEqual(['cp-1', 'cp-2', 'cp-3']);
      for (const component of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd']) {
        for (const node of ['cp-1', 'cp-2', 'cp-3']) {
          const pod = find(scenario, 'pods', `kube-system/${component}-${node}`);
          expect(pod.metadata.labels).toEqual({ component, tier: 'control-plane' });
          expect(pod.spec.nodeName).toBe(node);
        }
      }
      const revision = Number(scenario.revision);
      for (const resource of ['nodes', 'pods', 'events', 'leases', 'namespaces'] as const) {
        for (const object of all(scenario, resource))
          expect(Number(object.metadata.resourceVersion)).toBeLessThanOrEqual(revision);
      }
    },
  );

  it.each([
    'etcd-member-down',
    'etcd-nospace',
    'apiserver-oom',
    'scheduler-no-leader',
    'control-plane-node-not-ready',
    'healthy-noisy',
    'scheduler-rbac-forbidden',
    'controller-manager-cert-expired',
    'client-certificates-expiring',
  ])('%s loads and cites the public incident report it is shaped after', async (name) => {
    const scenario = await loadScenario(name);
    expect(scenario.name).toBe(name);
    const text = await readFile(join(defaultScenariosDir(), `${name}.yaml`), 'utf8');
    expect(text).toMatch(/^# .*https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/(issues|pull)\/\d+/m);
  });

  it('healthy: fresh leader leases, every pod running, every check passing', async () => {
    const scenario = await loadScenario('healthy');
    for (const name of ['kube-scheduler', 'kube-controller-manager']) {
      const lease = find(scenario, 'leases', `kube-system/${name}`);
      expect(lease.spec.holderIdentity).toMatch(/^cp-\d_[0-9a-f-]{36}$/);
      expect(ageSeconds(lease.spec.renewTime)).toBeLessThan(lease.spec.leaseDurationSeconds);
    }
    expect(all(scenario, 'pods').every((pod) => (pod.status as { phase: string }).phase === 'Running')).toBe(true);
    expect(
      Object.values(scenario.health)
        .flat()
        .every((check) => check.error === undefined),
    ).toBe(true);
    expect(all(scenario, 'events').every((event) => event.type === 'Normal')).toBe(true);
  });

  it('control-plane-degraded: stale scheduler lease, crash-looping controller manager, NotReady worker', async () => {
    const scenario = await loadScenario('control-plane-degraded');
    const lease = find(scenario, 'leases', 'kube-system/kube-scheduler');
    expect(lease.spec.holderIdentity).toMatch(/^cp-2_/);
    expect(ageSeconds(lease.spec.renewTime)).toBeGreaterThan(180);

    const kcm = find(scenario, 'pods', 'kube-system/kube-controller-manager-cp-2');
    expect(kcm.status.containerStatuses[0]).toMatchObject({
      ready: false,
      restartCount: 41,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { reason: 'Error', exitCode: 1 } },
    });
    const previous = scenario.logs.find((log) => log.pod === 'kube-controller-manager-cp-2' && log.previous);
    expect(previous?.text).toMatch(/Authorization: Bearer eyJ[\w-]+\.[\w-]+\.[\w-]+/);

    const worker = find(scenario, 'nodes', 'worker-2');
    expect(worker.status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
      }),
    );
    expect(worker.spec.taints).toContainEqual(
      expect.objectContaining({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }),
    );

    expect(scenario.health.readyz.filter((check) => check.error).map((check) => check.name)).toEqual([
      'etcd',
      'etcd-readiness',
      'poststarthook/crd-informer-synced',
    ]);
    const warnings = all(scenario, 'events')
      .filter((event) => event.type === 'Warning')
      .map((event) => event.reason);
    expect(warnings).toEqual(expect.arrayContaining(['BackOff', 'Unhealthy', 'NodeNotReady']));
    const backOff = all(scenario, 'events').find((event) => event.reason === 'BackOff') as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- untyped JSON
    expect(backOff.involvedObject.uid).toBe(kcm.metadata.uid);
    expect(backOff.message).toContain(kcm.metadata.uid);
  });

  it('etcd-db-growth: NOSPACE write failures in events and metrics, readiness still passing', async () => {
    const scenario = await loadScenario('etcd-db-growth');
    const messages = all(scenario, 'events')
      .filter((event) => event.type === 'Warning')
      .map((event) => String(event.message));
    expect(messages.length).toBeGreaterThanOrEqual(3);
    expect(messages.every((message) => message.includes('etcdserver: mvcc: database space exceeded'))).toBe(true);
    expect(scenario.health.readyz.every((check) => check.error === undefined)).toBe(true);
    const requests = scenario.metrics.find((family) => family.name === 'apiserver_request_total');
    expect(
      requests?.type === 'counter' &&
        requests.series.some((series) => series.labels.code === '500' && series.perSecond > 0),
    ).toBe(true);
    // Inherited from healthy and left alone:
    expect(scenario.metrics.map((family) => family.name)).toEqual(
      expect.arrayContaining(['apiserver_request_duration_seconds', 'apiserver_current_inflight_requests']),
    );
  });
});

describe('scenario files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quorum-scenario-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes `<name>.yaml` with a valid header and `body`, and loads it. */
  async function load(
    name: string,
    body: string,
    header = `name: ${name}\ndescription: test\ncluster: { name: test, version: v1.32.2 }\n`,
  ): Promise<Scenario> {
    await writeFile(join(dir, `${name}.yaml`), header + body);
    return loadScenario(name, dir);
  }

  async function problem(name: string, body: string, header?: string): Promise<string> {
    const error = await load(name, body, header).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).code).toBe('quorum_scenario_error');
    expect((error as ScenarioError).message).toContain(join(dir, `${name}.yaml`));
    return (error as ScenarioError).message;
  }

  const pod = (status: string): string => `pods:
  - metadata: { name: p, namespace: default }
    spec: { containers: [{ name: c, image: i }] }
    status: ${status}
`;

  it.each([
    [
      'bad-count',
      pod('{ phase: Running, containerStatuses: [{ name: c, ready: true, restartCount: many }] }'),
      'pods[0] (p).status.containerStatuses[0].restartCount: ',
    ],
    ['bad-phase', pod('{ phase: Crashing }'), 'pods[0] (p).status.phase: '],
    [
      'bad-time',
      pod('{ phase: Running, startTime: yesterday }'),
      'pods[0] (p).status.startTime: expected an RFC 3339 time',
    ],
    [
      'bad-label',
      'nodes:\n  - metadata: { name: n, labels: { ready: true } }\n',
      'nodes[0] (n).metadata.labels.ready: label and annotation values must be strings',
    ],
    [
      'bad-condition',
      'nodes:\n  - metadata: { name: n }\n    status: { conditions: [{ type: Ready, status: true }] }\n',
      'nodes[0] (n).status.conditions[0].status: ',
    ],
    [
      'no-namespace',
      pod('{ phase: Running }').replace('default', 'nowhere'),
      'pods[0] (p).metadata.namespace: namespace "nowhere" is not declared',
    ],
    ['no-template', 'pods:\n  - template: missing\n', 'pods[0].template: no template "missing"'],
    [
      'no-variable',
      'templates:\n  n: { metadata: { name: "${nope}" } }\nnodes:\n  - template: n\n',
      'nodes[0] (template "n"): ${nope} is not defined',
    ],
    [
      'bad-health',
      'health:\n  readyz:\n    failing: { etcdd: down }\n',
      'health.readyz.failing.etcdd: /readyz has no check "etcdd"',
    ],
    [
      'bad-patch',
      'patches:\n  nodes:\n    cp-9: { spec: { unschedulable: true } }\n',
      'patches.nodes["cp-9"]: no object in nodes has this key',
    ],
    ['bad-log', 'logs:\n  - { pod: ghost, text: boo }\n', 'logs[0].pod: no pod "ghost" in namespace "default"'],
    ['duplicate', 'nodes:\n  - metadata: { name: n }\n  - metadata: { name: n }\n', 'two objects are named "n"'],
    [
      'bad-weights',
      'metrics:\n  - { name: h, type: histogram, help: h, buckets: [1, 2], series: [{ latency: { weights: [1, 1] } }] }\n',
      'metrics[0].series[0].latency.weights: needs 3 weights',
    ],
    [
      'bad-buckets',
      'metrics:\n  - { name: h, type: histogram, help: h, buckets: [2, 1], series: [] }\n',
      'metrics[0].buckets: bucket bounds must increase',
    ],
    ['typo', 'nodez: []\n', 'Unrecognized key: "nodez"'],
  ])('%s: the error names the file and the path', async (name, body, expected) => {
    expect(await problem(name, body)).toContain(expected);
  });

  it('reports every problem of a file at once', async () => {
    const message = await problem('many', `${pod('{ phase: Crashing }')}logs:\n  - { pod: ghost, text: boo }\n`);
    expect(message).toContain('pods[0] (p).status.phase');
    expect(message).toContain('logs[0].pod');
  });

  it.each([
    [
      'wrong-name',
      'name: other\ndescription: d\ncluster: { name: c, version: v1.32.2 }\n',
      'name: "other" must match the file name "wrong-name"',
    ],
    ['bad-yaml', 'name: bad-yaml\ndescription: [unclosed\n', 'is not valid YAML'],
    [
      'bad-version',
      'name: bad-version\ndescription: d\ncluster: { name: c, version: "1.32" }\n',
      'cluster.version: a Kubernetes version like v1.32.2',
    ],
  ])('%s: %s', async (name, header, expected) => {
    expect(await problem(name, '', header)).toContain(expected);
  });

  it('refuses an extends cycle, naming the file whose extends closes it', async () => {
    await writeFile(join(dir, 'loop-a.yaml'), 'name: loop-a\nextends: loop-b\n');
    await writeFile(join(dir, 'loop-b.yaml'), 'name: loop-b\nextends: loop-a\n');
    await expect(loadScenario('loop-a', dir)).rejects.toThrow(
      `Scenario file ${join(dir, 'loop-b.yaml')} is invalid:\n  - extends: "loop-a" extends itself (loop-a.yaml → loop-b.yaml → loop-a.yaml)`,
    );
  });

  it('names unknown scenarios and lists the known ones', async () => {
    await expect(loadScenario('no-such-scenario')).rejects.toThrow(
      /Unknown scenario "no-such-scenario"\. Available scenarios: .*healthy/,
    );
  });

  it('expands templates with each (ranges and lists), with, typed variables and patches', async () => {
    const scenario = await load(
      'templates',
      `templates:
  worker:
    metadata: { name: "w-\${zone}-\${i}", labels: { zone: "\${zone}", literal: "$\${i}" } }
    spec: { podCIDR: "10.0.\${i}.0/24" }
    status: { capacity: { pods: "\${pods}" } }
nodes:
  - template: worker
    with: { pods: 110 }
    each: { i: { from: 1, to: 3 }, zone: [a, b] }
    patch: { spec: { unschedulable: true } }
  - template: worker
    each: [{ i: 9, zone: c, pods: 250 }]
`,
    );
    const nodes = all(scenario, 'nodes') as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- untyped JSON
    expect(nodes.map((node) => node.metadata.name)).toEqual([
      'w-a-1',
      'w-a-2',
      'w-a-3',
      'w-b-1',
      'w-b-2',
      'w-b-3',
      'w-c-9',
    ]);
    expect(nodes[1]).toMatchObject({
      metadata: { labels: { zone: 'a', literal: '${i}' } },
      spec: { podCIDR: '10.0.2.0/24', unschedulable: true },
      status: { capacity: { pods: '110' } },
    });
    expect(nodes[6].spec.unschedulable).toBeUndefined();
    expect(nodes[6].status.capacity.pods).toBe('250');
    // Defaults the API server or kubelet would have filled:
    expect(nodes[0].metadata.labels['kubernetes.io/hostname']).toBe('w-a-1');
    expect(nodes[0].status.nodeInfo.kubeletVersion).toBe('v1.32.2');
  });

  it('extends another scenario: lists add up, patches apply by key, metric families are replaced by name', async () => {
    await load(
      'base',
      `nodes:
  - metadata: { name: n1 }
  - metadata: { name: n2 }
metrics:
  - { name: a_total, type: counter, help: a, series: [{ value: 1 }] }
  - { name: b_total, type: counter, help: b, series: [{ value: 1 }] }
`,
    );
    const child = await load(
      'child',
      `nodes:
  - metadata: { name: n3 }
patches:
  nodes:
    n2: { spec: { unschedulable: true } }
metrics:
  - { name: b_total, type: counter, help: b, series: [{ value: 7, perSecond: 2 }] }
health:
  livez: { failing: { etcd: down } }
`,
      'name: child\nextends: base\ndescription: child of base\n',
    );
    expect(child.description).toBe('child of base');
    expect(
      all(child, 'nodes').map((node) => [
        node.metadata.name,
        (node.spec as { unschedulable?: boolean } | undefined)?.unschedulable,
      ]),
    ).toEqual([
      ['n1', undefined],
      ['n2', true],
      ['n3', undefined],
    ]);
    expect(
      child.metrics.map((family) => [
        family.name,
        family.series[0] && 'value' in family.series[0] ? family.series[0].value : undefined,
      ]),
    ).toEqual([
      ['a_total', 1],
      ['b_total', 7],
    ]);
    expect(child.health.livez.find((check) => check.name === 'etcd')?.error).toBe('down');
  });

  it('builds a scenario from content made in code, as a generator would', () => {
    const nodes = Array.from({ length: 50 }, (_, index) => ({
      metadata: { name: `node-${String(index).padStart(3, '0')}` },
    }));
    const scenario = buildScenario(
      { name: 'generated', description: 'made in code', cluster: { name: 'gen', version: 'v1.32.2' }, nodes },
      '(generated)',
    );
    expect(scenario.objects.nodes.size).toBe(50);
    expect(scenario.objects.nodes.keyAt(49)).toBe('node-049');
    expect(() => buildScenario({ name: 'generated' }, '(generated)')).toThrow(
      /Scenario file \(generated\) is invalid:\n {2}- description: /,
    );
  });
});
