import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { oneClusterConfig } from '../../src/config/one-cluster-config.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnosis-report.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';

interface PodData {
  namespace: string;
  name: string;
  schedulerName: string;
  reasons: Array<{ category: string; nodes: number | null }>;
}

describe('scheduler-pending playbook on the scheduler-pending scenario', () => {
  let simulator: RunningSimulator;
  let report: DiagnosisReport;

  beforeAll(async () => {
    simulator = await startSimulator({ scenario: 'scheduler-pending' });
    report = await diagnose(oneClusterConfig({ kube: { kubeconfig: simulator.kubeconfigPath } }), {
      playbook: 'scheduler-pending',
    });
  });
  afterAll(async () => {
    await simulator?.stop();
  });

  function pod(name: string): PodData {
    const pods = report.findings.find((finding) => finding.title.endsWith('waiting for a scheduler'))?.data
      ?.pods as PodData[];
    const found = pods.find((candidate) => `${candidate.namespace}/${candidate.name}` === name);
    if (!found) throw new Error(`no data for ${name}`);
    return found;
  }
  const categories = (name: string) => [...new Set(pod(name).reasons.map((reason) => reason.category))].sort();

  it('finds the pod whose scheduler nobody runs, first', () => {
    expect(report.findings[0]?.title).toBe('1 pod waits for scheduler "my-custom-scheduler", which nothing runs');
  });

  it.each([
    ['shop/reports-6c9f7d8b4f-k2x8q', 'insufficient-cpu'],
    ['shop/recommender-7b5d9c8f6b-w2k9p', 'insufficient-memory'],
    ['ci/build-cache-warmup-29017440-r8k2m', 'insufficient-ephemeral-storage'],
    ['ml/finetune-llama-r7d2k', 'insufficient-extended-resource'],
    ['batch/ingest-backfill-226-9vl2m', 'insufficient-pods'],
    ['shop/catalog-5f6b7c8d9d-h3n6z', 'node-affinity-mismatch'],
    ['edge/traefik-7f8d6c9b5-m4x2k', 'host-port-conflict'],
  ])('gives %s the category %s', (name, category) => {
    expect(categories(name)).toContain(category);
    expect(pod(name).reasons.find((reason) => reason.category === category)?.nodes).toBeGreaterThan(0);
  });

  it('covers every category the scenario builds', () => {
    const pods = report.findings.find((finding) => finding.title.endsWith('waiting for a scheduler'))?.data
      ?.pods as PodData[];
    const seen = new Set(pods.flatMap((candidate) => candidate.reasons.map((reason) => reason.category)));
    for (const category of [
      'insufficient-cpu',
      'insufficient-memory',
      'insufficient-pods',
      'insufficient-ephemeral-storage',
      'insufficient-extended-resource',
      'untolerated-taint',
      'node-affinity-mismatch',
      'unschedulable-node',
      'volume-node-affinity-conflict',
      'unbound-pvc',
      'pod-anti-affinity',
      'topology-spread',
      'host-port-conflict',
      'scheduling-gated',
    ]) {
      expect(seen).toContain(category);
    }
  });

  it('names the taint that blocks pods and the cordoned node', () => {
    const titles = report.findings
      .filter((finding) => finding.check === 'scheduler.taints')
      .map((finding) => finding.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        '1 node cordoned: worker-3',
        expect.stringMatching(/^Taint dedicated=gpu:NoSchedule on 2 nodes keeps \d+ Pending pods? off$/),
      ]),
    );
  });

  it('says no node can fit the oversized pod', () => {
    expect(report.findings.map((finding) => finding.title)).toContainEqual(
      expect.stringMatching(
        /^No node analytics\/etl-backfill-qj7xw can use has 16 cpu free \(most free: [\d.]+m? on worker-1\)$/,
      ),
    );
  });
});
