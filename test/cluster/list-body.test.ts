import { describe, expect, it } from '@jest/globals';
import { splitListBody } from '../../src/cluster/list-body.js';

/** The item texts of a cut, or `undefined` when the body is not cut. */
function cut(text: string): { envelope: string; items: string[] } | undefined {
  const bytes = Buffer.from(text);
  const body = splitListBody(bytes);
  if (!body) return undefined;
  const items: string[] = [];
  for (let index = 0; index < body.ranges.length; index += 2) {
    items.push(bytes.toString('utf8', body.ranges[index], body.ranges[index + 1]));
  }
  return { envelope: body.envelope, items };
}

describe('splitListBody', () => {
  it.each([
    [
      'a compact list',
      '{"kind":"PodList","metadata":{"continue":"t"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}',
      {
        envelope: '{"kind":"PodList","metadata":{"continue":"t"},"items":[]}',
        items: ['{"metadata":{"name":"a"}}', '{"metadata":{"name":"b"}}'],
      },
    ],
    ['an empty list', '{"kind":"PodList","items":[]}\n', { envelope: '{"kind":"PodList","items":[]}', items: [] }],
    [
      'items led by another key',
      '{"items":[{"kind":"Pod","x":1},{"kind":"Pod","x":2}]}',
      { envelope: '{"items":[]}', items: ['{"kind":"Pod","x":1}', '{"kind":"Pod","x":2}'] },
    ],
    [
      'the boundary inside a string (escaped there, so no cut)',
      '{"items":[{"metadata":{"note":"},{\\"metadata\\":"}},{"metadata":{}}]}',
      { envelope: '{"items":[]}', items: ['{"metadata":{"note":"},{\\"metadata\\":"}}', '{"metadata":{}}'] },
    ],
    [
      'non-ASCII text (cut on bytes, decoded per item)',
      '{"items":[{"metadata":{"name":"é"}},{"metadata":{"name":"ü"}}]}',
      { envelope: '{"items":[]}', items: ['{"metadata":{"name":"é"}}', '{"metadata":{"name":"ü"}}'] },
    ],
  ])('cuts %s at its items', (_name, text, expected) => {
    const result = cut(text);
    expect(result).toEqual(expected);
    expect(result?.items.map((item) => JSON.parse(item))).toEqual(JSON.parse(text).items);
  });

  it('cuts inside an item when objects there are led by the same key: the first part then is not JSON', () => {
    const result = cut('{"items":[{"metadata":{},"list":[{"metadata":1},{"metadata":2}]},{"metadata":{}}]}');
    expect(result?.items[0]).toBe('{"metadata":{},"list":[{"metadata":1}');
    expect(() => JSON.parse(result?.items[0] ?? '')).toThrow();
  });

  it.each([
    ['no items', '{"kind":"Status","code":410}'],
    ['items not last', '{"items":[{"a":1}],"metadata":{}}'],
    ['items not an array', '{"items":{}}'],
    ['a truncated body', '{"items":[{"metadata":{}},{"metad'],
    ['not an object', '[{"metadata":{}}]'],
  ])('leaves %s whole', (_name, text) => {
    expect(cut(text)).toBeUndefined();
  });
});
