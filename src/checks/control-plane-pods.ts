import { z } from 'zod';
import type { KubeReader } from '../ports/kube-reader.js';
import type { ContainerStatus, Event, ObjectMetadata, Pod } from '../ports/kube-types.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatDuration } from '../findings/format.js';
import { redact } from '../findings/redact.js';
import { asComponent, type Signal } from '../findings/cause-vocabulary.js';
import { defineCheck } from './check.js';
import { podAdvice } from './control-plane-advice.js';
import { ComponentScopeArgs } from './control-plane-components.js';
import { describeTermination, isOomKilled, lastTerminationOf } from './container-termination.js';
import { componentPodsOnce } from './control-plane-pod-reads.js';
import { DEFAULT_NODE_GRACE_SECONDS, readNodeLiveness, type NodeLiveness } from './node-liveness.js';
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
   * This many restarts within the lookback is critical for any component: about the pace of a crash loop at the
   * kubelet's 5-minute back-off cap. kube-apiserver and etcd are critical from `restartWarning` on.
   */
  restartCritical: z.number().int().positive().default(10),
  /**
   * Restarts count within this many minutes; older ones (`restartCount` is a total since the pod started) are
   * only mentioned.
   */
  restartLookbackMinutes: z.number().positive().default(60),
  /** Lines of the previous container's log to show for a crashing pod. */
  logTailLines: z.number().int().positive().max(200).default(15),
  /**
   * kube-controller-manager's `--node-monitor-grace-period` (s): a pod whose node's Lease is older than this is on
   * a NotReady node.
   */
  nodeMonitorGracePeriodSeconds: z.number().positive().default(DEFAULT_NODE_GRACE_SECONDS),
});
type Args = z.infer<typeof Args>;

/**
 * Components whose every restart is an outage of that instance: an API server drops every watch and request it
 * holds (and its clients relist against the others), an etcd member leaves the quorum count. A controller or the
 * scheduler hands its lease to another instance instead.
 */
const SERVING_COMPONENTS: ReadonlySet<string> = new Set(['kube-apiserver', 'etcd']);

/** What is wrong with a pod, for its title, signals and advice. */
export type PodVerdictKind =
  'ok' | 'crash-looping' | 'not-running' | 'node-not-ready' | 'restarting' | 'not-ready' | 'restarted';

export interface PodVerdict {
  pod: Pod;
  component: string;
  kind: PodVerdictKind;
  severity: Finding['severity'];
  problem?: string;
  /** The container the verdict is about (crashing, restarting or unready): its log and termination. */
  crashing?: ContainerStatus;
  /** Every restart since the pod started, all containers. */
  restarts: number;
  /** The container whose restarts say most, and their estimate within the lookback. */
  restartEstimate?: RestartEstimate & { container: string };
  /** The pod's node as the cluster sees it, when it could be read. */
  node?: NodeLiveness;
  /** Whether the pod itself is ready (its Ready condition), and why not. */
  readiness?: { ready: boolean; why?: string };
}

/** How judgePod counts restarts and sees nodes. */
export interface RestartPolicy {
  /** This many restarts within the lookback is a warning. */
  restartWarning: number;
  /** This many is critical (kube-apiserver and etcd: from `restartWarning`). @defaultValue 2 × restartWarning */
  restartCritical?: number;
  /** The lookback (ms). */
  lookbackMs: number;
  now: Date;
  /** BackOff events by {@link backOffKey}; `null` when they could not be read. */
  backOffs: ReadonlyMap<string, BackOffSummary> | null;
  /** Liveness of the pods' nodes, by name; a pod whose node is missing here is judged by its own status. */
  nodes?: ReadonlyMap<string, NodeLiveness>;
}

/**
 * The control-plane component a pod runs, among `components`: its `component` (or `app.kubernetes.io/name`) label,
 * or for a static (mirror) pod its name prefix.
 */
export function componentOf(pod: ObjectMetadata, components: readonly string[]): string | undefined {
  const label = pod.metadata.labels?.component ?? pod.metadata.labels?.['app.kubernetes.io/name'];
  if (label && components.includes(label)) return label;
  // A name prefix alone would also catch e.g. an etcd-backup CronJob's pods: trust it only for static (mirror) pods.
  if (!pod.metadata.annotations?.['kubernetes.io/config.mirror']) return undefined;
  return components.find((component) => pod.metadata.name.startsWith(`${component}-`));
}

function lastTermination(status: ContainerStatus): string | undefined {
  const terminated = lastTerminationOf(status);
  if (!terminated) return undefined;
  return `${describeTermination(terminated)}${terminated.finishedAt ? ` at ${terminated.finishedAt}` : ''}`;
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

/** Whether the pod is ready as the cluster sees it: its Ready condition, or its containers when it has none. */
function podReadiness(pod: Pod, statuses: readonly ContainerStatus[]): { ready: boolean; why?: string } {
  const conditions = pod.status?.conditions ?? [];
  const ready = conditions.find((condition) => condition.type === 'Ready');
  if (ready) {
    if (ready.status === 'True') return { ready: true };
    const containersReady = conditions.find((condition) => condition.type === 'ContainersReady');
    // Ready False while the containers say ready: someone else marked it (the node lifecycle controller, a gate).
    const why =
      containersReady?.status === 'True'
        ? 'marked not ready although its containers report ready'
        : (ready.message ?? ready.reason);
    return { ready: false, ...(why ? { why } : {}) };
  }
  const unready = statuses.find((status) => !status.ready);
  if (!unready) return { ready: true };
  const reason = unready.state?.waiting?.reason;
  return { ready: false, ...(reason ? { why: reason } : {}) };
}

/**
 * Judges one control-plane pod from its status, its node and the kubelet's BackOff events: readiness as the cluster
 * sees it (the pod's Ready condition, and its node's Ready condition and Lease), and restarts by how many happened
 * within the lookback, not by `restartCount`, which adds up since the pod started.
 */
export function judgePod(pod: Pod, component: string, policy: RestartPolicy): PodVerdict {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  const restarts = statuses.reduce((sum, status) => sum + status.restartCount, 0);
  const phase = pod.status?.phase ?? 'Unknown';
  const crashing = statuses.find((status) => status.state?.waiting?.reason === 'CrashLoopBackOff');
  const waiting = statuses.find((status) => status.state?.waiting?.reason);
  const restartEstimate = restartsOf(pod, statuses, policy);
  const nodeName = pod.spec?.nodeName;
  const node = nodeName ? policy.nodes?.get(nodeName) : undefined;
  const readiness = podReadiness(pod, statuses);
  const verdict = {
    pod,
    component,
    restarts,
    readiness,
    ...(restartEstimate ? { restartEstimate } : {}),
    ...(node ? { node } : {}),
  };
  const window = formatDuration(policy.lookbackMs);
  const restarted = statuses.find((status) => status.name === restartEstimate?.container);
  const lastExit = (status: ContainerStatus | undefined): string => {
    const terminated = lastTerminationOf(status);
    return terminated ? `, last exit ${describeTermination(terminated)}` : '';
  };
  const inAll = restartEstimate ? ` (${restarts} in all)` : '';
  const recent = restartEstimate ? `restarted ${times(restartEstimate)} in the last ${window}` : '';

  // A node that stopped reporting makes everything its kubelet said about the pod stale: the node comes first.
  if (node && !node.ready) {
    return {
      ...verdict,
      kind: 'node-not-ready',
      severity: 'warning',
      problem: `is not ready: its node ${node.name} is NotReady`,
    };
  }
  if (crashing) {
    return {
      ...verdict,
      kind: 'crash-looping',
      severity: 'critical',
      problem: `is crash-looping: ${recent || `${restarts} restarts`}${inAll}${lastExit(crashing)}`,
      crashing,
    };
  }
  if (phase !== 'Running' && phase !== 'Succeeded') {
    return {
      ...verdict,
      kind: 'not-running',
      severity: 'critical',
      problem: `is ${phase}${waiting ? ` (${waiting.state?.waiting?.reason})` : ''}`,
    };
  }
  const critical = policy.restartCritical ?? policy.restartWarning * 2;
  const oomRecently =
    restartEstimate !== undefined && restartEstimate.recent > 0 && isOomKilled(lastTerminationOf(restarted));
  if (restartEstimate && (restartEstimate.recent >= policy.restartWarning || oomRecently)) {
    const severity =
      restartEstimate.recent >= critical ||
      (restartEstimate.recent >= policy.restartWarning && SERVING_COMPONENTS.has(component))
        ? 'critical'
        : 'warning';
    return {
      ...verdict,
      kind: 'restarting',
      severity,
      problem: `${recent}${inAll}${lastExit(restarted)}`,
      ...(restarted ? { crashing: restarted } : {}),
    };
  }
  if (!readiness.ready) {
    const unready = statuses.find((status) => !status.ready);
    return {
      ...verdict,
      kind: 'not-ready',
      severity: 'warning',
      problem: `is not ready${readiness.why ? ` (${readiness.why})` : ''}${restarts > 0 ? `; ${restarts} restarts in all` : ''}`,
      ...(unready ? { crashing: unready } : {}),
    };
  }
  if (!restartEstimate) return { ...verdict, kind: 'ok', severity: 'ok' };
  const ago = restartEstimate.lastRestartAt
    ? `${formatDuration(policy.now.getTime() - Date.parse(restartEstimate.lastRestartAt))} ago`
    : 'at an unknown time';
  if (restartEstimate.recent > 0) {
    return {
      ...verdict,
      kind: 'restarted',
      severity: 'info',
      problem: `restarted ${ago} (${times(restartEstimate)} in the last ${window}, ${restarts} in all)${lastExit(restarted)}`,
      ...(restarted ? { crashing: restarted } : {}),
    };
  }
  if (restarts >= policy.restartWarning) {
    return {
      ...verdict,
      kind: 'restarted',
      severity: 'info',
      problem: `restarted ${restarts} times since it started, the last ${ago}: none in the last ${window}`,
      ...(restarted ? { crashing: restarted } : {}),
    };
  }
  return { ...verdict, kind: 'ok', severity: 'ok' };
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

/** What the cause rules read from a verdict: a recent crash loop, an OOM kill, a pod that is not ready. */
function podSignals(verdict: PodVerdict): Signal[] {
  if (verdict.severity !== 'critical' && verdict.severity !== 'warning') return [];
  const oomKilled = isOomKilled(lastTerminationOf(verdict.crashing));
  switch (verdict.kind) {
    case 'crash-looping':
      return oomKilled ? ['component.crashlooping', 'component.oom-killed'] : ['component.crashlooping'];
    case 'restarting': {
      const looping = (verdict.restartEstimate?.recent ?? 0) >= 2;
      return [
        ...(looping ? (['component.crashlooping'] as const) : []),
        ...(oomKilled ? (['component.oom-killed'] as const) : []),
      ];
    }
    default:
      return ['component.not-ready'];
  }
}

/** The container's memory limit and request as written in the pod spec. */
function memoryOf(pod: Pod, container: string | undefined): { limit?: string; request?: string } | undefined {
  const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
    (candidate) => candidate.name === container,
  );
  const limit = spec?.resources?.limits?.memory;
  const request = spec?.resources?.requests?.memory;
  return spec ? { ...(limit ? { limit } : {}), ...(request ? { request } : {}) } : undefined;
}

async function problemFinding(kube: KubeReader, verdict: PodVerdict, args: Args): Promise<Finding> {
  const { pod } = verdict;
  const name = pod.metadata.name;
  const namespace = pod.metadata.namespace ?? args.namespace;
  const nodeName = pod.spec?.nodeName;
  const terminated = lastTerminationOf(verdict.crashing);
  const termination = verdict.crashing ? lastTermination(verdict.crashing) : undefined;
  const waiting = verdict.crashing?.state?.waiting;
  const memory = memoryOf(pod, verdict.crashing?.name);
  const evidence: Evidence[] = [
    { label: 'pod', value: `${namespace}/${name}` },
    {
      label: 'node',
      value: `${nodeName ?? '(not scheduled)'}${verdict.node && !verdict.node.ready ? `: NotReady (${verdict.node.why})` : ''}`,
    },
    { label: 'phase', value: pod.status?.phase ?? 'Unknown' },
    { label: 'restarts', value: `${verdict.restarts} since the pod started` },
  ];
  // Whether it serves right now, for a pod whose title is about its restarts.
  if ((verdict.kind === 'restarting' || verdict.kind === 'crash-looping') && verdict.readiness?.ready === false) {
    evidence.push({ label: 'ready', value: `no${verdict.readiness.why ? ` (${verdict.readiness.why})` : ''}` });
  }
  if (waiting?.reason)
    evidence.push({ label: 'waiting', value: `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` });
  if (termination) evidence.push({ label: 'last termination', value: termination });
  if (isOomKilled(terminated)) {
    evidence.push({
      label: 'memory',
      value: memory?.limit
        ? `limit ${memory.limit}${memory.request ? `, request ${memory.request}` : ', no request'}`
        : `no limit${memory?.request ? ` (request ${memory.request})` : ''}: the node ran out of memory`,
    });
  }
  const estimate = verdict.restartEstimate;
  if (estimate) {
    evidence.push({
      label: `restarts in the last ${formatDuration(args.restartLookbackMinutes * 60_000)}`,
      value: `${countOf(estimate)} (${estimate.container}): ${estimate.basis}`,
    });
  }
  // Old restarts are history: their log says nothing about now and costs a request. A NotReady node's kubelet
  // cannot serve logs either.
  let logShown = false;
  if (
    verdict.kind !== 'node-not-ready' &&
    (verdict.severity === 'critical' || (verdict.severity === 'warning' && verdict.restarts > 0))
  ) {
    const excerpt = await logExcerpt(kube, verdict, args.logTailLines);
    if (excerpt) evidence.push(excerpt);
    logShown = excerpt !== undefined && excerpt.label !== 'log';
  }
  const component = asComponent(verdict.component);
  const signals = podSignals(verdict);
  return {
    check: 'control-plane.pods',
    severity: verdict.severity,
    ...(component ? { about: { component, instance: name, ...(nodeName ? { node: nodeName } : {}) } } : {}),
    ...(signals.length > 0 ? { signals } : {}),
    title: `${name} ${verdict.problem}`,
    summary:
      verdict.kind === 'node-not-ready'
        ? `${verdict.component} on ${nodeName}: the cluster does not count it ready while its node is NotReady, whatever its containers last reported.`
        : `${verdict.component} on ${nodeName ?? 'an unknown node'}${termination ? `; last exit: ${termination}` : ''}.`,
    evidence,
    recommendation: podAdvice({
      component: verdict.component,
      pod: name,
      namespace,
      node: nodeName ?? 'its node',
      kind:
        verdict.kind === 'restarted' || verdict.kind === 'ok'
          ? (estimate?.recent ?? 0) > 0
            ? 'restarting'
            : 'history'
          : verdict.kind,
      logShown,
      ...(terminated ? { termination: terminated } : {}),
      ...(memory ? { memory } : {}),
    }),
    data: {
      pod: name,
      namespace,
      component: verdict.component,
      node: nodeName ?? null,
      nodeReady: verdict.node ? verdict.node.ready : null,
      restarts: verdict.restarts,
      recentRestarts: estimate?.recent ?? 0,
      recentRestartsPrecision: estimate?.precision ?? 'exact',
      lastRestartAt: estimate?.lastRestartAt ?? null,
      lastTermination: termination ?? null,
      lastExit: terminated ? { reason: terminated.reason ?? null, exitCode: terminated.exitCode ?? null } : null,
      memoryLimit: memory?.limit ?? null,
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

/**
 * Control-plane static pods in kube-system: phase, readiness as the cluster sees it (the pod's Ready condition and
 * its node's), restarts within the lookback, last termination, and a log excerpt.
 */
export const controlPlanePodsCheck = defineCheck({
  id: 'control-plane.pods',
  description: 'control-plane pods in kube-system',
  needs: ['kube'],
  args: Args,
  async run(context, args) {
    const { kube, now } = context;
    const found = await componentPodsOnce(context, args.namespace, (pod) => componentOf(pod, args.components));
    const at = now();
    const lookbackMs = args.restartLookbackMinutes * 60_000;
    // The kubelet's BackOff events tell a crash loop's span; read them only when some restart is recent.
    const recentRestart = found.some(({ pod }) =>
      [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].some((status) => {
        const last = Date.parse(status.lastState?.terminated?.finishedAt ?? status.state?.running?.startedAt ?? '');
        return status.restartCount > 0 && !(last < at.getTime() - lookbackMs);
      }),
    );
    const nodeNames = found.flatMap(({ pod }) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []));
    const [backOffs, nodes] = await Promise.all([
      recentRestart ? collectBackOffs(kube, args.namespace) : new Map<string, BackOffSummary>(),
      readNodeLiveness(context, nodeNames, args.nodeMonitorGracePeriodSeconds * 1000),
    ]);
    const policy: RestartPolicy = {
      restartWarning: args.restartWarning,
      restartCritical: args.restartCritical,
      lookbackMs,
      // The BackOff events arrived after `at`: date the crash loops they describe from now.
      now: now(),
      backOffs,
      nodes,
    };
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
