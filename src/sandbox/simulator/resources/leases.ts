import type { SimObject } from '../scenario/object-source.js';
import {
  AGE_COLUMN,
  ALL_VERBS,
  NAMESPACED_META_FIELDS,
  NAME_COLUMN,
  read,
  type ResourceDefinition,
} from './resource-definition.js';

/** coordination.k8s.io/v1 leases: leader election and node heartbeats. */
export const leases: ResourceDefinition = {
  name: 'leases',
  singularName: 'lease',
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  namespaced: true,
  verbs: ALL_VERBS,
  storageVersionHash: 'gqkMMb/YqFM=',
  subresources: [],
  // No conversion function is registered for leases: only the generic metadata fields are selectable.
  fields: { ...NAMESPACED_META_FIELDS },
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Holder', type: 'string', format: '', description: 'The holder of the lease', priority: 0 },
      AGE_COLUMN,
    ],
    cells: (object: SimObject, context) => [
      object.metadata.name,
      String(read(object, 'spec.holderIdentity') ?? ''),
      context.age(object.metadata.creationTimestamp),
    ],
  },
};
