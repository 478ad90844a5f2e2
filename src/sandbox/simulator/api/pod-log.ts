import type { Pod } from '../../../ports/kube-types.js';
import type { SimObject } from '../scenario/object-source.js';
import type { PodLog } from '../scenario/scenario.js';
import { timestampMs } from '../scenario/relative-time.js';
import { badRequest } from '../server/status-error.js';
import { LogTimeline, type TimedLine } from './log-timeline.js';

/** The `pods/log` options the simulator honours, as the kubelet does; `follow` is ignored. */
export interface LogOptions {
  container?: string;
  previous: boolean;
  tailLines?: number;
  limitBytes?: number;
  /** Lines before this time (ms since the epoch) are left out: `sinceSeconds` or `sinceTime`. */
  sinceMs?: number;
  timestamps: boolean;
}

function nonNegativeInteger(name: string, text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw badRequest(`${name}: Invalid value: "${text}": must be greater than or equal to 0`);
  return Number(text);
}

/**
 * Reads `container`, `previous`, `tailLines`, `limitBytes`, `sinceSeconds` (or `sinceTime`) and `timestamps`,
 * answering 400 for values the server rejects.
 */
export function parseLogOptions(query: URLSearchParams, nowMs: number): LogOptions {
  const container = query.get('container') ?? '';
  const tailLines = nonNegativeInteger('tailLines', query.get('tailLines'));
  const limitBytes = nonNegativeInteger('limitBytes', query.get('limitBytes'));
  if (limitBytes === 0) throw badRequest('limitBytes: Invalid value: 0: must be greater than 0');
  const sinceSeconds = nonNegativeInteger('sinceSeconds', query.get('sinceSeconds'));
  const sinceTime = query.get('sinceTime') || undefined;
  if (sinceSeconds !== undefined && sinceTime !== undefined)
    throw badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  if (sinceSeconds === 0) throw badRequest('sinceSeconds: Invalid value: 0: must be greater than 0');
  let sinceMs = sinceSeconds === undefined ? undefined : nowMs - sinceSeconds * 1000;
  if (sinceTime !== undefined) {
    sinceMs = Date.parse(sinceTime);
    if (Number.isNaN(sinceMs)) throw badRequest(`sinceTime: Invalid value: "${sinceTime}": not an RFC 3339 time`);
  }
  return {
    ...(container ? { container } : {}),
    previous: ['true', '1'].includes(query.get('previous') ?? ''),
    ...(tailLines === undefined ? {} : { tailLines }),
    ...(limitBytes === undefined ? {} : { limitBytes }),
    ...(sinceMs === undefined ? {} : { sinceMs }),
    timestamps: ['true', '1'].includes(query.get('timestamps') ?? ''),
  };
}

/** Go's `time.RFC3339Nano`, as the kubelet prefixes lines: trailing zeros of the fraction dropped. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0*Z$/, 'Z');
}

/** How many bytes are written per chunk of a streamed log. */
const CHUNK_BYTES = 64 * 1024;

/**
 * The selected lines as the kubelet writes them: each with its timestamp when asked for, the whole cut after
 * `limitBytes` (possibly inside a line), a chunk at a time.
 */
function* render(lines: Iterable<TimedLine>, options: LogOptions): Generator<string> {
  let remaining = options.limitBytes ?? Number.POSITIVE_INFINITY;
  let chunk = '';
  for (const line of lines) {
    if (options.sinceMs !== undefined && line.time < options.sinceMs) continue;
    let text = `${options.timestamps ? `${rfc3339Nano(line.time)} ` : ''}${line.text}\n`;
    const size = Buffer.byteLength(text);
    if (size >= remaining) {
      text = Buffer.from(text).subarray(0, remaining).toString('utf8');
      remaining = 0;
    } else remaining -= size;
    chunk += text;
    if (remaining === 0) break;
    if (chunk.length >= CHUNK_BYTES) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/**
 * A container's log as the kubelet returns it through the API server, with its errors: a container must be named
 * when the pod has several, a waiting container has no current log, a container that never terminated has no
 * previous one.
 */
export function podLogChunks(
  podObject: SimObject,
  logs: readonly PodLog[],
  options: LogOptions,
  nowMs: number,
): Iterable<string> {
  const pod = podObject as unknown as Pod;
  const name = pod.metadata.name;
  const namespace = pod.metadata.namespace ?? 'default';
  const containers = (pod.spec?.containers ?? []).map((container) => container.name);
  const inits = (pod.spec?.initContainers ?? []).map((container) => container.name);
  if (!pod.spec?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  let container = options.container;
  if (container === undefined) {
    if (containers.length !== 1) {
      throw badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''}`,
      );
    }
    container = containers[0] ?? '';
  }
  if (!containers.includes(container) && !inits.includes(container))
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  const status = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find(
    (entry) => entry.name === container,
  );
  const firstContainer = containers[0];
  const entries = logs.filter(
    (entry) =>
      entry.namespace === namespace &&
      entry.pod === name &&
      entry.previous === options.previous &&
      (entry.container ?? firstContainer) === container,
  );
  if (options.previous) {
    if (entries.length === 0)
      throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
  } else if (status?.state?.waiting) {
    throw badRequest(
      `container "${container}" in pod "${name}" is waiting to start: ${status.state.waiting.reason ?? 'ContainerCreating'}`,
    );
  }
  // A previous instance's lines end when it did; the running one's end now.
  const finished = timestampMs(status?.lastState?.terminated?.finishedAt ?? '', nowMs);
  const timeline = new LogTimeline(entries, (entry) => (entry.previous ? (finished ?? nowMs) : nowMs), nowMs);
  const lines = options.tailLines === undefined ? timeline.forward(options.sinceMs) : timeline.tail(options.tailLines);
  return render(lines, options);
}
