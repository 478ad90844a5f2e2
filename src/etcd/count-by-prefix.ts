import type { PrefixCount } from '../ports/etcd-reader.js';
import { nextKey, normalizeRoot, prefixRangeEnd, resourcePrefixOf } from './registry-prefix.js';

/**
 * The only two reads prefix counting needs. Neither can return a value: the type has no way to ask for one.
 * Ranges are half-open, `[from, end)`, in etcd's bytewise key order.
 */
export interface KeyspaceProbe {
  /** The smallest key in `[from, end)`, read keys-only with limit 1; undefined when the range is empty. */
  firstKey(from: Buffer, end: Buffer): Promise<Buffer | undefined>;
  /** How many keys are in `[from, end)`, read count-only. */
  count(from: Buffer, end: Buffer): Promise<number>;
}

export interface CountByPrefixOptions {
  /** Return only the `limit` largest prefixes. @defaultValue all */
  limit?: number;
  /** Stop with an error after this many prefixes (a keyspace that is not shaped like Kubernetes'). @defaultValue 10000 */
  maxPrefixes?: number;
}

/**
 * Keys under `root` grouped by resource prefix, most keys first (ties by prefix). A skip-scan: find the first key at
 * or after the cursor, count its whole prefix in one count-only read, then jump the cursor past the prefix. Costs two
 * small requests per prefix, however many keys each holds.
 */
export async function countByPrefix(
  probe: KeyspaceProbe,
  root: string,
  { limit, maxPrefixes = 10_000 }: CountByPrefixOptions = {},
): Promise<PrefixCount[]> {
  const rootKey = Buffer.from(normalizeRoot(root));
  const end = prefixRangeEnd(rootKey);
  const counts: PrefixCount[] = [];
  for (let cursor: Buffer = rootKey; ;) {
    const key = await probe.firstKey(cursor, end);
    if (key === undefined) break;
    if (counts.length >= maxPrefixes) {
      throw new Error(`more than ${maxPrefixes} prefixes under ${root}: this does not look like a Kubernetes keyspace`);
    }
    const prefix = resourcePrefixOf(key, rootKey);
    if (prefix === undefined) {
      counts.push({ prefix: key.toString('utf8'), keys: 1 });
      cursor = nextKey(key);
    } else {
      const prefixEnd = prefixRangeEnd(prefix);
      const keys = await probe.count(prefix, prefixEnd);
      // Zero when the keys were deleted between the two reads.
      if (keys > 0) counts.push({ prefix: prefix.toString('utf8'), keys });
      cursor = prefixEnd;
    }
  }
  counts.sort((a, b) => b.keys - a.keys || (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
  return limit === undefined ? counts : counts.slice(0, limit);
}
