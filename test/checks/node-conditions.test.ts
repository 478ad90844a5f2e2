import { describe, expect, it } from '@jest/globals';
import { nodeConditionsCheck } from '../../src/checks/node-conditions.js';
import type { Node } from '../../src/ports/kube-types.js';
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

async function run(nodes: Node[]) {
  const kube = new FakeKubeReader();
  kube.nodeList = nodes;
  const context = checkContext({ kube });
  return (await nodeConditionsCheck.run(context, nodeConditionsCheck.args.parse({})))[0];
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

  it('is critical when a control-plane node is NotReady', async () => {
    const finding = await run([
      node('cp-1', 'False', {}, true),
      node('w-1', 'True'),
      node('w-2', 'True'),
      node('w-3', 'True'),
    ]);
    expect(finding?.severity).toBe('critical');
    expect(finding?.title).toBe('1 of 4 nodes NotReady, 1 of them control plane');
  });

  it('reports pressure conditions', async () => {
    const finding = await run([
      node('w-1', 'True', { conditions: [{ type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure' }] }),
    ]);
    expect(finding?.title).toBe('1 of 1 nodes under pressure');
  });
});
