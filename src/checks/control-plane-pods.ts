import { z } from 'zod';
import type { KubeReader } from '../ports/kube-reader.js';
import type { ContainerStatus, Event, ObjectMetadata, Pod } from '../ports/kube-types.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatDuration } from '../findings/format.js';
import { redact } from '../findings/redact.js';
import { defineCheck } from './check.js';
import { ComponentScopeArgs } from './control-plane-components.js';
import {
  backOffKey,
  estimateRestarts,
  summarizeBackOffs,
  type BackOffSummary,
  type RestartEstimate,
} from './restart-estimate.js';

const Args = z.object({
  ...ComponentScopeArgs,
  /** This many restarts within the lookback is worth a warning even when the pod runs now. */
  restartWarning: z.number().int().positive().default(5),
  /**
   * Restarts count within this many minutes; older ones (`restartCount` is a total since the pod started) are
   * only mentioned.
   */
  restartLookbackMinutes: z.number().positive().default(60),
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
  /** Every restart since the pod started, all containers. */
  restarts: number;
  /** The container whose restarts say most, and their estimate within the lookback. */
  restartEstimate?: RestartEstimate & { container: string };
}

/** How judgePod counts restarts. */
export interface RestartPolicy {
  /** This many restarts within the lookback is a warning. */
  restartWarning: number;
  /** The lookback (ms). */
  lookbackMs: number;
  now: Date;
  /** BackOff events by {@link backOffKey}; `null` when they could not be read. */
  backOffs: ReadonlyMap<string, BackOffSummary> | null;
}

function componentOf(pod: ObjectMetadata, components: readonly string[]): string | undefined {
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

/** The container with the most recent restarts (then the most restarts), with its estimate. */
function restartsOf(pod: Pod, statuses: readonly ContainerStatus[], policy: RestartPolicy) {
  const namespace = pod.metadata.namespace ?? '';
  const single = statuses.length === 1;
  let worst: (RestartEstimate & { container: string }) | undefined;
  for (const status of statuses) {
    if (status.restartCount === 0) continue;
    const backOffs = policy.backOffs;
    const backOff =
      backOffs === null
        ? null
        : (backOffs.get(backOffKey(namespace, pod.metadata.name, status.name)) ??
          (single ? backOffs.get(backOffKey(namespace, pod.metadata.name, '')) : undefined));
    const estimate = estimateRestarts(
      status,
      pod.status?.startTime ?? pod.metadata.creationTimestamp,
      backOff,
      policy.now,
      policy.lookbackMs,
    );
    if (
      !worst ||
      estimate.recent > worst.recent ||
      (estimate.recent === worst.recent && estimate.total > worst.total)
    ) {
      worst = { ...estimate, container: status.name };
    }
  }
  return worst;
}

/** "11 times", "about 11 times", "at least 2 times", "up to 9 times": how a restart estimate reads. */
function times(estimate: RestartEstimate): string {
  const count = estimate.recent === 1 ? 'once' : `${estimate.recent} times`;
  const qualifier = { exact: '', about: 'about ', 'at-least': 'at least ', 'at-most': 'up to ' }[estimate.precision];
  return `${qualifier}${count}`;
}

/** The same estimate as a number with its precision: "11", "~11", "≥2", "≤9". */
function countOf(estimate: RestartEstimate): string {
  return `${{ exact: '', about: '~', 'at-least': '≥', 'at-most': '≤' }[estimate.precision]}${estimate.recent}`;
}

/**
 * Judges one control-plane pod from its status (and the kubelet's BackOff events): restarts count by how many
 * happened within the lookback, not by `restartCount`, which adds up since the pod started.
 */
export function judgePod(pod: Pod, component: string, policy: RestartPolicy): PodVerdict {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  const restarts = statuses.reduce((sum, status) => sum + status.restartCount, 0);
  const phase = pod.status?.phase ?? 'Unknown';
  const crashing = statuses.find((status) => status.state?.waiting?.reason === 'CrashLoopBackOff');
  const waiting = statuses.find((status) => status.state?.waiting?.reason);
  const restartEstimate = restartsOf(pod, statuses, policy);
  const verdict = { pod, component, restarts, ...(restartEstimate ? { restartEstimate } : {}) };
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
  if (!restartEstimate) return { ...verdict, severity: 'ok' };
  const window = formatDuration(policy.lookbackMs);
  const restarted = statuses.find((status) => status.name === restartEstimate.container);
  const ago = restartEstimate.lastRestartAt
    ? `${formatDuration(policy.now.getTime() - Date.parse(restartEstimate.lastRestartAt))} ago`
    : 'at an unknown time';
  if (restartEstimate.recent >= policy.restartWarning) {
    return {
      ...verdict,
      severity: 'warning',
      problem: `restarted ${times(restartEstimate)} in the last ${window} (${restarts} in all)`,
      ...(restarted ? { crashing: restarted } : {}),
    };
  }
  if (restartEstimate.recent > 0) {
    return {
      ...verdict,
      severity: 'info',
      problem: `restarted ${ago} (${times(restartEstimate)} in the last ${window}, ${restarts} in all)`,
    };
  }
  if (restarts >= policy.restartWarning) {
    return {
      ...verdict,
      severity: 'info',
      problem: `restarted ${restarts} times since it started, the last ${ago}: none in the last ${window}`,
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
    { label: 'restarts', value: `${verdict.restarts} since the pod started` },
  ];
  if (waiting?.reason)
    evidence.push({ label: 'waiting', value: `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` });
  if (termination) evidence.push({ label: 'last termination', value: termination });
  const estimate = verdict.restartEstimate;
  if (estimate) {
    evidence.push({
      label: `restarts in the last ${formatDuration(args.restartLookbackMinutes * 60_000)}`,
      value: `${countOf(estimate)} (${estimate.container}): ${estimate.basis}`,
    });
  }
  // Old restarts are history: their log says nothing about now and costs a request.
  if (verdict.severity === 'critical' || (verdict.severity === 'warning' && verdict.restarts > 0)) {
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
      recentRestarts: estimate?.recent ?? 0,
      recentRestartsPrecision: estimate?.precision ?? 'exact',
      lastRestartAt: estimate?.lastRestartAt ?? null,
      lastTermination: termination ?? null,
    },
  };
}

/** BackOff events of a namespace, folded per container; `null` when they cannot be read (restarts are then dated by status alone). */
async function collectBackOffs(kube: KubeReader, namespace: string): Promise<Map<string, BackOffSummary> | null> {
  const events: Event[] = [];
  try {
    for await (const event of kube.events({ namespace, fieldSelector: 'reason=BackOff' })) events.push(event);
  } catch {
    return null;
  }
  return summarizeBackOffs(events);
}

/** Control-plane static pods in kube-system: phase, readiness, restarts, last termination, and a log excerpt. */
export const controlPlanePodsCheck = defineCheck({
  id: 'control-plane.pods',
  description: 'control-plane pods in kube-system',
  needs: ['kube'],
  args: Args,
  async run({ kube, now, signal }, args) {
    // Metadata is all it takes to tell the control-plane pods (labels, mirror annotation, name); kube-system also
    // holds a DaemonSet pod or more per node, so only those few are read whole.
    const candidates: Array<{ namespace: string; name: string; component: string }> = [];
    for await (const pod of kube.podMetadata({ namespace: args.namespace })) {
      const component = componentOf(pod, args.components);
      const namespace = pod.metadata.namespace ?? args.namespace;
      if (component) candidates.push({ namespace, name: pod.metadata.name, component });
    }
    // All read at once, each on a signal of its own that follows the check's: a dozen requests listening on the
    // check's signal itself would make Node warn of a leak (more than 10 listeners).
    const read = await Promise.all(
      candidates.map(async ({ namespace, name, component }) => ({
        pod: await kube.pod(namespace, name, { signal: AbortSignal.any([signal]) }),
        component,
      })),
    );
    // A pod deleted between the list and its read is gone: nothing to judge.
    const found = read.filter((entry): entry is { pod: Pod; component: string } => entry.pod !== undefined);
    const at = now();
    const lookbackMs = args.restartLookbackMinutes * 60_000;
    // The kubelet's BackOff events tell a crash loop's span; read them only when some restart is recent.
    const recentRestart = found.some(({ pod }) =>
      [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].some((status) => {
        const last = Date.parse(status.lastState?.terminated?.finishedAt ?? status.state?.running?.startedAt ?? '');
        return status.restartCount > 0 && !(last < at.getTime() - lookbackMs);
      }),
    );
    const backOffs = recentRestart ? await collectBackOffs(kube, args.namespace) : new Map<string, BackOffSummary>();
    const policy: RestartPolicy = { restartWarning: args.restartWarning, lookbackMs, now: at, backOffs };
    const verdicts = found.map(({ pod, component }) => judgePod(pod, component, policy));
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
