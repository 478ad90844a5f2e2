import { z } from 'zod';
import type { KubeReader } from '../ports/kube-reader.js';
import type { ContainerStatus, Pod } from '../ports/kube-types.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { redact } from '../findings/redact.js';
import { defineCheck } from './check.js';
import { ComponentScopeArgs } from './control-plane-components.js';

const Args = z.object({
  ...ComponentScopeArgs,
  /** Restarts at or above this count are worth a warning even when the pod runs now. */
  restartWarning: z.number().int().positive().default(5),
  /** Lines of the previous container's log to show for a crashing pod. */
  logTailLines: z.number().int().positive().max(200).default(15),
});
type Args = z.infer<typeof Args>;

export interface PodVerdict {
  pod: Pod;
  component: string;
  severity: Finding['severity'];
  problem?: string;
  crashing?: ContainerStatus;
  restarts: number;
}

function componentOf(pod: Pod, components: readonly string[]): string | undefined {
  const label = pod.metadata.labels?.component ?? pod.metadata.labels?.['app.kubernetes.io/name'];
  if (label && components.includes(label)) return label;
  // A name prefix alone would also catch e.g. an etcd-backup CronJob's pods: trust it only for static (mirror) pods.
  if (!pod.metadata.annotations?.['kubernetes.io/config.mirror']) return undefined;
  return components.find((component) => pod.metadata.name.startsWith(`${component}-`));
}

function lastTermination(status: ContainerStatus): string | undefined {
  const terminated = status.lastState?.terminated ?? status.state?.terminated;
  if (!terminated) return undefined;
  const code = terminated.exitCode === undefined ? '' : ` (exit code ${terminated.exitCode})`;
  return `${terminated.reason ?? 'terminated'}${code}${terminated.finishedAt ? ` at ${terminated.finishedAt}` : ''}`;
}

/** Judges one control-plane pod from its status alone. */
export function judgePod(pod: Pod, component: string, restartWarning: number): PodVerdict {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  const restarts = statuses.reduce((sum, status) => sum + status.restartCount, 0);
  const phase = pod.status?.phase ?? 'Unknown';
  const crashing = statuses.find((status) => status.state?.waiting?.reason === 'CrashLoopBackOff');
  const waiting = statuses.find((status) => status.state?.waiting?.reason);
  const verdict = { pod, component, restarts };
  if (crashing) return { ...verdict, severity: 'critical', problem: 'is crash-looping', crashing };
  if (phase !== 'Running' && phase !== 'Succeeded') {
    return {
      ...verdict,
      severity: 'critical',
      problem: `is ${phase}${waiting ? ` (${waiting.state?.waiting?.reason})` : ''}`,
    };
  }
  const unready = statuses.find((status) => !status.ready);
  if (unready) {
    const reason = unready.state?.waiting?.reason;
    return {
      ...verdict,
      severity: 'warning',
      problem: `is not ready${reason ? ` (${reason})` : ''}`,
      crashing: unready,
    };
  }
  if (restarts >= restartWarning) {
    return {
      ...verdict,
      severity: 'warning',
      problem: `restarted ${restarts} times`,
      crashing: statuses.find((s) => s.restartCount > 0),
    };
  }
  return { ...verdict, severity: 'ok' };
}

async function logExcerpt(kube: KubeReader, verdict: PodVerdict, tailLines: number): Promise<Evidence | undefined> {
  const container = verdict.crashing?.name;
  if (!container) return undefined;
  const namespace = verdict.pod.metadata.namespace ?? 'kube-system';
  const read = (previous: boolean) =>
    kube.podLog(namespace, verdict.pod.metadata.name, { container, previous, tailLines, limitBytes: 16_384 });
  try {
    // The previous run's log says why it died; the API server answers 400 when that run's log is gone (node
    // restarted, log rotated), and then the current run's log is the next best thing.
    let previous = verdict.restarts > 0;
    let text = await read(previous).catch((error: unknown) => {
      if (!previous) throw error;
      previous = false;
      return read(false);
    });
    text = text.trimEnd().split('\n').slice(-tailLines).join('\n');
    return text
      ? { label: `log (${container}, ${previous ? 'previous run' : 'current run'})`, value: redact(text) }
      : undefined;
  } catch (error) {
    return { label: 'log', value: `could not read the log: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** A crash wants its exit reason; an unready pod its probe; both point at the static pod's node. */
function adviceFor(verdict: PodVerdict, name: string, namespace: string): string {
  const ns = verdict.pod.metadata.namespace ?? namespace;
  const node = verdict.pod.spec?.nodeName ?? 'the node';
  const manifest = `for a static pod also check its manifest in /etc/kubernetes/manifests on ${node}, its certificates and kubeconfig, and whether it can reach the API server`;
  if (verdict.problem?.startsWith('is not ready')) {
    return `Its readiness probe fails: see the Unhealthy events below and \`kubectl -n ${ns} logs ${name}\` for what ${verdict.component} is waiting on (often etcd or the API server itself); ${manifest}.`;
  }
  return `Read why ${verdict.component} exits (the log excerpt above, or \`kubectl -n ${ns} logs ${name} --previous\`); ${manifest}.`;
}

async function problemFinding(kube: KubeReader, verdict: PodVerdict, args: Args): Promise<Finding> {
  const { pod } = verdict;
  const name = pod.metadata.name;
  const termination = verdict.crashing ? lastTermination(verdict.crashing) : undefined;
  const waiting = verdict.crashing?.state?.waiting;
  const evidence: Evidence[] = [
    { label: 'pod', value: `${pod.metadata.namespace ?? args.namespace}/${name}` },
    { label: 'node', value: pod.spec?.nodeName ?? '(not scheduled)' },
    { label: 'phase', value: pod.status?.phase ?? 'Unknown' },
    { label: 'restarts', value: String(verdict.restarts) },
  ];
  if (waiting?.reason)
    evidence.push({ label: 'waiting', value: `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` });
  if (termination) evidence.push({ label: 'last termination', value: termination });
  if (verdict.severity === 'critical' || verdict.restarts > 0) {
    const excerpt = await logExcerpt(kube, verdict, args.logTailLines);
    if (excerpt) evidence.push(excerpt);
  }
  return {
    check: 'control-plane.pods',
    severity: verdict.severity,
    title: `${name} ${verdict.problem}${verdict.problem?.includes('restart') ? '' : verdict.restarts > 0 ? ` (${verdict.restarts} restarts)` : ''}`,
    summary: `${verdict.component} on ${pod.spec?.nodeName ?? 'an unknown node'}${termination ? `; last exit: ${termination}` : ''}.`,
    evidence,
    recommendation: adviceFor(verdict, name, args.namespace),
    data: {
      pod: name,
      namespace: pod.metadata.namespace ?? args.namespace,
      component: verdict.component,
      node: pod.spec?.nodeName ?? null,
      restarts: verdict.restarts,
      lastTermination: termination ?? null,
    },
  };
}

/** Control-plane static pods in kube-system: phase, readiness, restarts, last termination, and a log excerpt. */
export const controlPlanePodsCheck = defineCheck({
  id: 'control-plane.pods',
  description: 'control-plane pods in kube-system',
  needs: ['kube'],
  args: Args,
  async run({ kube }, args) {
    const verdicts: PodVerdict[] = [];
    for await (const pod of kube.pods({ namespace: args.namespace })) {
      const component = componentOf(pod, args.components);
      if (component) verdicts.push(judgePod(pod, component, args.restartWarning));
    }
    const problems = verdicts.filter((verdict) => verdict.severity !== 'ok');
    const findings = await Promise.all(problems.map((verdict) => problemFinding(kube, verdict, args)));
    const seen = new Set(verdicts.map((verdict) => verdict.component));
    const missing = args.components.filter((component) => !seen.has(component));
    if (missing.length > 0) {
      findings.push({
        check: 'control-plane.pods',
        severity: 'info',
        title: `No pods found for ${missing.join(', ')} in ${args.namespace}`,
        summary:
          'These components do not run as pods here: a managed control plane, a distribution that runs them as services (k3s, systemd), or they are missing.',
        evidence: [{ label: 'missing', value: missing.join(', ') }],
        recommendation:
          'On a kubeadm cluster, check /etc/kubernetes/manifests on every control-plane node and the kubelet logs.',
      });
    }
    const healthy = verdicts.filter((verdict) => verdict.severity === 'ok');
    if (healthy.length > 0) {
      findings.push({
        check: 'control-plane.pods',
        severity: 'ok',
        title: `${healthy.length} control-plane pod${healthy.length === 1 ? '' : 's'} running and ready`,
        summary: healthy.map((verdict) => verdict.pod.metadata.name).join(', '),
        evidence: [],
      });
    }
    return findings;
  },
});
