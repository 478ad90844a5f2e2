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

  it('says no node can fit the oversized pod', () => {
    expect(report.findings.map((finding) => finding.title)).toContainEqual(
      expect.stringMatching(
        /^No node analytics\/etl-backfill-qj7xw can use has 16 cpu free \(most free: [\d.]+m? on worker-1\)$/,
      ),
    );
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
