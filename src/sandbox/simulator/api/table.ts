import type { PrintContext, ResourceDefinition } from '../resources/resource-definition.js';
import type { SimObject } from '../scenario/object-source.js';
import { timestampMs } from '../scenario/relative-time.js';
import { humanDuration } from './human-duration.js';

/** `includeObject`: what each row carries besides its cells. kubectl's default is `Metadata`. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function printContext(nowMs: number): PrintContext {
  return {
    nowMs,
    age: (timestamp) => {
      if (typeof timestamp !== 'string' || timestamp === '') return '<unknown>';
      const ms = timestampMs(timestamp, nowMs);
      return ms === undefined ? '<unknown>' : humanDuration(nowMs - ms);
    },
  };
}

/** The object as served on its own: with `kind` and `apiVersion`, which stored objects leave to their list. */
export function withTypeMeta(resource: ResourceDefinition, object: SimObject): Record<string, unknown> {
  return {
    kind: resource.kind,
    apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version,
    ...object,
  };
}

/** The envelope and rows of a `meta.k8s.io/v1` Table, the form `kubectl get` asks for. */
export function tableOf(
  resource: ResourceDefinition,
  objects: Iterable<SimObject>,
  listMeta: Record<string, unknown>,
  include: IncludeObject,
  nowMs: number,
): { head: Record<string, unknown>; rows: Iterable<unknown> } {
  const context = printContext(nowMs);
  const row = (object: SimObject): unknown => {
    const cells = resource.table.cells(object, context);
    if (include === 'None') return { cells };
    const carried =
      include === 'Object'
        ? withTypeMeta(resource, object)
        : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
    return { cells, object: carried };
  };
  // Rows are made as they are sent, like the objects of a lazily walked list.
  const rows = (function* () {
    for (const object of objects) yield row(object);
  })();
  return {
    head: {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: listMeta,
      columnDefinitions: resource.table.columns,
    },
    rows,
  };
}
