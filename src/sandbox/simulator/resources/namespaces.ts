import type { SimObject } from '../scenario/object-source.js';
import { AGE_COLUMN, NAME_COLUMN, field, read, type ResourceDefinition } from './resource-definition.js';

/** core/v1 namespaces (cluster-scoped). */
export const namespaces: ResourceDefinition = {
  name: 'namespaces',
  singularName: 'namespace',
  group: '',
  version: 'v1',
  kind: 'Namespace',
  namespaced: false,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  shortNames: ['ns'],
  storageVersionHash: 'Q3oi5N2YM8M=',
  subresources: [{ name: 'status', kind: 'Namespace', verbs: ['get', 'patch', 'update'] }],
  fields: {
    'metadata.name': field('metadata.name'),
    // Kept by the server for old clients.
    name: field('metadata.name'),
    'status.phase': field('status.phase'),
  },
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Status', type: 'string', format: '', description: 'The status of the namespace', priority: 0 },
      AGE_COLUMN,
    ],
    cells: (object: SimObject, context) => [
      object.metadata.name,
      String(read(object, 'status.phase') ?? 'Active'),
      context.age(object.metadata.creationTimestamp),
    ],
  },
};
