import type { ContainerStatus, Pod } from '../../../ports/kube-types.js';
import type { SimObject } from '../scenario/object-source.js';
import { timestampMs } from '../scenario/relative-time.js';
import {
  AGE_COLUMN,
  ALL_VERBS,
  NAMESPACED_META_FIELDS,
  NAME_COLUMN,
  field,
  type PrintContext,
  type ResourceDefinition,
} from './resource-definition.js';

/** kubectl's STATUS column: the phase, overridden by the most telling container state (`CrashLoopBackOff`). */
function podStatus(pod: Pod & { metadata: { deletionTimestamp?: string } }): string {
  const status = pod.status ?? {};
  let reason = status.reason ?? status.phase ?? 'Unknown';
  const containers = status.containerStatuses ?? [];
  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  inits.forEach((container, index) => {
    if (initializing) return;
    const terminated = container.state?.terminated;
    if (terminated && terminated.exitCode === 0) return;
    initializing = true;
    if (terminated)
      reason = terminated.reason ? `Init:${terminated.reason}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
    else if (container.state?.waiting?.reason && container.state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${container.state.waiting.reason}`;
    } else reason = `Init:${index}/${inits.length}`;
  });
  if (!initializing) {
    let hasRunning = false;
    for (const container of [...containers].reverse()) {
      const state = container.state ?? {};
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated?.reason) reason = state.terminated.reason;
      else if (state.terminated) reason = `ExitCode:${state.terminated.exitCode ?? 0}`;
      else if (container.ready && state.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) {
      const ready = status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True');
      reason = ready ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

/** kubectl's RESTARTS column: `40 (2m ago)` since 1.24. */
function podRestarts(containers: readonly ContainerStatus[], context: PrintContext): string {
  let restarts = 0;
  let lastMs: number | undefined;
  for (const container of containers) {
    restarts += container.restartCount;
    const finished = container.lastState?.terminated?.finishedAt;
    const ms = finished ? timestampMs(finished, context.nowMs) : undefined;
    if (ms !== undefined && (lastMs === undefined || ms > lastMs)) lastMs = ms;
  }
  return lastMs === undefined ? String(restarts) : `${restarts} (${context.age(new Date(lastMs).toISOString())} ago)`;
}

/** core/v1 pods, with `pods/log` and `pods/status`. */
export const pods: ResourceDefinition = {
  name: 'pods',
  singularName: 'pod',
  group: '',
  version: 'v1',
  kind: 'Pod',
  namespaced: true,
  verbs: ALL_VERBS,
  shortNames: ['po'],
  categories: ['all'],
  storageVersionHash: 'xPOwRZ+Yhw8=',
  subresources: [
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
  ],
  fields: {
    ...NAMESPACED_META_FIELDS,
    'spec.nodeName': field('spec.nodeName'),
    'spec.restartPolicy': field('spec.restartPolicy'),
    'spec.schedulerName': field('spec.schedulerName'),
    'spec.serviceAccountName': field('spec.serviceAccountName'),
    'spec.hostNetwork': (object) =>
      String(((object.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork ?? false) === true),
    'status.phase': field('status.phase'),
    'status.podIP': field('status.podIP'),
    'status.nominatedNodeName': field('status.nominatedNodeName'),
  },
  fieldAliases: { 'spec.host': 'spec.nodeName' },
  table: {
    columns: [
      NAME_COLUMN,
      {
        name: 'Ready',
        type: 'string',
        format: '',
        description: 'The aggregate readiness state of this pod for accepting traffic.',
        priority: 0,
      },
      {
        name: 'Status',
        type: 'string',
        format: '',
        description: 'The aggregate status of the containers in this pod.',
        priority: 0,
      },
      {
        name: 'Restarts',
        type: 'string',
        format: '',
        description:
          'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
        priority: 0,
      },
      AGE_COLUMN,
      { name: 'IP', type: 'string', format: '', description: 'The IP address assigned to the pod', priority: 1 },
      {
        name: 'Node',
        type: 'string',
        format: '',
        description: 'The name of the node to which this pod is assigned',
        priority: 1,
      },
      {
        name: 'Nominated Node',
        type: 'string',
        format: '',
        description: 'The name of the node nominated by the scheduler',
        priority: 1,
      },
      {
        name: 'Readiness Gates',
        type: 'string',
        format: '',
        description: 'The readiness gates of this pod',
        priority: 1,
      },
    ],
    cells(object: SimObject, context) {
      const pod = object as unknown as Pod & {
        metadata: { deletionTimestamp?: string };
        status?: { podIP?: string; nominatedNodeName?: string };
      };
      const containers = pod.status?.containerStatuses ?? [];
      const total = pod.spec?.containers?.length ?? containers.length;
      const ready = containers.filter((container) => container.ready && container.state?.running).length;
      return [
        pod.metadata.name,
        `${ready}/${total}`,
        podStatus(pod),
        podRestarts(containers, context),
        context.age(pod.metadata.creationTimestamp),
        pod.status?.podIP ?? '<none>',
        pod.spec?.nodeName || '<none>',
        pod.status?.nominatedNodeName ?? '<none>',
        '<none>',
      ];
    },
  },
};
