/**
 * etcd out of space (kubernetes/kops#4005, kubernetes/kubernetes#45037), diagnosed end to end: a real 3-member etcd
 * filled past a small quota into NOSPACE, and the simulator's `etcd-nospace` cluster, whose leases and node Leases
 * stopped being renewed when writes began to fail.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { oneClusterConfig } from '../../src/config/one-cluster-config.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { fillToNospace } from '../../src/sandbox/etcd-seed.js';
import { startEtcdCluster, type EtcdCluster } from '../../src/sandbox/services/index.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { expectCauseFirst, problems } from './incident-helpers.js';

const QUOTA = 16 * 1024 * 1024;

describe('etcd NOSPACE on the control-plane checklist', () => {
  let etcd: EtcdCluster;
  let simulator: RunningSimulator;

  beforeAll(async () => {
    [etcd, simulator] = await Promise.all([
      startEtcdCluster({ names: ['cp-1', 'cp-2', 'cp-3'], quotaBytes: QUOTA }),
      startSimulator({ scenario: 'etcd-nospace' }),
    ]);
    await fillToNospace(etcd.endpoints);
  });
  afterAll(async () => {
    await Promise.allSettled([etcd?.stop(), simulator?.stop()]);
  });

  it('makes the space finding the cause, with the alarm, the stale leases and the stopped node Leases under it', async () => {
    const report = await diagnose(
      oneClusterConfig({
        kube: { kubeconfig: simulator.kubeconfigPath },
        etcd: { endpoints: [etcd.endpoints[0] as string], quotaBytes: QUOTA },
      }),
      { playbook: 'control-plane-health' },
    );
    const space = expectCauseFirst(
      report,
      { check: 'etcd.space', title: /^etcd out of space: cp-\d at \d+% of its 16\.0 MiB quota, NOSPACE alarm raised$/ },
      [
        { check: 'etcd.alarms', title: /^etcd NOSPACE alarm: writes refused/ },
        {
          check: 'leases.leader',
          title: /^kube-scheduler has no active leader: lease last renewed 11m \d+s ago by cp-2$/,
          by: 'etcd.alarms',
        },
        {
          check: 'leases.leader',
          title: /^kube-controller-manager has no active leader: lease last renewed 11m \d+s ago by cp-1$/,
          by: 'etcd.alarms',
        },
        {
          check: 'nodes.conditions',
          title: /^Node heartbeats stopped: none of the 6 node Leases renewed within 40s \(newest 12m \d+s ago\)$/,
          by: 'etcd.alarms',
        },
      ],
    );
    expect(space.proposals?.map((proposal) => proposal.action)).toEqual(['etcd.compact', 'etcd.defrag', 'etcd.disarm']);
    // The kubelets cannot write, so no node is blamed, and no control-plane pod is called not ready for it.
    expect(report.findings.some((finding) => /^Control-plane node .* NotReady/.test(finding.title))).toBe(false);
    expect(problems(report)).toHaveLength(5);
    const leaders = report.findings.filter((finding) => finding.check === 'leases.leader');
    expect(leaders.map((finding) => finding.explainedBy?.[0]?.because)).toEqual([
      'because etcd raised the NOSPACE alarm and refuses writes, so leases cannot be renewed',
      'because etcd raised the NOSPACE alarm and refuses writes, so leases cannot be renewed',
    ]);
  });
});
