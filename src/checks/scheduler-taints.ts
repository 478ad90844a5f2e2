import { z } from 'zod';
import type { Taint } from '../ports/kube-types.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { pluralize } from '../findings/format.js';
import { defineCheck } from './check.js';
import { nodesOnce } from './node-capacity.js';
import { CONTROL_PLANE_TAINTS, describeTaint, tolerates } from './node-eligibility.js';
import { pendingPodsOnce } from './scheduler-pending.js';

const Args = z.object({
  namespace: z.string().default(''),
  examples: z.number().int().positive().max(20).default(5),
});

/** Taints Kubernetes sets for cordons and node conditions (unschedulable, not-ready, unreachable, pressure). */
const CONDITION_TAINT_PREFIX = 'node.kubernetes.io/';

/** Cordoned nodes, and the taints that keep Pending pods without a matching toleration off nodes. */
export const schedulerTaintsCheck = defineCheck({
  id: 'scheduler.taints',
  description: 'taints and cordoned nodes',
  needs: ['kube'],
  about: 'workload',
  args: Args,
  async run(context, args) {
    const [nodes, pending] = await Promise.all([nodesOnce(context), pendingPodsOnce(context, args.namespace)]);
    const findings: Finding[] = [];
    const cordoned = nodes.filter((node) => node.unschedulable);
    if (cordoned.length > 0) {
      const hurting = pending.filter((pod) =>
        pod.parsed?.reasons.some((reason) => reason.category === 'unschedulable-node'),
      );
      findings.push({
        check: 'scheduler.taints',
        severity: hurting.length > 0 ? 'warning' : 'info',
        title: `${pluralize(cordoned.length, 'node')} cordoned: ${cordoned
          .slice(0, args.examples)
          .map((node) => node.name)
          .join(', ')}${cordoned.length > args.examples ? ', …' : ''}`,
        summary:
          hurting.length > 0
            ? `${pluralize(hurting.length, 'Pending pod')} name cordoned nodes among their reasons.`
            : 'No Pending pod is held back by them.',
        evidence: cordoned.slice(0, args.examples).map((node) => ({
          label: node.name,
          value: node.ready ? 'Ready, SchedulingDisabled' : 'NotReady, SchedulingDisabled',
        })),
        recommendation:
          'If maintenance on these nodes is over, `kubectl uncordon <node>`; if they are being drained, expect the pods to wait for other capacity.',
        data: { cordoned: cordoned.map((node) => node.name) },
      });
    }
    const blocking = new Map<string, { taint: Taint; nodes: Set<string>; pods: string[] }>();
    const tainted = pending.filter((pod) =>
      pod.parsed?.reasons.some((reason) => reason.category === 'untolerated-taint'),
    );
    for (const node of nodes) {
      for (const taint of node.taints) {
        // PreferNoSchedule never blocks; cordons and node conditions (not-ready, pressure) have findings of their own
        // and are fixed on the node, never tolerated; control-plane taints are by design.
        if (
          taint.effect === 'PreferNoSchedule' ||
          taint.key.startsWith(CONDITION_TAINT_PREFIX) ||
          CONTROL_PLANE_TAINTS.has(taint.key)
        )
          continue;
        const key = describeTaint(taint);
        const entry = blocking.get(key) ?? { taint, nodes: new Set<string>(), pods: [] };
        entry.nodes.add(node.name);
        blocking.set(key, entry);
      }
    }
    for (const entry of blocking.values()) {
      entry.pods = tainted
        .filter((pod) => !pod.tolerations.some((toleration) => tolerates(toleration, entry.taint)))
        .map((pod) => `${pod.namespace}/${pod.name}`);
    }
    const relevant = [...blocking.entries()]
      .filter(([, entry]) => entry.pods.length > 0)
      .sort((a, b) => b[1].pods.length - a[1].pods.length);
    for (const [key, entry] of relevant) {
      const evidence: Evidence[] = [
        {
          label: 'nodes',
          value:
            [...entry.nodes].slice(0, args.examples).join(', ') +
            (entry.nodes.size > args.examples ? `, … (${entry.nodes.size})` : ''),
        },
        ...entry.pods.slice(0, args.examples).map((pod) => ({ label: pod, value: 'no matching toleration' })),
      ];
      findings.push({
        check: 'scheduler.taints',
        severity: 'warning',
        title: `Taint ${key} on ${pluralize(entry.nodes.size, 'node')} keeps ${pluralize(entry.pods.length, 'Pending pod')} off`,
        summary: 'These pods report an untolerated taint and carry no toleration for this one.',
        evidence,
        recommendation: `Add a toleration for ${key} to the workload if it belongs on those nodes (and a nodeSelector to keep it there), or make room on untainted nodes.`,
        data: { taint: entry.taint, nodes: [...entry.nodes], pods: entry.pods },
      });
    }
    if (findings.length === 0) {
      findings.push({
        check: 'scheduler.taints',
        severity: 'ok',
        title: 'No cordoned nodes and no taint holding back Pending pods',
        summary: `${pluralize(nodes.length, 'node')} looked at.`,
        evidence: [],
      });
    }
    return findings;
  },
});
