/**
 * A list answer cut, as bytes, into its envelope and the byte range of each item, so that each item is decoded and
 * parsed only when the consumer takes it. Why not decode and `JSON.parse` the page: V8 allocates what `JSON.parse`
 * builds from a text of 100 KB or more straight into the old generation, so a page of 500 pods is ~5 MB of old-space
 * garbage a moment later. Over a 100,000-pod list that meant a mark-compact every few pages with a capped heap, and
 * with V8's default limit a heap that swelled to four times its live size (past 300 MiB of RSS) before anything was
 * collected. Items decoded and parsed one at a time are small and die young, where collecting them costs next to
 * nothing.
 *
 * The cut is found without walking the JSON: kube-apiserver writes list items compactly and each with the same first
 * key (`{"metadata":…}`), so item boundaries are the places where `},{"<that key>":` occurs; inside a JSON string
 * those quotes would be escaped, so the sequence can only be structure. It can still be structure inside an item
 * (an array of objects led by the same key): the text before such a false cut never closes its brackets, so parsing
 * it fails, and {@link ListBody} users then parse the whole body instead. A body that does not look like this at all
 * (other key order, whitespace, items not last) is not cut.
 */
export interface ListBody {
  /** The answer with its `items` array emptied: `{"kind":…,"metadata":{…},"items":[]}`. */
  envelope: string;
  /** Where each element of `items` starts and ends (exclusive), in bytes: `[start0, end0, start1, end1, …]`. */
  ranges: number[];
}

const ITEMS = Buffer.from('"items":[');
const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;

/**
 * Cuts a list answer into its envelope and item ranges, or `undefined` when it does not look like kube-apiserver's
 * compact list encoding (the caller then parses it whole, and `JSON.parse` or the schema says what is wrong).
 */
export function splitListBody(bytes: Buffer): ListBody | undefined {
  const open = bytes.indexOf(ITEMS);
  if (open < 0) return undefined;
  const first = open + ITEMS.length;
  // The items array is the last member: the body ends with `]}`.
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] as number) <= 0x20) end--;
  const close = end - 2;
  if (close < first || bytes[close] !== CLOSE_BRACKET) return undefined;
  const envelope = `${bytes.toString('utf8', 0, first)}]${bytes.toString('utf8', close + 1, end)}`;
  const ranges: number[] = [];
  if (close === first) return { envelope, ranges };
  if (bytes[first] !== OPEN_BRACE || bytes[first + 1] !== QUOTE) return undefined;
  const keyEnd = bytes.indexOf(QUOTE, first + 2);
  if (keyEnd < 0) return undefined;
  // `},{"metadata":` between two items.
  const boundary = Buffer.concat([Buffer.from('},'), bytes.subarray(first, keyEnd + 1), Buffer.from(':')]);
  let start = first;
  for (;;) {
    const next = bytes.indexOf(boundary, start);
    if (next < 0 || next >= close) break;
    ranges.push(start, next + 1);
    start = next + 2;
  }
  ranges.push(start, close);
  return { envelope, ranges };
}
