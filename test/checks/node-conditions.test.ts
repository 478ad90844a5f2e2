import { describe, expect, it } from '@jest/globals';
import { nodeConditionsCheck } from '../../src/checks/node-conditions.js';
import { analyzeFindings } from '../../src/findings/analyze-findings.js';
import type { Lease, Node } from '../../src/ports/kube-types.js';
import { FakeKubeReader, checkContext } from './fake-readers.js';

function node(name: string, ready: string, extra: Node['status'] = {}, controlPlane = false): Node {
  return {
    metadata: { name, labels: controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {} },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: ready,
          ...(ready === 'Unknown'
            ? { reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }
            : {}),
        },
        ...(extra.conditions ?? []),
      ],
    },
  };
}

const now = new Date('2026-11-24T03:00:00Z');

function lease(name: string, renewedSecondsAgo: number): Lease {
  return {
    metadata: { name, namespace: 'kube-node-lease' },
    spec: {
      holderIdentity: name,
      leaseDurationSeconds: 40,
      renewTime: new Date(now.getTime() - renewedSecondsAgo * 1000).toISOString(),
    },
  };
}

async function runAll(nodes: Node[], leases: Lease[] = [], args: Record<string, unknown> = {}) {
  const kube = new FakeKubeReader();
  kube.nodeList = nodes;
  kube.leaseList = leases;
  const context = checkContext({ kube, now: () => now });
  return nodeConditionsCheck.run(context, nodeConditionsCheck.args.parse(args));
}

async function run(nodes: Node[]) {
  return (await runAll(nodes))[0];
}

describe('nodes.conditions', () => {
  it('is ok when every node is Ready', async () => {
    expect(await run([node('a', 'True'), node('b', 'True')])).toMatchObject({
      severity: 'ok',
      title: 'All 2 nodes Ready with no pressure',
    });
  });

  it('warns about a NotReady worker and says why', async () => {
    const finding = await run([
      node('cp-1', 'True', {}, true),
      node('worker-3', 'Unknown'),
      node('w-1', 'True'),
      node('w-2', 'True'),
    ]);
    expect(finding).toMatchObject({ severity: 'warning', title: '1 of 4 nodes NotReady' });
    expect(finding?.evidence[0]?.value).toContain('Kubelet stopped posting node status.');
  });

  it('gives a NotReady control-plane node a critical finding of its own, about that node', async () => {
    const pleg = node('cp-1', 'False', {}, true);
    const ready = pleg.status?.conditions?.[0];
    if (ready) {
      ready.reason = 'KubeletNotReady';
      ready.message = 'PLEG is not healthy: pleg was last seen active 3m41s ago; threshold is 3m0s';
    }
    const findings = await runAll(
      [pleg, node('w-1', 'True'), node('w-2', 'True'), node('w-3', 'True')],
      [lease('cp-1', 4), lease('w-1', 2), lease('w-2', 5), lease('w-3', 1)],
    );
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({
      severity: 'critical',
      title: 'Control-plane node cp-1 NotReady: PLEG is not healthy',
      about: { component: 'node', instance: 'cp-1' },
      signals: ['node.not-ready'],
    });
    expect(finding?.evidence).toContainEqual({ label: 'node Lease', value: 'renewed 4s ago (grace 40s)' });
    expect(finding?.recommendation).toMatch(/container runtime/);
  });

  it('calls a node NotReady from its stale Lease before its condition changes', async () => {
    const findings = await runAll(
      [node('cp-1', 'True', {}, true), node('cp-2', 'True', {}, true), node('w-1', 'True')],
      [lease('cp-1', 3), lease('cp-2', 75), lease('w-1', 6)],
    );
    expect(findings.map((finding) => finding.title)).toEqual([
      'Control-plane node cp-2 NotReady: no kubelet heartbeat for 1m 15s',
    ]);
    expect(findings[0]?.summary).toMatch(/^its kubelet last renewed its Lease 1m 15s ago \(grace 40s\)\./);
  });

  it('judges Leases against the grace period it is given', async () => {
    const nodes = [node('w-1', 'True'), node('w-2', 'True'), node('w-3', 'True'), node('w-4', 'True')];
    const leases = [lease('w-1', 25), lease('w-2', 2), lease('w-3', 3), lease('w-4', 9)];
    expect((await runAll(nodes, leases))[0]?.severity).toBe('ok');
    const [finding] = await runAll(nodes, leases, { nodeMonitorGracePeriodSeconds: 20 });
    expect(finding).toMatchObject({ severity: 'warning', title: '1 of 4 nodes NotReady', signals: ['node.not-ready'] });
  });

  it('reports node heartbeats stopped everywhere as one finding, and no node as NotReady for it', async () => {
    const findings = await runAll(
      [node('cp-1', 'True', {}, true), node('cp-2', 'True', {}, true), node('w-1', 'True')],
      [lease('cp-1', 722), lease('cp-2', 724), lease('w-1', 730)],
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'critical',
      title: 'Node heartbeats stopped: none of the 3 node Leases renewed within 40s (newest 12m 2s ago)',
      signals: ['node-leases.stale'],
    });
  });

  it('puts control-plane nodes already marked Unknown under the stopped heartbeats, not beside them', async () => {
    const findings = await runAll(
      [node('cp-1', 'Unknown', {}, true), node('cp-2', 'True', {}, true), node('w-1', 'True')],
      [lease('cp-1', 722), lease('cp-2', 724), lease('w-1', 730)],
    );
    const { findings: ranked, rootCause } = analyzeFindings(findings);
    expect(ranked.map((finding) => [finding.title, finding.explainedBy?.[0]?.rule ?? null])).toEqual([
      ['Node heartbeats stopped: none of the 3 node Leases renewed within 40s (newest 12m 2s ago)', null],
      ['Control-plane node cp-1 NotReady: Kubelet stopped posting node status', 'node-leases-stale-nodes-not-ready'],
    ]);
    expect(rootCause.kind).toBe('cause');
  });

  it('reports pressure conditions', async () => {
    const finding = await run([
      node('w-1', 'True', { conditions: [{ type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure' }] }),
    ]);
    expect(finding?.title).toBe('1 of 1 nodes under pressure');
  });
});
