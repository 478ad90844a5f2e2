import { z } from 'zod';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatBytes, pluralize } from '../findings/format.js';
import { redact } from '../findings/redact.js';
import type { ContainerStatus, ObjectMetadata, Pod } from '../ports/kube-types.js';
import { defineCheck } from './check.js';
import { readBoundedLog, type BoundedLog } from './component-log-reader.js';
import { causeFinding, otherErrorsFinding, type LogFindingContext } from './component-log-findings.js';
import { LogSummary, type LogSource } from './component-log-summary.js';
import { CONTROL_PLANE_COMPONENTS } from './control-plane-components.js';
import { componentPodsOnce } from './control-plane-pod-reads.js';
import { componentOf } from './control-plane-pods.js';
import { pendingPodsOnce } from './scheduler-pending.js';

const CHECK = 'control-plane.logs';

const Args = z.object({
  namespace: z.string().default('kube-system'),
  /** cloud-controller-manager is read when it runs as a pod there; a component without pods is skipped. */
  components: z
    .array(z.string().min(1))
    .min(1)
    .default([...CONTROL_PLANE_COMPONENTS, 'cloud-controller-manager']),
  /** How far back to read (`sinceSeconds`), and the window the counts are over (minutes). */
  lookbackMinutes: z.number().positive().max(1440).default(10),
  /** At most this many of the newest lines per container log. */
  tailLines: z.number().int().positive().max(100_000).default(2000),
  /**
   * At most this many bytes per pod, its previous container's log included, whatever the component prints:
   * `limitBytes` on every request, enforced by the reader too. (bytes)
   */
  maxBytesPerPod: z
    .number()
    .int()
    .min(4096)
    .max(16 * 1024 * 1024)
    .default(256 * 1024),
  /** A problem last logged longer ago than this has stopped: information only (minutes). */
  stillFailingMinutes: z.number().positive().default(5),
  /** This many etcd applies that took too long within the lookback make a warning. */
  slowApplyWarning: z.number().int().positive().default(10),
  /** Message patterns quoted per finding. */
  patterns: z.number().int().positive().max(10).default(3),
  /**
   * `always`, or `pending-without-events`: read only while Pending pods (in `pendingNamespace`, empty for all) wait
   * with no FailedScheduling event or PodScheduled condition, the case where the scheduler's logs say why.
   */
  when: z.enum(['always', 'pending-without-events']).default('always'),
  pendingNamespace: z.string().default(''),
});
type Args = z.infer<typeof Args>;

/** One pod to read: which container, and whether its previous instance ended within the lookback. */
interface Target {
  source: LogSource;
  container: string;
  current: boolean;
  previous: boolean;
}

interface ReadResult {
  target: Target;
  logs: Array<{ previous: boolean; log: BoundedLog }>;
  errors: string[];
  /** When the last of the pod's logs arrived (ms since the epoch). */
  readAtMs: number;
}

/**
 * The component a pod runs: a static pod as control-plane.pods finds it, or a cloud-controller-manager deployed as
 * a DaemonSet or Deployment, whose pods a provider labels `k8s-app: aws-cloud-controller-manager` and the like.
 */
function logComponentOf(pod: ObjectMetadata, components: readonly string[]): string | undefined {
  const known = componentOf(pod, components);
  if (known || !components.includes('cloud-controller-manager')) return known;
  const labels = pod.metadata.labels ?? {};
  const app = labels['k8s-app'] ?? labels['app.kubernetes.io/name'] ?? labels.app ?? '';
  return app.endsWith('cloud-controller-manager') ? 'cloud-controller-manager' : undefined;
}

function containerOf(pod: Pod, component: string): ContainerStatus | undefined {
  const statuses = pod.status?.containerStatuses ?? [];
  return statuses.find((status) => status.name.endsWith(component)) ?? statuses[0];
}

function targetOf(pod: Pod, component: string, nowMs: number, lookbackMs: number): Target | undefined {
  const status = containerOf(pod, component);
  const container = status?.name ?? pod.spec?.containers?.[0]?.name;
  // A pod not yet on a node has no log.
  if (!container || !pod.spec?.nodeName) return undefined;
  const finished = Date.parse(status?.lastState?.terminated?.finishedAt ?? '');
  const previous = (status?.restartCount ?? 0) > 0 && Number.isFinite(finished) && nowMs - finished <= lookbackMs;
  // A waiting container (CrashLoopBackOff) has no current log: its previous one tells why.
  const current = !status?.state?.waiting;
  if (!current && !previous) return undefined;
  return {
    source: {
      component,
      pod: pod.metadata.name,
      node: pod.spec.nodeName,
      ...(pod.status?.hostIP ? { hostIP: pod.status.hostIP } : {}),
    },
    container,
    current,
    previous,
  };
}

/**
 * Logs read at once. A log is read from the kubelet through the API server: a few at a time spare both, and keep the
 * check's requests (each listening on its signal) few.
 */
const PODS_AT_ONCE = 4;

/** `map` with at most `limit` calls in flight, results in input order. */
async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function errorText(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error));
}

/** Minutes as titles say them: `10m`, `1h`, `90m`. */
function windowLabel(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

/**
 * The control-plane components' own logs: for each component pod, the tail of its current container's log (and the
 * previous one's when it restarted within the lookback), bounded by lines, bytes and time; its error lines grouped
 * by message pattern, the well-known ones named as causes with advice. A component whose logs are clean gets one
 * `ok` line with the others.
 */
export const componentLogsCheck = defineCheck({
  id: CHECK,
  description: 'control-plane component logs',
  needs: ['kube'],
  args: Args,
  async run(context, args) {
    const { kube, now } = context;
    let pending: Evidence | undefined;
    if (args.when === 'pending-without-events') {
      const pods = await pendingPodsOnce(context, args.pendingNamespace);
      const waiting = pods.filter((pod) => pod.source === 'none' && !pod.gated);
      if (waiting.length === 0) {
        return [
          {
            check: CHECK,
            severity: 'ok',
            title: `Logs of ${args.components.join(', ')} not read: no Pending pod is waiting without a scheduling event`,
            summary: 'The scheduler has tried every Pending pod; its events say why they wait.',
            evidence: [],
          },
        ];
      }
      pending = {
        label: 'read because',
        value: `${pluralize(waiting.length, 'Pending pod')} ${waiting.length === 1 ? 'has' : 'have'} no FailedScheduling event: ${waiting
          .slice(0, 3)
          .map((pod) => `${pod.namespace}/${pod.name}`)
          .join(', ')}${waiting.length > 3 ? ', …' : ''}`,
      };
    }

    const nowMs = now().getTime();
    const lookbackMs = args.lookbackMinutes * 60_000;
    const all: LogSource[] = [];
    const targets: Target[] = [];
    const found = await componentPodsOnce(context, args.namespace, (pod) => logComponentOf(pod, args.components));
    for (const { pod, component } of found) {
      all.push({
        component,
        pod: pod.metadata.name,
        ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
        ...(pod.status?.hostIP ? { hostIP: pod.status.hostIP } : {}),
      });
      const target = targetOf(pod, component, nowMs, lookbackMs);
      if (target) targets.push(target);
    }
    if (all.length === 0) {
      return [
        {
          check: CHECK,
          severity: 'info',
          title: `No pods of ${args.components.join(', ')} in ${args.namespace}: no logs to read`,
          summary: 'The components do not run as pods here (a managed control plane, or services on the hosts).',
          evidence: [],
          recommendation:
            "Read their logs where they run: the provider's console, or `journalctl -u <component>` on the hosts.",
        },
      ];
    }

    const sinceSeconds = Math.ceil(lookbackMs / 1000);
    const results = await mapWithConcurrency(targets, PODS_AT_ONCE, async (target): Promise<ReadResult> => {
      const reads = [...(target.previous ? [true] : []), ...(target.current ? [false] : [])];
      const budget = Math.floor(args.maxBytesPerPod / reads.length);
      const result: ReadResult = { target, logs: [], errors: [], readAtMs: nowMs };
      for (const previous of reads) {
        try {
          const log = await readBoundedLog(kube, {
            namespace: args.namespace,
            pod: target.source.pod,
            container: target.container,
            previous,
            tailLines: args.tailLines,
            sinceSeconds,
            maxBytes: budget,
            nowMs,
          });
          result.logs.push({ previous, log });
        } catch (error) {
          result.errors.push(`${previous ? 'previous run: ' : ''}${errorText(error)}`);
        }
      }
      result.readAtMs = now().getTime();
      // The previous instance's log is often gone (node rebooted, log rotated, or the API server answers 400):
      // with the current one read, that is not worth a finding.
      if (result.logs.some(({ previous }) => !previous)) result.errors = [];
      return result;
    });
    const readable = results.filter((result) => result.logs.length > 0);
    if (targets.length > 0 && readable.length === 0) {
      throw new Error(`no log could be read: ${results[0]?.errors[0] ?? 'unknown error'}`);
    }

    const summary = new LogSummary();
    const truncated = new Set<string>();
    for (const result of readable) {
      for (const { previous, log } of result.logs) {
        summary.add(result.target.source, log.lines, previous);
        if (log.partial) truncated.add(result.target.source.pod);
      }
    }
    const findingContext: LogFindingContext = {
      // "first seen 10m ago" is read against the moment the logs arrived, not the one the reads began: under load
      // the API server answers seconds later, and its lookback window ends then.
      nowMs: Math.max(nowMs, now().getTime()),
      readAtMs: new Map(readable.map((result) => [result.target.source.pod, result.readAtMs])),
      window: windowLabel(args.lookbackMinutes),
      stillFailingMs: args.stillFailingMinutes * 60_000,
      slowApplyWarning: args.slowApplyWarning,
      patterns: args.patterns,
      pods: all,
      truncated,
      limits: `${args.tailLines} lines or ${formatBytes(args.maxBytesPerPod)} per pod`,
    };
    const findings: Finding[] = summary
      .all()
      .map((group) =>
        group.cause ? causeFinding(group, group.cause, findingContext) : otherErrorsFinding(group, findingContext),
      );
    if (pending) for (const finding of findings) finding.evidence.push(pending);

    const unreadable = results.filter((result) => result.errors.length > 0);
    if (unreadable.length > 0) {
      findings.push({
        check: CHECK,
        severity: 'info',
        title: `Could not read the logs of ${unreadable.map((result) => result.target.source.pod).join(', ')}`,
        summary: 'Their errors, if any, are not counted above.',
        evidence: unreadable.map((result) => ({ label: result.target.source.pod, value: result.errors.join('; ') })),
        recommendation:
          "Quorum needs `get` on pods/log in the namespace; a NotReady node's kubelet cannot serve logs (read them on the node: `crictl logs`).",
      });
    }
    const clean = readable.filter((result) => summary.isClean(result.target.source.pod));
    if (clean.length > 0) {
      const bytes = readable.reduce(
        (sum, result) => sum + result.logs.reduce((total, { log }) => total + log.bytes, 0),
        0,
      );
      findings.push({
        check: CHECK,
        severity: 'ok',
        title: `No errors in the logs of ${pluralize(clean.length, 'control-plane pod')} in the last ${findingContext.window}`,
        summary: clean.map((result) => result.target.source.pod).join(', '),
        evidence: [
          {
            label: 'read',
            value: `${formatBytes(bytes)} from ${pluralize(readable.length, 'pod')} (at most ${formatBytes(args.maxBytesPerPod)} and ${args.tailLines} lines per log)`,
          },
          ...(pending ? [pending] : []),
        ],
      });
    }
    return findings;
  },
});
