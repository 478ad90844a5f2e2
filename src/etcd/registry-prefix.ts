/**
 * Byte-level helpers for walking Kubernetes' keyspace in etcd: `/registry/<resource>/<namespace>/<name>`, or
 * `/registry/<group>/<resource>/…` when the first segment is an API group (it contains a dot:
 * `apiextensions.k8s.io`, `example.com`). Keys are bytes and etcd orders them bytewise, so this works on Buffers.
 */
const SLASH = 0x2f;
const DOT = 0x2e;

/** `root` with exactly one trailing slash, so `/registry` never matches `/registry-other/…`. */
export function normalizeRoot(root: string): string {
  return root.endsWith('/') ? root : `${root}/`;
}

/**
 * The smallest key greater than every key that starts with `prefix` (etcd's `GetPrefixRangeEnd`): the last byte
 * below 0xff is incremented and the rest dropped. An all-0xff prefix gives `\0`, etcd's "to the end of the keyspace".
 */
export function prefixRangeEnd(prefix: Uint8Array): Buffer {
  const end = Buffer.from(prefix);
  for (let index = end.length - 1; index >= 0; index--) {
    const byte = end[index] as number;
    if (byte < 0xff) {
      end[index] = byte + 1;
      return end.subarray(0, index + 1);
    }
  }
  return Buffer.from([0]);
}

/** The key right after `key` in etcd's order: `key` + `\0`. */
export function nextKey(key: Uint8Array): Buffer {
  return Buffer.concat([key, Buffer.from([0])]);
}

/**
 * The resource prefix `key` belongs to, ending in `/`: `/registry/pods/`, or with an API group
 * `/registry/apiextensions.k8s.io/customresourcedefinitions/`. Undefined for a leaf key with no resource segment
 * below `root` (such as `/registry/health`), which counts on its own. `key` must start with `root`.
 */
export function resourcePrefixOf(key: Uint8Array, root: Uint8Array): Buffer | undefined {
  const bytes = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  const firstEnd = bytes.indexOf(SLASH, root.length);
  if (firstEnd < 0) return undefined;
  const first = bytes.subarray(root.length, firstEnd);
  if (!first.includes(DOT)) return Buffer.from(bytes.subarray(0, firstEnd + 1));
  const secondEnd = bytes.indexOf(SLASH, firstEnd + 1);
  if (secondEnd < 0) return undefined;
  return Buffer.from(bytes.subarray(0, secondEnd + 1));
}
