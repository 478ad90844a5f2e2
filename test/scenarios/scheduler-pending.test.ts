import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { oneClusterConfig } from '../../src/config/one-cluster-config.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnosis-report.js';
import {
  defaultScenariosDir,
  parseScenario,
  startSimulator,
  type RunningSimulator,
} from '../../src/sandbox/simulator/index.js';

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

  const byCheck = (check: string) => report.findings.filter((finding) => finding.check === check);

  it('ranks the reasons by nodes blocked, then pods held, one line each', () => {
    const summary = report.findings.find((finding) => finding.title === '17 pods waiting for a scheduler');
    expect(summary?.evidence.map((item) => `${item.label}: ${item.value}`)).toEqual([
      // A PreFilter verdict (the claim is unbound) rules out every node.
      'Unbound or missing PersistentVolumeClaim: 1 pod held; blocks all 8 nodes',
      // The control-plane taint (3 nodes) is left out where a pod has other reasons.
      'Untolerated taint: 14 pods held; blocks 1–3 of 8 nodes',
      'Insufficient nvidia.com/gpu: 2 pods held; blocks 1–2 of 8 nodes',
      'Cordoned nodes: 14 pods held; blocks 1 of 8 nodes',
      'Insufficient CPU: 3 pods held; blocks 1 of 8 nodes',
      'Node selector/affinity mismatch: 3 pods held; blocks 1 of 8 nodes',
      'Insufficient memory: 2 pods held; blocks 1 of 8 nodes',
      'Too many pods (max-pods): 1 pod held; blocks 1 of 8 nodes',
      'Insufficient ephemeral-storage: 1 pod held; blocks 1 of 8 nodes',
      'Volume node affinity (zone) conflict: 1 pod held; blocks 1 of 8 nodes',
      'Pod affinity: 1 pod held; blocks 1 of 8 nodes',
      'Pod anti-affinity: 1 pod held; blocks 1 of 8 nodes',
      'Topology spread: 1 pod held; blocks 1 of 8 nodes',
      'Host port taken: 1 pod held; blocks 1 of 8 nodes',
      'Scheduling gated: 1 pod held; not yet sent to the scheduler',
    ]);
    // The findings below it come in the same order.
    const groups = byCheck('scheduler.pending-pods').filter((finding) => typeof finding.data?.category === 'string');
    expect(groups.map((finding) => finding.title)).toEqual(
      summary?.evidence.map((item) => `${item.label}: ${item.value}`),
    );
  });

  it('words each reason as the scheduler counted it, never "on any node"', () => {
    const group = (label: string) =>
      byCheck('scheduler.pending-pods').find((finding) => finding.title.startsWith(`${label}:`));
    expect(group('Insufficient memory')?.summary).toMatch(/^1 of 8 nodes lacks memory\. /);
    expect(group('Cordoned nodes')?.summary).toMatch(/^1 of 8 nodes is cordoned\. /);
    expect(group('Unbound or missing PersistentVolumeClaim')?.summary).toMatch(
      /^All 8 nodes are ruled out by the volume claim\. /,
    );
    for (const finding of report.findings) expect(`${finding.title} ${finding.summary}`).not.toMatch(/any node/);
  });

  it('quotes requests as Kubernetes writes them', () => {
    const memory = byCheck('scheduler.pending-pods').find((finding) =>
      finding.title.startsWith('Insufficient memory:'),
    );
    expect(memory?.evidence).toEqual(
      expect.arrayContaining([
        { label: 'analytics/etl-backfill-qj7xw', value: 'pending 3h 0m, cpu 16, memory 32Gi' },
        { label: 'shop/recommender-7b5d9c8f6b-w2k9p', value: 'pending 1h 20m, cpu 200m, memory 4Gi' },
      ]),
    );
    // No raw byte counts or fractions of a core anywhere the scheduler checks quote amounts (the scheduler's own
    // message aside).
    for (const finding of report.findings.filter((candidate) => candidate.check.startsWith('scheduler.'))) {
      const amounts = [
        finding.title,
        ...finding.evidence.filter((item) => !item.label.startsWith('scheduler says')).map((item) => item.value),
      ];
      for (const text of amounts) expect(text).not.toMatch(/(?<![\w-])\d{6,}(?![\w-])|\b0\.\d|bytes|GiB|MiB/);
    }
  });

  it('judges capacity on the nodes each pod could use, and says what was excluded', () => {
    const titles = byCheck('scheduler.capacity').map((finding) => finding.title);
    expect(titles).toEqual([
      'The only eligible node lacks CPU (worker-1: 220m free; analytics/etl-backfill-qj7xw requests 16)',
      'The only eligible node lacks memory (worker-1: 2.44Gi free; analytics/etl-backfill-qj7xw requests 32Gi)',
      'The only eligible node is at its pod limit (worker-2: 110 of 110 pods)',
      'The only eligible node lacks ephemeral-storage (worker-1: 37.1Gi free; ci/build-cache-warmup-29017440-r8k2m requests 40Gi)',
      'The only eligible node lacks nvidia.com/gpu (worker-1: 0 free; ml/embeddings-api-84c7d9f5b6-x5q8n requests 1)',
      expect.stringMatching(/^Schedulable nodes: /),
    ]);
    const memory = byCheck('scheduler.capacity')[1];
    expect(memory?.summary).toMatch(
      /^Judged on the 1 node analytics\/etl-backfill-qj7xw could use: 7 of 8 nodes excluded \(6 untolerated taints, 1 cordoned\)\./,
    );
    expect(memory?.evidence).toEqual(
      expect.arrayContaining([
        {
          label: 'excluded',
          value:
            '3 taint node-role.kubernetes.io/control-plane:NoSchedule (cp-1, cp-2, cp-3), 2 taint dedicated=gpu:NoSchedule (gpu-1, gpu-2), 1 taint workload=batch:NoSchedule (worker-2), 1 cordoned (worker-3)',
        },
        // The scheduler's count and the eligible nodes found agree.
        { label: 'scheduler counted', value: '1 of 8 nodes: Insufficient memory' },
      ]),
    );
    // The batch Job selects the batch pool and tolerates its taint: only worker-2 counts for it.
    const pods = byCheck('scheduler.capacity')[2];
    expect(pods?.summary).toMatch(
      /7 of 8 nodes excluded \(5 untolerated taints, 1 nodeSelector mismatch, 1 cordoned\)/,
    );
    expect(pods?.recommendation).toMatch(/^worker-3 has room but is cordoned: uncordon once the maintenance is over\./);
    // The GPU pod without the GPU toleration: its only eligible node has no GPU at all.
    expect(byCheck('scheduler.capacity')[4]?.evidence).toContainEqual({
      label: 'ml/finetune-llama-r7d2k',
      value: 'requests 1; 2 eligible nodes, largest free 0 on gpu-1',
    });
  });
});

describe('scheduler-pending playbook when kube-scheduler runs a second profile', () => {
  // One kube-scheduler process serves default-scheduler and bin-packing: one lease (kube-scheduler), and the
  // profile's events name it (reportingComponent bin-packing, reportingInstance bin-packing-cp-2).
  const profile = `
name: scheduler-profile
extends: scheduler-pending
description: scheduler-pending plus a kube-scheduler profile "bin-packing" that scheduled a Job pod 6 minutes ago.
pods:
  - metadata: { name: compact-index-29017455-q9w4n, namespace: batch, creationTimestamp: -1m }
    spec:
      schedulerName: bin-packing
      restartPolicy: Never
      containers:
        - name: compact
          image: ghcr.io/example/compact:1.2.0
          resources: { requests: { cpu: 100m, memory: 128Mi } }
    status: { phase: Pending, qosClass: Burstable }
events:
  # The pod it placed has finished and is gone; its Scheduled event stays for the event TTL.
  - metadata: { namespace: batch }
    involvedObject: { kind: Pod, namespace: batch, name: compact-index-29017450-x7k2p }
    reason: Scheduled
    message: Successfully assigned batch/compact-index-29017450-x7k2p to worker-2
    type: Normal
    action: Binding
    eventTime: -6m
    firstTimestamp: null
    lastTimestamp: null
    reportingComponent: bin-packing
    reportingInstance: bin-packing-cp-2
    source: {}
`;
  let simulator: RunningSimulator;
  let report: DiagnosisReport;

  beforeAll(async () => {
    const scenario = await parseScenario(profile, join(defaultScenariosDir(), 'scheduler-profile.yaml'));
    simulator = await startSimulator({ scenario });
    report = await diagnose(oneClusterConfig({ kube: { kubeconfig: simulator.kubeconfigPath } }), {
      playbook: 'scheduler-pending',
    });
  });
  afterAll(async () => {
    await simulator?.stop();
  });

  const about = (scheduler: string) =>
    report.findings.find((finding) => finding.data?.schedulerName === scheduler && 'served' in finding.data);

  it('finds the profile at work through its events, though no lease carries its name', () => {
    const finding = about('bin-packing');
    expect(finding?.severity).toBe('info');
    expect(finding?.title).toMatch(/^1 pod not yet scheduled by "bin-packing" \(waiting up to 1m \d+s\)$/);
    expect(finding?.summary).toContain('most likely a profile of kube-scheduler');
    expect(finding?.evidence).toContainEqual({
      label: 'events from "bin-packing"',
      value: expect.stringMatching(
        /^1 Scheduled, 0 FailedScheduling in 1h 0m; newest 6m \d+s ago by bin-packing-cp-2$/,
      ),
    });
  });

  it('still calls the scheduler nothing runs critical, saying what it checked', () => {
    const finding = about('my-custom-scheduler');
    expect(finding?.severity).toBe('critical');
    expect(report.findings[0]).toBe(finding);
    expect(finding?.summary).toContain('kube-scheduler is healthy but shows no profile by that name');
    expect(finding?.evidence).toContainEqual({ label: 'events from "my-custom-scheduler"', value: 'none' });
  });
});
