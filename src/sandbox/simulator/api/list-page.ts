import type { ObjectSource, SimObject } from '../scenario/object-source.js';
import { StatusError, badRequest } from '../server/status-error.js';
import { decodeContinue, encodeContinue } from './continue-token.js';

/** One list request against a source. */
export interface ListQuery {
  /** Restricts to one namespace of a namespaced source. */
  namespace?: string;
  /** Page size; 0 for everything. */
  limit: number;
  continueToken?: string;
  /**
   * The request's `resourceVersion`. `"0"` (any version) is served as kube-apiserver's watch cache serves it: every
   * match in one answer, `limit` ignored, no continue token (the cacher cannot paginate; kubernetes#70735). With a
   * continue token only `""` and `"0"` are accepted, and a continued page comes from storage like any other.
   */
  resourceVersion?: string;
  /** The selectors, combined; `undefined` when the request has none (then `remainingItemCount` is exact). */
  predicate?: (object: SimObject) => boolean;
}

/** One page: references to stored objects, not copies. */
export interface ListPage {
  /**
   * The page's objects. An unlimited list (`limit` 0) walks its source lazily, as the response is written, so even
   * a list of 100,000 generated objects never holds them all at once.
   */
  items: Iterable<SimObject>;
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

const EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/**
 * Reads one page the way kube-apiserver's etcd store does: walk keys in order from the continue point, keep those
 * the selectors match until `limit` are kept, and hand out a continue token when any key is left in range (even if
 * none of the rest match). Walks by index: nothing is copied or filtered beyond this page.
 */
export function listPage(
  source: ObjectSource,
  query: ListQuery,
  store: { revision: number; compactedRevision: number },
): ListPage {
  const prefix = query.namespace === undefined ? '' : `${query.namespace}/`;
  const rangeStart = prefix ? source.lowerBound(prefix) : 0;
  // '0' is the character after '/', so this is the first key past the namespace.
  const rangeEnd = prefix ? source.lowerBound(`${query.namespace}0`) : source.size;
  let revision = store.revision;
  let index = rangeStart;

  const asked = query.resourceVersion ?? '';
  if (asked !== '' && !/^\d+$/.test(asked)) {
    // The etcd store's wording (ParseResourceVersion is strconv.ParseUint).
    throw badRequest(
      `invalid resource version: resourceVersion: Invalid value: "${asked}": strconv.ParseUint: parsing "${asked}": invalid syntax`,
    );
  }
  if (query.continueToken) {
    if (asked !== '' && asked !== '0')
      throw badRequest('specifying resource version is not allowed when using continue');
    const point = decodeContinue(query.continueToken);
    if (point.revision > 0 && point.revision < store.compactedRevision) {
      throw new StatusError(410, EXPIRED, {
        metadata: { continue: encodeContinue({ revision: -1, start: point.start }) },
      });
    }
    if (point.revision > 0) revision = point.revision;
    index = Math.max(rangeStart, source.lowerBound(prefix + point.start));
  }

  // The watch cache answers "any version" whole: the objects never change, so its snapshot is the current one.
  if (query.limit <= 0 || (asked === '0' && !query.continueToken)) {
    return { items: walk(source, index, rangeEnd, query.predicate), resourceVersion: String(revision) };
  }
  const items: SimObject[] = [];
  let lastIndex = -1;
  for (; index < rangeEnd; index++) {
    if (items.length >= query.limit) break;
    const object = source.at(index);
    if (!query.predicate || query.predicate(object)) items.push(object);
    lastIndex = index;
  }
  const page: ListPage = { items, resourceVersion: String(revision) };
  if (index < rangeEnd && lastIndex >= 0) {
    page.continue = encodeContinue({ revision, start: `${source.keyAt(lastIndex).slice(prefix.length)}\u0000` });
    // Only exact without selectors: the server omits it rather than count objects the selector would drop.
    if (!query.predicate) page.remainingItemCount = rangeEnd - index;
  }
  return page;
}

/** The objects of `[start, end)` that match, built one at a time as the caller iterates. */
function* walk(
  source: ObjectSource,
  start: number,
  end: number,
  predicate: ((object: SimObject) => boolean) | undefined,
): Generator<SimObject, void, undefined> {
  for (let index = start; index < end; index++) {
    const object = source.at(index);
    if (!predicate || predicate(object)) yield object;
  }
}
