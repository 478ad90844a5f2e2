import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { oneClusterConfig } from '../../src/config/one-cluster-config.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnosis-report.js';
import { generateScaleScenario, startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';

/** What a diagnosis asks a large cluster for: each list once, and only what its conclusion needs. */
describe('requests of scheduler-pending and control-plane-health on a generated cluster', () => {
  let simulator: RunningSimulator;
  const reports = new Map<string, { report: DiagnosisReport; paths: string[] }>();

  beforeAll(async () => {
    simulator = await startSimulator({ scenario: generateScaleScenario({ nodes: 200, pods: 4000, pending: 60 }) });
    const config = oneClusterConfig({ kube: { kubeconfig: simulator.kubeconfigPath, pageSize: 500 } });
    for (const playbook of ['scheduler-pending', 'control-plane-health']) {
      const first = simulator.requests.entries.length;
      const report = await diagnose(config, { playbook });
      reports.set(playbook, { report, paths: simulator.requests.entries.slice(first).map((entry) => entry.path) });
    }
  });
  afterAll(async () => {
    await simulator?.stop();
  });

  const query = (path: string) => Object.fromEntries(new URL(path, 'https://x').searchParams);
  const lists = (playbook: string, resource: string) =>
    (reports.get(playbook)?.paths ?? []).filter((path) => path.split('?')[0] === resource);

  it('reads every pod of the cluster once, in one pass of lean footprints, and each page once', () => {
    const pods = lists('scheduler-pending', '/api/v1/pods');
    const firstPages = pods.filter((path) => !query(path).continue);
    expect(firstPages.map((path) => query(path).fieldSelector).sort()).toEqual([
      'spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed',
      'status.phase=Pending',
    ]);
    const continued = pods.filter((path) => query(path).continue).map((path) => query(path).continue);
    expect(new Set(continued).size).toBe(continued.length);
    // 4000 pods, 60 Pending: 8 pages of bound pods.
    expect(pods.filter((path) => query(path).fieldSelector?.startsWith('spec.nodeName'))).toHaveLength(8);
  });

  it('asks the watch cache (resourceVersion=0) for the Pending pods and their FailedScheduling events, whole', () => {
    const pending = lists('scheduler-pending', '/api/v1/pods').filter(
      (path) => query(path).fieldSelector === 'status.phase=Pending',
    );
    expect(pending.map(query)).toEqual([{ fieldSelector: 'status.phase=Pending', limit: '500', resourceVersion: '0' }]);
    const events = lists('scheduler-pending', '/api/v1/events').filter(
      (path) => query(path).fieldSelector === 'reason=FailedScheduling',
    );
    expect(events.map(query)).toEqual([
      { fieldSelector: 'reason=FailedScheduling', limit: '500', resourceVersion: '0' },
    ]);
  });

  it("reads the nodes once for both scheduler checks that need them, and the scheduler pod's node by name", () => {
    const nodes = lists('scheduler-pending', '/api/v1/nodes').filter((path) => !query(path).continue);
    const named = nodes.filter((path) => query(path).fieldSelector?.startsWith('metadata.name='));
    expect(nodes.filter((path) => !named.includes(path))).toHaveLength(1);
    // One read per control-plane node that hosts a kube-scheduler pod, never the whole list again.
    const names = named.map((path) => query(path).fieldSelector?.slice('metadata.name='.length));
    expect(new Set(names).size).toBe(names.length);
    expect(names.every((name) => name?.startsWith('cp-'))).toBe(true);
  });

  it('finds the control-plane pods by metadata and reads only those whole', () => {
    const paths = reports.get('control-plane-health')?.paths ?? [];
    expect(lists('control-plane-health', '/api/v1/namespaces/kube-system/pods').map(query)).toEqual([{ limit: '500' }]);
    const gets = paths.filter((path) => /^\/api\/v1\/namespaces\/kube-system\/pods\/[^/?]+$/.test(path));
    expect(gets.sort()).toEqual(
      ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].flatMap((component) =>
        [1, 2, 3].map((n) => `/api/v1/namespaces/kube-system/pods/${component}-cp-${n}`),
      ),
    );
    const pods = reports
      .get('control-plane-health')
      ?.report.findings.find((finding) => finding.check === 'control-plane.pods');
    expect(pods?.title).toBe('12 control-plane pods running and ready');
  });

  it('still reaches its conclusions: the Pending pods grouped by reason, nothing left unchecked', () => {
    const findings = reports.get('scheduler-pending')?.report.findings ?? [];
    expect(findings.some((finding) => finding.title.startsWith('Could not check'))).toBe(false);
    expect(findings.find((finding) => finding.title.endsWith('waiting for a scheduler'))?.title).toBe(
      '60 pods waiting for a scheduler',
    );
    expect(findings.some((finding) => finding.check === 'scheduler.capacity' && finding.severity === 'warning')).toBe(
      true,
    );
  });
});
