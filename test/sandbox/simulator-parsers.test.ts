import { describe, expect, it } from '@jest/globals';
import { decodeContinue, encodeContinue } from '../../src/sandbox/simulator/api/continue-token.js';
import { matchesFields, parseFieldSelector } from '../../src/sandbox/simulator/api/field-selector.js';
import { humanDuration } from '../../src/sandbox/simulator/api/human-duration.js';
import { matchesLabels, parseLabelSelector } from '../../src/sandbox/simulator/api/label-selector.js';
import { listPage } from '../../src/sandbox/simulator/api/list-page.js';
import { healthAnswer } from '../../src/sandbox/simulator/health/serve-health.js';
import { formatGoFloat } from '../../src/sandbox/simulator/metrics/go-float.js';
import { arraySource, lowerBoundBy, type ObjectSource, type SimObject } from '../../src/sandbox/simulator/index.js';
import {
  formatMicroTime,
  formatTime,
  isTimestampExpression,
  relativeOffsetMs,
  resolveTimestamp,
} from '../../src/sandbox/simulator/scenario/relative-time.js';
import { StatusError } from '../../src/sandbox/simulator/server/status-error.js';

function statusOf(action: () => unknown): { code: number; message: string } {
  try {
    action();
  } catch (error) {
    if (error instanceof StatusError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a StatusError');
}

describe('field selectors', () => {
  it.each([
    ['status.phase=Pending', [{ field: 'status.phase', operator: '=', value: 'Pending' }]],
    ['status.phase==Pending', [{ field: 'status.phase', operator: '=', value: 'Pending' }]],
    ['spec.nodeName!=cp-1', [{ field: 'spec.nodeName', operator: '!=', value: 'cp-1' }]],
    ['spec.nodeName=', [{ field: 'spec.nodeName', operator: '=', value: '' }]],
    [
      'involvedObject.kind=Pod,reason=BackOff',
      [
        { field: 'involvedObject.kind', operator: '=', value: 'Pod' },
        { field: 'reason', operator: '=', value: 'BackOff' },
      ],
    ],
    ['metadata.name=a\\,b', [{ field: 'metadata.name', operator: '=', value: 'a,b' }]],
    ['', []],
  ])('parses %j', (selector, expected) => {
    expect(parseFieldSelector(selector)).toEqual(expected);
  });

  it.each(['status.phase', '=Pending', 'a=b,c', 'x=\\q'])('answers 400 for %j', (selector) => {
    expect(statusOf(() => parseFieldSelector(selector)).code).toBe(400);
  });

  it.each([
    ['status.phase=Running', { 'status.phase': 'Running' }, true],
    ['status.phase!=Running', { 'status.phase': 'Running' }, false],
    ['spec.nodeName=', {}, true],
    ['spec.nodeName!=', { 'spec.nodeName': 'cp-1' }, true],
    ['a=1,b=2', { a: '1', b: '3' }, false],
  ])('%j against %j → %s', (selector, fields: Record<string, string>, expected) => {
    expect(matchesFields(parseFieldSelector(selector), (name) => fields[name] ?? '')).toBe(expected);
  });
});

describe('label selectors', () => {
  const labels = {
    component: 'kube-scheduler',
    tier: 'control-plane',
    'node-role.kubernetes.io/control-plane': '',
    gen: '3',
  };
  it.each([
    ['component=kube-scheduler', true],
    ['component==kube-scheduler', true],
    ['component!=kube-scheduler', false],
    ['component!=etcd', true],
    ['missing!=x', true],
    ['tier in (control-plane,node)', true],
    ['tier in (node)', false],
    ['tier notin (node)', true],
    ['missing notin (node)', true],
    ['node-role.kubernetes.io/control-plane', true],
    ['!node-role.kubernetes.io/control-plane', false],
    ['!missing', true],
    ['component=kube-scheduler,tier in (control-plane)', true],
    ['component=kube-scheduler, tier=node', false],
    ['gen>2', true],
    ['gen<3', false],
    ['', true],
  ])('%j matches: %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each(['app in (web', 'app in web', '=x', 'a=b c', 'app notin', 'a>x', '!a=b', 'bad key=x', 'a=-bad-'])(
    'answers 400 for %j',
    (selector) => {
      const status = statusOf(() => parseLabelSelector(selector));
      expect(status.code).toBe(400);
      expect(status.message).toMatch(/unable to parse requirement/);
    },
  );
});

describe('continue tokens', () => {
  it('round-trips in the API server encoding (unpadded base64url JSON)', () => {
    const token = encodeContinue({ revision: 1234, start: 'kube-system/etcd-cp-1\u0000' });
    expect(token).not.toMatch(/[=+/]/);
    expect(JSON.parse(Buffer.from(token, 'base64url').toString())).toEqual({
      v: 'meta.k8s.io/v1',
      rv: 1234,
      start: 'kube-system/etcd-cp-1\u0000',
    });
    expect(decodeContinue(token)).toEqual({ revision: 1234, start: 'kube-system/etcd-cp-1\u0000' });
  });

  const encode = (body: unknown): string => Buffer.from(JSON.stringify(body)).toString('base64url');
  it.each([
    ['not base64', '!!!'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['an unknown version', encode({ v: 'meta.k8s.io/v2', rv: 1, start: 'a' })],
    ['revision 0', encode({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' })],
    ['an empty start', encode({ v: 'meta.k8s.io/v1', rv: 5, start: '' })],
    ['a path climbing out of the prefix', encode({ v: 'meta.k8s.io/v1', rv: 5, start: '../secrets/x' })],
  ])('answers 400 for %s', (_what, token) => {
    const status = statusOf(() => decodeContinue(token));
    expect(status.code).toBe(400);
    expect(status.message).toMatch(/^invalid continue token: /);
  });
});

describe('relative times', () => {
  it.each([
    ['-45s', -45_000],
    ['-3m', -180_000],
    ['-2h', -7_200_000],
    ['-30d', -2_592_000_000],
    ['-1h30m', -5_400_000],
    ['+15s', 15_000],
    ['now', 0],
    ['2024-03-12T10:14:02Z', undefined],
    ['-3x', undefined],
    ['-', undefined],
    ['', undefined],
    ['45s', undefined],
  ])('%j → %s ms', (text, expected) => {
    expect(relativeOffsetMs(text)).toBe(expected);
  });

  it.each([
    ['-45s', true],
    ['2024-03-12T10:14:02Z', true],
    ['2024-03-12T10:14:02.123456Z', true],
    ['2024-03-12T10:14:02+02:00', true],
    ['2024-03-12 10:14:02', false],
    ['yesterday', false],
  ])('%j is a timestamp expression: %s', (text, expected) => {
    expect(isTimestampExpression(text)).toBe(expected);
  });

  it('resolves against the given clock, in metav1.Time and MicroTime formats', () => {
    const now = Date.parse('2025-03-01T12:00:00.250Z');
    expect(resolveTimestamp('-45s', now)).toBe('2025-03-01T11:59:15Z');
    expect(resolveTimestamp('-45s', now, true)).toBe('2025-03-01T11:59:15.250000Z');
    expect(resolveTimestamp('2024-03-12T10:14:02Z', now)).toBe('2024-03-12T10:14:02Z');
    expect(formatTime(now)).toBe('2025-03-01T12:00:00Z');
    expect(formatMicroTime(now)).toBe('2025-03-01T12:00:00.250000Z');
  });
});

describe('humanDuration (kubectl AGE)', () => {
  it.each([
    [-5000, '<invalid>'],
    [-1000, '0s'],
    [0, '0s'],
    [45_000, '45s'],
    [119_000, '119s'],
    [190_000, '3m10s'],
    [300_000, '5m'],
    [45 * 60_000, '45m'],
    [5 * 3_600_000 + 20 * 60_000, '5h20m'],
    [30 * 3_600_000, '30h'],
    [3 * 86_400_000 + 4 * 3_600_000, '3d4h'],
    [120 * 86_400_000, '120d'],
    [800 * 86_400_000, '2y70d'],
  ])('%d ms → %s', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });
});

describe('formatGoFloat (Prometheus text values)', () => {
  it.each([
    [0, '0'],
    [1, '1'],
    [0.005, '0.005'],
    [1.25, '1.25'],
    [123456.5, '123456.5'],
    [1234567, '1.234567e+06'],
    [2147532800, '2.1475328e+09'],
    [0.00005, '5e-05'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NaN, 'NaN'],
  ])('%d → %s', (value, expected) => {
    expect(formatGoFloat(value)).toBe(expected);
  });
});

describe('health answers', () => {
  const checks = [
    { name: 'ping' },
    { name: 'etcd', error: 'error getting data from etcd: context deadline exceeded' },
    { name: 'shutdown' },
  ];
  const passing = [{ name: 'ping' }, { name: 'log' }];
  const query = (text: string): URLSearchParams => new URLSearchParams(text);

  it.each([
    ['passing, plain', passing, '', '', 200, 'ok'],
    ['passing, verbose', passing, '', 'verbose', 200, '[+]ping ok\n[+]log ok\nreadyz check passed\n'],
    [
      'failing, plain (verbose anyway)',
      checks,
      '',
      '',
      500,
      '[+]ping ok\n[-]etcd failed: reason withheld\n[+]shutdown ok\nreadyz check failed\n',
    ],
    [
      'failing check excluded',
      checks,
      '',
      'verbose&exclude=etcd',
      200,
      '[+]ping ok\n[+]etcd excluded: ok\n[+]shutdown ok\nreadyz check passed\n',
    ],
    [
      'unknown exclusion',
      passing,
      '',
      'verbose&exclude=nope',
      200,
      '[+]ping ok\n[+]log ok\nwarn: some health checks cannot be excluded: no matches for "nope"\nreadyz check passed\n',
    ],
    ['one passing check', checks, 'ping', '', 200, 'ok'],
    [
      'one failing check',
      checks,
      'etcd',
      '',
      500,
      'internal server error: error getting data from etcd: context deadline exceeded\n',
    ],
    ['an unknown check', checks, 'nope', '', 404, '404 page not found\n'],
  ])('%s', (_what, list, subpath, search, status, body) => {
    expect(healthAnswer('readyz', list, subpath, query(search))).toEqual({ status, body });
  });
});

/** A source of `size` generated pods that counts how many it had to build. */
function generatedSource(size: number): ObjectSource & { built: number } {
  const name = (index: number): string => `pod-${String(index).padStart(6, '0')}`;
  const source = {
    built: 0,
    size,
    keyAt: (index: number) => `ns/${name(index)}`,
    at(index: number): SimObject {
      source.built++;
      return { metadata: { name: name(index), namespace: 'ns', labels: { parity: index % 2 === 0 ? 'even' : 'odd' } } };
    },
    lowerBound: (key: string) => lowerBoundBy(size, source.keyAt, key),
  };
  return source;
}

describe('listPage', () => {
  const objects: SimObject[] = ['b', 'a', 'c', 'e', 'd'].flatMap((name) => [
    { metadata: { name, namespace: 'one' } },
    { metadata: { name, namespace: 'two' } },
  ]);
  const source = arraySource(objects, true, 'test');
  const store = { revision: 77, compactedRevision: 0 };
  const names = (page: { items: Iterable<SimObject> }): string[] =>
    [...page.items].map((item) => `${item.metadata.namespace}/${item.metadata.name}`);

  function walk(query: Omit<Parameters<typeof listPage>[1], 'continueToken'>): { names: string[]; pages: number } {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = listPage(source, { ...query, ...(token ? { continueToken: token } : {}) }, store);
      pages++;
      seen.push(...names(page));
      token = page.continue;
      const inRange = query.namespace ? 5 : source.size;
      if (token && !query.predicate) expect(page.remainingItemCount).toBe(inRange - seen.length);
      if (query.predicate) expect(page.remainingItemCount).toBeUndefined();
      expect(page.resourceVersion).toBe('77');
    } while (token);
    return { names: seen, pages };
  }

  it.each([1, 2, 3, 4, 9, 10, 11, 500])('walks every object in key order with limit %d', (limit) => {
    const all = names(listPage(source, { limit: 0 }, store));
    expect(all).toEqual(['one/a', 'one/b', 'one/c', 'one/d', 'one/e', 'two/a', 'two/b', 'two/c', 'two/d', 'two/e']);
    const result = walk({ limit });
    expect(result.names).toEqual(all);
    expect(result.pages).toBe(Math.max(1, Math.ceil(all.length / limit)));
  });

  it.each([1, 2, 4])('walks one namespace with limit %d', (limit) => {
    expect(walk({ limit, namespace: 'two' }).names).toEqual(['two/a', 'two/b', 'two/c', 'two/d', 'two/e']);
  });

  it('filters lazily, and may end on an empty page when the rest does not match, as the server does', () => {
    const predicate = (object: SimObject): boolean => ['a', 'b'].includes(object.metadata.name);
    expect(walk({ limit: 2, predicate }).names).toEqual(['one/a', 'one/b', 'two/a', 'two/b']);
  });

  it('answers 410 Expired with a fresh continue token after compaction', () => {
    const first = listPage(source, { limit: 3 }, store);
    const status = statusOf(() =>
      listPage(source, { limit: 3, continueToken: first.continue ?? '' }, { revision: 80, compactedRevision: 80 }),
    );
    expect(status.code).toBe(410);
    expect(status.message).toMatch(/^The provided continue parameter is too old/);
  });

  it('builds only the objects of the page from a generated source of 100,000', () => {
    const big = generatedSource(100_000);
    const first = listPage(big, { limit: 10 }, store);
    expect([...first.items]).toHaveLength(10);
    expect(first.remainingItemCount).toBe(99_990);
    const second = listPage(big, { limit: 10, continueToken: first.continue ?? '' }, store);
    expect([...second.items][0]?.metadata.name).toBe('pod-000010');
    expect(big.built).toBe(20);
    const odd = listPage(big, { limit: 5, predicate: (object) => object.metadata.labels?.parity === 'odd' }, store);
    expect([...odd.items].map((item) => item.metadata.name)).toEqual([
      'pod-000001',
      'pod-000003',
      'pod-000005',
      'pod-000007',
      'pod-000009',
    ]);
  });
});
