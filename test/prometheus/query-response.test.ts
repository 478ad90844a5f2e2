import { describe, expect, it } from '@jest/globals';
import { readQueryResponse, type QueryResponse } from '../../src/prometheus/query-response.js';

describe('readQueryResponse', () => {
  /** [what, body, what it reads as]. Bodies are as Prometheus 2.42 writes them (checked against the real one). */
  const cases: Array<[string, unknown, QueryResponse]> = [
    [
      'a scalar (`1`, the reachability probe)',
      { status: 'success', data: { resultType: 'scalar', result: [1796180519.73, '1'] } },
      { status: 'success', warnings: [], result: { resultType: 'scalar', value: 1, timestampMs: 1796180519730 } },
    ],
    [
      'an instant vector, with the special values',
      {
        status: 'success',
        data: {
          resultType: 'vector',
          result: [
            { metric: { verb: 'LIST', le: '+Inf' }, value: [1796180519, '12.5'] },
            { metric: {}, value: [1796180519, '+Inf'] },
            { metric: { a: 'b' }, value: [1796180519, '-Inf'] },
            { metric: { a: 'c' }, value: [1796180519, 'NaN'] },
          ],
        },
      },
      {
        status: 'success',
        warnings: [],
        result: {
          resultType: 'vector',
          samples: [
            { labels: { verb: 'LIST', le: '+Inf' }, value: 12.5, timestampMs: 1796180519000 },
            { labels: {}, value: Number.POSITIVE_INFINITY, timestampMs: 1796180519000 },
            { labels: { a: 'b' }, value: Number.NEGATIVE_INFINITY, timestampMs: 1796180519000 },
            { labels: { a: 'c' }, value: Number.NaN, timestampMs: 1796180519000 },
          ],
        },
      },
    ],
    [
      'an empty vector',
      { status: 'success', data: { resultType: 'vector', result: [] } },
      { status: 'success', warnings: [], result: { resultType: 'vector', samples: [] } },
    ],
    [
      'a range vector (matrix)',
      {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { __name__: 'up', job: 'apiserver' },
              values: [
                [1796180518.5, '1'],
                [1796180519.5, '0'],
              ],
            },
          ],
        },
      },
      {
        status: 'success',
        warnings: [],
        result: {
          resultType: 'matrix',
          series: [
            {
              labels: { __name__: 'up', job: 'apiserver' },
              samples: [
                { timestampMs: 1796180518500, value: 1 },
                { timestampMs: 1796180519500, value: 0 },
              ],
            },
          ],
        },
      },
    ],
    [
      'a string',
      { status: 'success', data: { resultType: 'string', result: [1796180519.756, 'hi'] } },
      { status: 'success', warnings: [], result: { resultType: 'string', value: 'hi', timestampMs: 1796180519756 } },
    ],
    [
      'warnings beside a result',
      { status: 'success', data: { resultType: 'vector', result: [] }, warnings: ['partial response'] },
      { status: 'success', warnings: ['partial response'], result: { resultType: 'vector', samples: [] } },
    ],
    [
      'a refused query',
      { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:4: parse error' },
      { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:4: parse error' },
    ],
    ['an error without details', { status: 'error' }, { status: 'error', errorType: 'unknown', error: '(no message)' }],
    [
      'an unknown result type (Loki answers streams)',
      { status: 'success', data: { resultType: 'streams', result: [] } },
      { status: 'unreadable', problem: expect.stringMatching(/^data\.resultType: /) as unknown as string },
    ],
    [
      'a vector element without a value (a native histogram)',
      {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, histogram: [1, { count: '1' }] }] },
      },
      { status: 'unreadable', problem: expect.stringMatching(/^data\.result\[0\]\.value: /) as unknown as string },
    ],
    [
      'a scalar given as a vector would be',
      { status: 'success', data: { resultType: 'scalar', result: [{ metric: {}, value: [1, '1'] }] } },
      { status: 'unreadable', problem: expect.stringMatching(/^data\.result/) as unknown as string },
    ],
    [
      'a success without data',
      { status: 'success' },
      { status: 'unreadable', problem: expect.stringMatching(/^data: /) as unknown as string },
    ],
    [
      'something else entirely',
      { hello: 'world' },
      { status: 'unreadable', problem: expect.stringMatching(/^status: /) as unknown as string },
    ],
  ];
  it.each(cases)('reads %s', (_, body, expected) => {
    expect(readQueryResponse(JSON.stringify(body))).toEqual(expected);
  });

  it.each([
    ['<html><body>502 Bad Gateway</body></html>', 'not JSON (begins "<html><body>502 Bad Gateway</body></html>")'],
    ['', 'not JSON (empty)'],
  ])('says what a body that is not JSON begins with: %j', (body, problem) => {
    expect(readQueryResponse(body)).toEqual({ status: 'unreadable', problem });
  });
});
