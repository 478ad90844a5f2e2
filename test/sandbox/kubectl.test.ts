import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';

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

/** Runs the real kubectl against a simulator with a private cache directory and HOME. */
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

/** The first column of each row of kubectl's table output (after NAMESPACE with -A). */
function column(output: string, index = 0): string[] {
  return output
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/\s+/)[index] ?? '');
}

describeWithKubectl('kubectl 1.32 against the simulator (healthy)', () => {
  let sim: RunningSimulator;
  let home: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'quorum-kubectl-'));
    sim = await startSimulator({ scenario: 'healthy' });
  });
  afterAll(async () => {
    await sim.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('get nodes', async () => {
    const run = await kubectl(sim, home, 'get', 'nodes');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n/);
    expect(column(run.stdout)).toEqual(['cp-1', 'cp-2', 'cp-3', 'worker-1', 'worker-2', 'worker-3']);
    expect(run.stdout).toMatch(/cp-1\s+Ready\s+control-plane\s+120d\s+v1\.32\.2/);
  });

  it('discovers resources through the legacy documents after asking for aggregated discovery', () => {
    const paths = sim.requests.entries.map((entry) => entry.path.split('?')[0]);
    expect(paths).toEqual(expect.arrayContaining(['/api', '/apis', '/api/v1', '/apis/coordination.k8s.io/v1']));
  });

  it('get pods -A, across several chunks', async () => {
    const run = await kubectl(sim, home, 'get', 'pods', '-A', '--chunk-size=7');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    const names = column(run.stdout, 1);
    expect(names).toHaveLength(23);
    expect(names).toEqual(
      expect.arrayContaining([
        'kube-apiserver-cp-1',
        'kube-controller-manager-cp-2',
        'kube-scheduler-cp-3',
        'etcd-cp-1',
        'coredns-668d6bf9bc-4xq2w',
        'kube-proxy-7xk2p',
      ]),
    );
    expect(
      sim.requests.count((entry) => entry.path.startsWith('/api/v1/pods?') && entry.path.includes('continue=')),
    ).toBeGreaterThanOrEqual(3);
  });

  it('get events -A', async () => {
    const run = await kubectl(sim, home, 'get', 'events', '-A');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^NAMESPACE\s+LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
    expect(run.stdout).toContain('pod/web-5d8f7c6b9d-h7kqz');
    expect(run.stdout).toContain('Successfully assigned shop/web-5d8f7c6b9d-h7kqz to worker-1');
  });

  it('get leases -n kube-system', async () => {
    const run = await kubectl(sim, home, 'get', 'leases', '-n', 'kube-system');
    expect(run.code).toBe(0);
    expect(column(run.stdout)).toEqual(expect.arrayContaining(['kube-scheduler', 'kube-controller-manager']));
    expect(run.stdout).toMatch(/kube-scheduler\s+cp-2_3f6b0c1e-8d4a-4f7e-9b21-6c5d8e2a1f90/);
  });

  it("get --raw '/readyz?verbose'", async () => {
    const run = await kubectl(sim, home, 'get', '--raw', '/readyz?verbose');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('[+]etcd ok\n');
    expect(run.stdout.trim().split('\n').at(-1)).toBe('readyz check passed');
  });

  it('selects with -l and --field-selector, and prints names from plain lists', async () => {
    const run = await kubectl(
      sim,
      home,
      'get',
      'pods',
      '-A',
      '-l',
      'tier=control-plane,component in (etcd)',
      '--field-selector',
      'spec.nodeName!=cp-3',
      '-o',
      'name',
    );
    expect(run).toMatchObject({ code: 0, stdout: 'pod/etcd-cp-1\npod/etcd-cp-2\n' });
  });

  it('gets one object as JSON', async () => {
    const run = await kubectl(sim, home, 'get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      spec: { leaseDurationSeconds: 15 },
    });
  });

  it('describes a node, which reads the node, its lease and its pods', async () => {
    const run = await kubectl(sim, home, 'describe', 'node', 'cp-1');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Roles:\s+control-plane/);
    expect(run.stdout).toMatch(/HolderIdentity:\s+cp-1/);
    expect(run.stdout).toContain('kube-apiserver-cp-1');
  });

  it('reports a missing object as the API server does', async () => {
    const run = await kubectl(sim, home, 'get', 'pod', '-n', 'kube-system', 'nope');
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found');
  });
});

describeWithKubectl('kubectl 1.32 against the simulator (control-plane-degraded)', () => {
  let sim: RunningSimulator;
  let home: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'quorum-kubectl-'));
    sim = await startSimulator({ scenario: 'control-plane-degraded' });
  });
  afterAll(async () => {
    await sim.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('shows the crash loop and the NotReady node', async () => {
    const pods = await kubectl(sim, home, 'get', 'pods', '-n', 'kube-system');
    expect(pods.code).toBe(0);
    expect(pods.stdout).toMatch(/kube-controller-manager-cp-2\s+0\/1\s+CrashLoopBackOff\s+41 \(3m18s ago\)/);
    const nodes = await kubectl(sim, home, 'get', 'nodes');
    expect(nodes.stdout).toMatch(/worker-2\s+NotReady/);
  });

  it('reads the previous log of the crashed container', async () => {
    const run = await kubectl(
      sim,
      home,
      'logs',
      '-n',
      'kube-system',
      'kube-controller-manager-cp-2',
      '--previous',
      '--tail=1',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"Error building controller context"');
  });

  it('fails get --raw /readyz with the failing checks', async () => {
    const run = await kubectl(sim, home, 'get', '--raw', '/readyz?verbose');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error from server (InternalError)');
    expect(run.stderr).toContain('[-]etcd failed: reason withheld');
    expect(run.stderr).toContain('readyz check failed');
  });

  it('lists the Warning events', async () => {
    const run = await kubectl(sim, home, 'get', 'events', '-A', '--field-selector', 'type=Warning');
    expect(run.code).toBe(0);
    expect(column(run.stdout, 3)).toEqual(expect.arrayContaining(['BackOff', 'Unhealthy', 'NodeNotReady']));
  });
});
