import { describe, expect, it } from '@jest/globals';
import { parseFieldSelector } from '../../src/sandbox/simulator/api/field-selector.js';
import { listPage } from '../../src/sandbox/simulator/api/list-page.js';
import { narrowSource } from '../../src/sandbox/simulator/api/narrow-source.js';
import {
  arraySource,
  concatSources,
  emptySource,
  failedSchedulingMessage,
  generatedSource,
  mergeSources,
  subsequenceSource,
  withIndex,
  type ObjectSource,
  type SimObject,
} from '../../src/sandbox/simulator/index.js';
import { resolveTimestampsInJson, timestampReplacer } from '../../src/sandbox/simulator/scenario/relative-time.js';

const keys = (source: ObjectSource): string[] => Array.from({ length: source.size }, (_, index) => source.keyAt(index));
const names = (source: ObjectSource): string[] =>
  Array.from({ length: source.size }, (_, index) => source.at(index).metadata.name);

/** `n-0000`…: objects built from their position, counting builds. */
function numbered(size: number, step = 1, offset = 0): ObjectSource & { built: number } {
  const name = (index: number): string => `n-${String(offset + index * step).padStart(4, '0')}`;
  const source = generatedSource({
    size,
    keyAt: name,
    build: (index) => {
      tracked.built++;
      return {
        metadata: { name: name(index) },
        status: { phase: (offset + index * step) % 3 === 0 ? 'Pending' : 'Running' },
      };
    },
  });
  const tracked = Object.assign(source, { built: 0 });
  return tracked;
}

describe('source combinators', () => {
  it('generatedSource builds on demand and binary-searches keys', () => {
    const source = numbered(100);
    expect(source.lowerBound('n-0042')).toBe(42);
    expect(source.lowerBound('n-00425')).toBe(43);
    expect(source.lowerBound('z')).toBe(100);
    expect(source.built).toBe(0);
    expect(source.at(7).metadata.name).toBe('n-0007');
    expect(source.built).toBe(1);
    expect(() => source.at(100)).toThrow(RangeError);
  });

  it('subsequenceSource keeps key order and builds only what it reads', () => {
    const base = numbered(100);
    const every7th = subsequenceSource(base, 15, (index) => index * 7);
    expect(keys(every7th).slice(0, 3)).toEqual(['n-0000', 'n-0007', 'n-0014']);
    expect(every7th.lowerBound('n-0015')).toBe(3);
    expect(base.built).toBe(0);
    expect(every7th.at(2).metadata.name).toBe('n-0014');
    expect(base.built).toBe(1);
  });

  it('concatSources joins consecutive ranges, empty parts included', () => {
    const joined = concatSources([numbered(3), emptySource(), numbered(2, 1, 10), emptySource()]);
    expect(keys(joined)).toEqual(['n-0000', 'n-0001', 'n-0002', 'n-0010', 'n-0011']);
    expect(names(joined)).toEqual(keys(joined));
    expect(joined.lowerBound('n-0005')).toBe(3);
    expect(joined.lowerBound('n-0011')).toBe(4);
    expect(joined.lowerBound('n-9')).toBe(5);
  });

  it('mergeSources interleaves two sorted sources, by random access and walking', () => {
    const evens = numbered(50, 2);
    const thirds = numbered(30, 3, 1);
    const merged = mergeSources(evens, thirds);
    const expected = [...keys(evens), ...keys(thirds)].sort();
    expect(keys(merged)).toEqual(expected);
    // Random access in any order agrees with the walk.
    for (const index of [79, 0, 40, 41, 13, 78, 1, 55]) expect(merged.at(index).metadata.name).toBe(expected[index]);
    expect(merged.lowerBound('n-0050')).toBe(expected.findIndex((key) => key >= 'n-0050'));
    expect(names(mergeSources(emptySource(), thirds))).toEqual(keys(thirds));
  });
});

describe('narrowSource', () => {
  const base = numbered(300);
  const pending = subsequenceSource(base, 100, (index) => index * 3);
  const indexed = withIndex(base, (field) =>
    field === 'status.phase'
      ? {
          candidates: (value) => (value === 'Pending' ? pending : value === 'Running' ? base : emptySource()),
          values: ['Pending', 'Running'],
        }
      : undefined,
  );
  const narrow = (selector: string): ObjectSource => narrowSource(indexed, parseFieldSelector(selector));

  it.each([
    ['status.phase=Pending', 100],
    ['status.phase!=Running', 100],
    ['status.phase!=Succeeded,status.phase!=Failed', 300],
    ['status.phase=Pending,status.phase=Running', 0],
    ['status.phase=Pending,status.phase!=Pending', 0],
    ['status.phase!=Pending,status.phase!=Running', 0],
    ['status.phase=Unknown', 0],
    ['metadata.name=n-0001', 300],
    ['', 300],
  ])('%s walks %d objects', (selector, size) => {
    expect(narrow(selector).size).toBe(size);
  });

  it('leaves sources without an index alone', () => {
    const plain = arraySource([{ metadata: { name: 'a' } }], false, 'test');
    expect(narrowSource(plain, parseFieldSelector('status.phase=Pending'))).toBe(plain);
  });

  it('pages through the narrowed source with continue tokens, building only candidates', () => {
    const source = numbered(3000);
    const onlyPending = subsequenceSource(source, 1000, (index) => index * 3);
    const store = { revision: 5, compactedRevision: 0 };
    const predicate = (object: SimObject): boolean => (object.status as { phase: string }).phase === 'Pending';
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = listPage(onlyPending, { limit: 300, predicate, ...(token ? { continueToken: token } : {}) }, store);
      seen.push(...[...page.items].map((item) => item.metadata.name));
      token = page.continue;
    } while (token);
    expect(seen).toHaveLength(1000);
    expect(source.built).toBe(1000);
  });
});

describe('failedSchedulingMessage', () => {
  it('sorts counted reasons by their text and splits preemption by resolvability', () => {
    expect(
      failedSchedulingMessage(8, [
        {
          nodes: 3,
          reasons: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'],
          preemptible: false,
        },
        { nodes: 3, reasons: ['Insufficient cpu'], preemptible: true },
        { nodes: 2, reasons: ["node(s) didn't match Pod's node affinity/selector"], preemptible: false },
      ]),
    ).toBe(
      "0/8 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 3 Insufficient cpu, 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/8 nodes are available: 3 No preemption victims found for incoming pod, 5 Preemption is not helpful for scheduling.",
    );
  });

  it('counts a node short of two resources once per resource, and once for preemption', () => {
    expect(
      failedSchedulingMessage(4, [
        { nodes: 1, reasons: ['node(s) were unschedulable'], preemptible: false },
        { nodes: 3, reasons: ['Insufficient cpu', 'Insufficient memory'], preemptible: true },
      ]),
    ).toBe(
      '0/4 nodes are available: 1 node(s) were unschedulable, 3 Insufficient cpu, 3 Insufficient memory. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.',
    );
  });

  it('gives a PreFilter rejection without counts', () => {
    expect(failedSchedulingMessage(3, [], 'pod has unbound immediate PersistentVolumeClaims')).toBe(
      '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });
});

describe('resolveTimestampsInJson', () => {
  it('resolves relative times in time fields exactly as the replacer does, and nothing else', () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    const object = {
      metadata: { creationTimestamp: '-3m', annotations: { note: '"startTime":"-5m"' } },
      spec: { renewTime: '-2s', acquireTime: 'now' },
      status: { startTime: '2024-01-01T00:00:00Z', conditions: [{ lastTransitionTime: '-1h', lastProbeTime: null }] },
      eventTime: '-10s',
      series: { lastObservedTime: '-10s' },
      lastTimestamp: '-10s',
      message: 'lastTimestamp: -3m',
    };
    const text = resolveTimestampsInJson(JSON.stringify(object), now);
    expect(text).toBe(JSON.stringify(object, timestampReplacer(now)));
    expect(JSON.parse(text)).toMatchObject({
      metadata: { creationTimestamp: '2025-03-01T11:57:00Z', annotations: { note: '"startTime":"-5m"' } },
      eventTime: '2025-03-01T11:59:50.000000Z',
      lastTimestamp: '2025-03-01T11:59:50Z',
    });
  });
});
