import { z } from 'zod';
import type { Node } from '../ports/kube-types.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { defineCheck } from './check.js';

const Args = z.object({
  /** How many problem nodes the finding names; the count is always complete. */
  top: z.number().int().positive().max(50).default(10),
});

const PRESSURE = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'] as const;
const CONTROL_PLANE_ROLES = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

export interface NodeProblem {
  name: string;
  controlPlane: boolean;
  notReady: boolean;
  problems: string[];
}

/** A node's problems from its conditions: not Ready, or a pressure condition set. */
export function nodeProblems(node: Node): NodeProblem | undefined {
  const conditions = node.status?.conditions ?? [];
  const ready = conditions.find((condition) => condition.type === 'Ready');
  const problems: string[] = [];
  const notReady = ready?.status !== 'True';
  if (notReady) {
    const why = ready
      ? `${ready.reason ?? ready.status}${ready.message ? `: ${ready.message}` : ''}`
      : 'no Ready condition';
    problems.push(`NotReady (${why})`);
  }
  for (const type of PRESSURE) {
    const condition = conditions.find((candidate) => candidate.type === type);
    if (condition?.status === 'True') problems.push(condition.reason ? `${type} (${condition.reason})` : type);
  }
  if (problems.length === 0) return undefined;
  const labels = node.metadata.labels ?? {};
  const controlPlane = CONTROL_PLANE_ROLES.some((role) => role in labels);
  return { name: node.metadata.name, controlPlane, notReady, problems };
}

/** Node conditions across the cluster, aggregated page by page so big clusters cost one page of memory. */
export const nodeConditionsCheck = defineCheck({
  id: 'nodes.conditions',
  description: 'node conditions',
  needs: ['kube'],
  about: 'node',
  args: Args,
  async run({ kube }, args) {
    let total = 0;
    let notReady = 0;
    let controlPlaneNotReady = 0;
    let problemCount = 0;
    const shown: NodeProblem[] = [];
    for await (const node of kube.nodes()) {
      total += 1;
      const problem = nodeProblems(node);
      if (!problem) continue;
      problemCount += 1;
      if (problem.notReady) notReady += 1;
      if (problem.notReady && problem.controlPlane) controlPlaneNotReady += 1;
      if (shown.length < args.top || (problem.controlPlane && problem.notReady)) shown.push(problem);
    }
    if (problemCount === 0) {
      return [
        {
          check: 'nodes.conditions',
          severity: 'ok',
          title: `All ${total} nodes Ready with no pressure`,
          summary: 'No node reports NotReady, MemoryPressure, DiskPressure, PIDPressure or NetworkUnavailable.',
          evidence: [],
          data: { total, notReady: 0 },
        },
      ] satisfies Finding[];
    }
    shown.sort((a, b) => Number(b.controlPlane) - Number(a.controlPlane) || Number(b.notReady) - Number(a.notReady));
    const evidence: Evidence[] = shown.slice(0, args.top).map((problem) => ({
      label: `${problem.name}${problem.controlPlane ? ' (control plane)' : ''}`,
      value: problem.problems.join('; '),
    }));
    if (problemCount > args.top)
      evidence.push({ label: 'more', value: `${problemCount - args.top} more nodes with problems` });
    const severity = controlPlaneNotReady > 0 || (total > 0 && notReady / total >= 0.3) ? 'critical' : 'warning';
    const title =
      notReady > 0
        ? `${notReady} of ${total} nodes NotReady${controlPlaneNotReady > 0 ? `, ${controlPlaneNotReady} of them control plane` : ''}`
        : `${problemCount} of ${total} nodes under pressure`;
    return [
      {
        check: 'nodes.conditions',
        severity,
        title,
        summary: `${notReady} NotReady, ${problemCount - notReady} Ready but under pressure; ${total - problemCount} fine.`,
        evidence,
        recommendation:
          'For NotReady nodes, check the kubelet on the node (systemctl status kubelet, journalctl -u kubelet) and its network path to the API server; "Kubelet stopped posting node status" means the API server has not heard from it. Pressure conditions mean the kubelet is evicting pods: free disk or memory.',
        data: { total, notReady, controlPlaneNotReady, problemNodes: problemCount },
      },
    ] satisfies Finding[];
  },
});
