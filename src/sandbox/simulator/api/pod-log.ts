import type { Pod } from '../../../ports/kube-types.js';
import type { SimObject } from '../scenario/object-source.js';
import type { PodLog } from '../scenario/scenario.js';
import { badRequest } from '../server/status-error.js';

/** The `pods/log` options the simulator honours; the rest (`sinceSeconds`, `timestamps`, `follow`) are ignored. */
export interface LogOptions {
  container?: string;
  previous: boolean;
  tailLines?: number;
  limitBytes?: number;
}

function nonNegativeInteger(name: string, text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw badRequest(`${name}: Invalid value: "${text}": must be greater than or equal to 0`);
  return Number(text);
}

/** Reads `container`, `previous`, `tailLines` and `limitBytes`, answering 400 for values the server rejects. */
export function parseLogOptions(query: URLSearchParams): LogOptions {
  const container = query.get('container') ?? '';
  const tailLines = nonNegativeInteger('tailLines', query.get('tailLines'));
  const limitBytes = nonNegativeInteger('limitBytes', query.get('limitBytes'));
  if (limitBytes === 0) throw badRequest('limitBytes: Invalid value: 0: must be greater than 0');
  return {
    ...(container ? { container } : {}),
    previous: ['true', '1'].includes(query.get('previous') ?? ''),
    ...(tailLines === undefined ? {} : { tailLines }),
    ...(limitBytes === undefined ? {} : { limitBytes }),
  };
}

function tail(text: string, lines: number): string {
  if (lines === 0) return '';
  const parts = text.split('\n');
  const trailing = parts[parts.length - 1] === '' ? parts.pop() : undefined;
  return parts.slice(-lines).join('\n') + (trailing === undefined ? '' : '\n');
}

/**
 * A container's log as the kubelet returns it through the API server, with its errors: a container must be named
 * when the pod has several, a waiting container has no current log, a container that never terminated has no
 * previous one.
 */
export function podLogText(podObject: SimObject, logs: readonly PodLog[], options: LogOptions): string {
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
  const onlyContainer = containers.length === 1 ? containers[0] : undefined;
  const log = logs.find(
    (entry) =>
      entry.namespace === namespace &&
      entry.pod === name &&
      entry.previous === options.previous &&
      (entry.container ?? onlyContainer) === container,
  );
  if (options.previous) {
    if (!log) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
  } else if (status?.state?.waiting) {
    throw badRequest(
      `container "${container}" in pod "${name}" is waiting to start: ${status.state.waiting.reason ?? 'ContainerCreating'}`,
    );
  }
  let text = log?.text ?? '';
  if (options.tailLines !== undefined) text = tail(text, options.tailLines);
  if (options.limitBytes !== undefined) text = Buffer.from(text).subarray(0, options.limitBytes).toString('utf8');
  return text;
}
