import type { Node } from '../../../ports/kube-types.js';
import type { SimObject } from '../scenario/object-source.js';
import { AGE_COLUMN, ALL_VERBS, NAME_COLUMN, field, type ResourceDefinition } from './resource-definition.js';

interface NodeDetail extends Node {
  status?: Node['status'] & {
    addresses?: Array<{ type: string; address: string }>;
    nodeInfo?: { kubeletVersion?: string; osImage?: string; kernelVersion?: string; containerRuntimeVersion?: string };
  };
}

/** kubectl's ROLES column: from `node-role.kubernetes.io/<role>` and the older `kubernetes.io/role` labels. */
function nodeRoles(labels: Record<string, string> | undefined): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (key.startsWith('node-role.kubernetes.io/')) {
      const role = key.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (key === 'kubernetes.io/role' && value) roles.add(value);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

/** kubectl's STATUS column: `Ready`, `NotReady` (whatever the condition's status), `SchedulingDisabled` when cordoned. */
function nodeStatus(node: NodeDetail): string {
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** core/v1 nodes (cluster-scoped), with `nodes/status`. */
export const nodes: ResourceDefinition = {
  name: 'nodes',
  singularName: 'node',
  group: '',
  version: 'v1',
  kind: 'Node',
  namespaced: false,
  verbs: ALL_VERBS,
  shortNames: ['no'],
  storageVersionHash: 'XwShjMxG9Fs=',
  subresources: [{ name: 'status', kind: 'Node', verbs: ['get', 'patch', 'update'] }],
  fields: {
    'metadata.name': field('metadata.name'),
    'spec.unschedulable': (object) =>
      String(((object.spec as { unschedulable?: boolean } | undefined)?.unschedulable ?? false) === true),
  },
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Status', type: 'string', format: '', description: 'The status of the node', priority: 0 },
      { name: 'Roles', type: 'string', format: '', description: 'The roles of the node', priority: 0 },
      AGE_COLUMN,
      {
        name: 'Version',
        type: 'string',
        format: '',
        description: 'Kubelet Version reported by the node.',
        priority: 0,
      },
      {
        name: 'Internal-IP',
        type: 'string',
        format: '',
        description: 'List of addresses reachable to the node. Queried from cloud provider, if available.',
        priority: 1,
      },
      {
        name: 'External-IP',
        type: 'string',
        format: '',
        description: 'List of addresses reachable to the node. Queried from cloud provider, if available.',
        priority: 1,
      },
      {
        name: 'OS-Image',
        type: 'string',
        format: '',
        description: 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
        priority: 1,
      },
      {
        name: 'Kernel-Version',
        type: 'string',
        format: '',
        description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
        priority: 1,
      },
      {
        name: 'Container-Runtime',
        type: 'string',
        format: '',
        description:
          'Container runtime version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
        priority: 1,
      },
    ],
    cells(object: SimObject, context) {
      const node = object as unknown as NodeDetail;
      const address = (type: string): string =>
        node.status?.addresses?.find((entry) => entry.type === type)?.address ?? '<none>';
      const info = node.status?.nodeInfo ?? {};
      return [
        node.metadata.name,
        nodeStatus(node),
        nodeRoles(node.metadata.labels),
        context.age(node.metadata.creationTimestamp),
        info.kubeletVersion ?? '',
        address('InternalIP'),
        address('ExternalIP'),
        info.osImage ?? '<unknown>',
        info.kernelVersion ?? '<unknown>',
        info.containerRuntimeVersion ?? '<unknown>',
      ];
    },
  },
};
