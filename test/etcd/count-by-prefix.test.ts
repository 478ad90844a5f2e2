import { describe, expect, it } from '@jest/globals';
import { countByPrefix, type KeyspaceProbe } from '../../src/etcd/count-by-prefix.js';
import { nextKey, normalizeRoot, prefixRangeEnd, resourcePrefixOf } from '../../src/etcd/registry-prefix.js';

/** An in-memory keyspace in etcd's bytewise order that counts the requests made to it. */
function fakeKeyspace(keys: string[]): KeyspaceProbe & { requests: number } {
  const sorted = keys.map((key) => Buffer.from(key)).sort(Buffer.compare);
  const inRange = (key: Buffer, from: Buffer, end: Buffer) =>
    Buffer.compare(key, from) >= 0 && Buffer.compare(key, end) < 0;
  const probe = {
    requests: 0,
    async firstKey(from: Buffer, end: Buffer) {
      probe.requests++;
      return sorted.find((key) => inRange(key, from, end));
    },
    async count(from: Buffer, end: Buffer) {
      probe.requests++;
      return sorted.filter((key) => inRange(key, from, end)).length;
    },
  };
  return probe;
}

describe('resourcePrefixOf', () => {
  it.each([
    ['/registry/pods/default/web-1', '/registry/pods/'],
    ['/registry/events/kube-system/x.1234', '/registry/events/'],
    ['/registry/namespaces/default', '/registry/namespaces/'],
    [
      '/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com',
      '/registry/apiextensions.k8s.io/customresourcedefinitions/',
    ],
    ['/registry/example.com/widgets/team-a/w-1', '/registry/example.com/widgets/'],
    ['/registry/health', undefined],
    ['/registry/example.com/orphan', undefined],
  ])('%s belongs to %s', (key, prefix) => {
    expect(resourcePrefixOf(Buffer.from(key), Buffer.from('/registry/'))?.toString()).toBe(prefix);
  });
});

describe('range ends', () => {
  it.each([
    ['/registry/pods/', '/registry/pods0'],
    ['a\xff', 'b'],
  ])('the range of keys starting with %j ends before %j', (prefix, end) => {
    expect(prefixRangeEnd(Buffer.from(prefix, 'latin1')).toString('latin1')).toBe(end);
  });

  it('covers the whole keyspace for an all-0xff prefix', () => {
    expect([...prefixRangeEnd(Buffer.from([0xff, 0xff]))]).toEqual([0]);
  });

  it('puts the next key right after the key itself', () => {
    expect(nextKey(Buffer.from('/registry/health')).toString('latin1')).toBe('/registry/health\0');
    expect(normalizeRoot('/registry')).toBe('/registry/');
    expect(normalizeRoot('/registry/')).toBe('/registry/');
  });
});

describe('countByPrefix', () => {
  const keys = [
    ...Array.from({ length: 500 }, (_, i) => `/registry/events/default/e${i}`),
    ...Array.from({ length: 40 }, (_, i) => `/registry/pods/ns${i % 3}/p${i}`),
    '/registry/pods0-is-not-a-pod',
    '/registry/apiextensions.k8s.io/customresourcedefinitions/a.example.com',
    '/registry/apiextensions.k8s.io/customresourcedefinitions/b.example.com',
    '/registry/example.com/widgets/default/w1',
    '/registry/health',
    '/registry-other/pods/x',
    '/other/pods/x',
  ];

  it('counts each resource prefix under the root, most keys first', async () => {
    expect(await countByPrefix(fakeKeyspace(keys), '/registry')).toEqual([
      { prefix: '/registry/events/', keys: 500 },
      { prefix: '/registry/pods/', keys: 40 },
      { prefix: '/registry/apiextensions.k8s.io/customresourcedefinitions/', keys: 2 },
      { prefix: '/registry/example.com/widgets/', keys: 1 },
      { prefix: '/registry/health', keys: 1 },
      { prefix: '/registry/pods0-is-not-a-pod', keys: 1 },
    ]);
  });

  it('costs two requests per prefix however many keys there are, plus one to find the end', async () => {
    const probe = fakeKeyspace(keys);
    await countByPrefix(probe, '/registry/');
    // 4 prefixes × 2 + 2 leaf keys × 1 + the final empty lookup.
    expect(probe.requests).toBe(4 * 2 + 2 + 1);
  });

  it('returns only the top `limit` prefixes', async () => {
    expect((await countByPrefix(fakeKeyspace(keys), '/registry/', { limit: 2 })).map((entry) => entry.prefix)).toEqual([
      '/registry/events/',
      '/registry/pods/',
    ]);
  });

  it('returns nothing for an empty root and refuses a keyspace with too many prefixes', async () => {
    expect(await countByPrefix(fakeKeyspace(keys), '/nothing/')).toEqual([]);
    const flat = Array.from({ length: 20 }, (_, i) => `/flat/k${i}`);
    await expect(countByPrefix(fakeKeyspace(flat), '/flat/', { maxPrefixes: 10 })).rejects.toThrow(
      'more than 10 prefixes',
    );
  });
});
