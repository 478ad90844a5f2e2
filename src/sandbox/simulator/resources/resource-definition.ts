import type { SimObject } from '../scenario/object-source.js';

/** A column of a server-side `meta.k8s.io/v1` Table, as `kubectl get` prints it. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  /** 0 always shows; 1 only with `-o wide`. */
  priority: number;
}

/** Helpers a table printer needs that depend on the moment of the request. */
export interface PrintContext {
  /** The simulator clock, ms since the epoch. */
  nowMs: number;
  /** `3m10s` for a timestamp expression, `<unknown>` when absent. */
  age(timestamp: unknown): string;
}

/** Everything the simulator knows about one served resource: discovery, field selectors and table printing. */
export interface ResourceDefinition {
  /** Plural, as in URLs: `pods`. */
  readonly name: string;
  readonly singularName: string;
  /** `''` for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  /** The value real servers publish in discovery, so clients that cache by it behave the same. */
  readonly storageVersionHash: string;
  /** Subresources served with GET (`log`, `status`). */
  readonly subresources: readonly { name: string; kind: string; verbs: readonly string[] }[];
  /**
   * The field selectors the resource's registry strategy supports, with how each reads from the object. Any other
   * field gets the server's 400 ("field label not supported" for core resources).
   */
  readonly fields: Readonly<Record<string, (object: SimObject) => string>>;
  /** Aliases the server rewrites before matching (pods: `spec.host` → `spec.nodeName`). */
  readonly fieldAliases?: Readonly<Record<string, string>>;
  readonly table: { columns: readonly TableColumn[]; cells(object: SimObject, context: PrintContext): unknown[] };
}

/** The standard verbs of a resource that supports everything. */
export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

/** Safe deep read of `a.b.c` on untyped JSON. */
export function read(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** A field selector reader: the value as a string, `""` when absent (as `fields.Set` has it). */
export function field(path: string): (object: SimObject) => string {
  return (object) => {
    const value = read(object, path);
    return value === undefined || value === null ? '' : String(value);
  };
}

/** The `Name` column every table starts with. */
export const NAME_COLUMN: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};

/** The `Age` column. */
export const AGE_COLUMN: TableColumn = {
  name: 'Age',
  type: 'string',
  format: '',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
};

/** Selectable fields every namespaced object has. */
export const NAMESPACED_META_FIELDS = {
  'metadata.name': field('metadata.name'),
  'metadata.namespace': field('metadata.namespace'),
} as const;
