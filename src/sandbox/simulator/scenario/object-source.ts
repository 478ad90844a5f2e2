import { ScenarioError } from '../../../core/errors.js';

/** The metadata every stored object has; the rest of the object is served as written. */
export interface SimObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** A stored Kubernetes object without `kind`/`apiVersion`: like etcd, the store keeps those on the list. */
export interface SimObject {
  metadata: SimObjectMeta;
  [field: string]: unknown;
}

/**
 * The objects of one resource, sorted by storage key (`namespace/name`, or `name` when cluster-scoped): the order
 * etcd returns them in. Lists walk it by index, so a source may build each object on demand instead of holding all
 * of them (a generated scenario of 100,000 pods only needs `at` to be cheap).
 */
export interface ObjectSource {
  readonly size: number;
  /** The object at a position in key order. */
  at(index: number): SimObject;
  /** The storage key at a position, without building the object when the source can avoid it. */
  keyAt(index: number): string;
  /** The first position whose key is >= `key` (binary search), `size` when there is none. */
  lowerBound(key: string): number;
  /**
   * An index on a selectable field (`status.phase`, `spec.nodeName`, `reason`: the names field selectors use), when
   * the source keeps one. Lists with a field selector on that field then walk the index's narrower source instead
   * of every object: what makes `status.phase=Pending` cheap among 100,000 pods.
   */
  index?(field: string): FieldIndex | undefined;
}

/**
 * The objects of a source grouped by the value of one selectable field. Every object a list walks is still checked
 * against the whole selector, so an index may answer with more objects than match (a superset), never fewer.
 */
export interface FieldIndex {
  /** A source, in the same key order, holding at least every object whose field equals `value`. */
  candidates(value: string): ObjectSource;
  /**
   * Every value the field takes in the source, when the index knows them (it may list values no object has): lets a
   * selector like `status.phase!=Succeeded,status.phase!=Failed` narrow to the one value left.
   */
  readonly values?: readonly string[];
}

/** The storage key of an object: what sorts lists and what continue tokens point into. */
export function storageKey(object: SimObject, namespaced: boolean): string {
  return namespaced ? `${object.metadata.namespace ?? ''}/${object.metadata.name}` : object.metadata.name;
}

/** Binary search over any key accessor. */
export function lowerBoundBy(size: number, keyAt: (index: number) => string, key: string): number {
  let low = 0;
  let high = size;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (keyAt(mid) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** An {@link ObjectSource} over objects held in memory; rejects two objects with the same key. */
export function arraySource(objects: readonly SimObject[], namespaced: boolean, what: string): ObjectSource {
  const entries = objects.map((object) => ({ key: storageKey(object, namespaced), object }));
  // Code-unit order, not locale order: it is the byte order etcd uses for ASCII keys.
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (let index = 1; index < entries.length; index++) {
    if (entries[index]?.key === entries[index - 1]?.key) {
      throw new ScenarioError(`${what}: two objects are named "${entries[index]?.key}"; names must be unique`);
    }
  }
  const keyAt = (index: number): string => entries[index]?.key ?? '';
  return {
    size: entries.length,
    at: (index) => {
      const entry = entries[index];
      if (!entry) throw new RangeError(`index ${index} is outside 0..${entries.length - 1}`);
      return entry.object;
    },
    keyAt,
    lowerBound: (key) => lowerBoundBy(entries.length, keyAt, key),
  };
}
