import { describe, expect, it } from '@jest/globals';
import {
  aggregate,
  collectHistograms,
  histogramDelta,
  labelKey,
  type Bucket,
  type HistogramSeries,
} from '../../src/metrics/histogram.js';
import { MetricsParseError } from '../../src/metrics/metrics-errors.js';
import { parsePrometheusText } from '../../src/metrics/parse-prometheus-text.js';

const NAME = 'apiserver_request_duration_seconds';

function samplesOf(text: string) {
  return parsePrometheusText(`# TYPE ${NAME} histogram\n${text}`).get(NAME)?.samples ?? [];
}

const buckets = (...pairs: ReadonlyArray<readonly [number, number]>): Bucket[] =>
  pairs.map(([upperBound, count]) => ({ upperBound, count }));

function series(
  labels: Record<string, string>,
  pairs: ReadonlyArray<readonly [number, number]>,
  sum = 0,
): HistogramSeries {
  const all = buckets(...pairs);
  return { name: NAME, labels, key: labelKey(labels), buckets: all, sum, count: all.at(-1)?.count ?? 0 };
}

describe('collectHistograms', () => {
  it('groups _bucket, _sum and _count by label set without le, whatever the label order, buckets sorted', () => {
    const collected = collectHistograms(
      samplesOf(
        [
          `${NAME}_bucket{verb="GET",resource="pods",le="+Inf"} 10`,
          `${NAME}_bucket{verb="GET",resource="pods",le="0.5"} 7`,
          `${NAME}_bucket{le="0.1",resource="pods",verb="GET"} 4`,
          `${NAME}_bucket{verb="LIST",resource="pods",le="0.1"} 1`,
          `${NAME}_bucket{verb="LIST",resource="pods",le="+Inf"} 2`,
          `${NAME}_sum{resource="pods",verb="GET"} 1.25`,
          `${NAME}_count{verb="GET",resource="pods"} 10`,
          `${NAME}_sum{verb="LIST",resource="pods"} 0.5`,
          `${NAME}_count{verb="LIST",resource="pods"} 2`,
        ].join('\n'),
      ),
      NAME,
    );
    expect(collected.map((one) => ({ ...one, labels: { ...one.labels } }))).toEqual([
      {
        name: NAME,
        labels: { verb: 'GET', resource: 'pods' },
        key: labelKey({ resource: 'pods', verb: 'GET' }),
        buckets: buckets([0.1, 4], [0.5, 7], [Infinity, 10]),
        sum: 1.25,
        count: 10,
      },
      {
        name: NAME,
        labels: { verb: 'LIST', resource: 'pods' },
        key: labelKey({ verb: 'LIST', resource: 'pods' }),
        buckets: buckets([0.1, 1], [Infinity, 2]),
        sum: 0.5,
        count: 2,
      },
    ]);
  });

  it('takes the count from the +Inf bucket when _count is missing, and NaN for a missing _sum', () => {
    const [only] = collectHistograms(samplesOf(`${NAME}_bucket{le="1"} 1\n${NAME}_bucket{le="+Inf"} 3`), NAME);
    expect(only?.count).toBe(3);
    expect(only?.sum).toBeNaN();
  });

  it('ignores samples of other names', () => {
    const parsed = parsePrometheusText('other_bucket{le="+Inf"} 1\nother_sum 2\n');
    expect(collectHistograms(parsed.get('other_bucket')?.samples ?? [], NAME)).toEqual([]);
  });

  /** [what, text, line, message part] */
  const malformed: ReadonlyArray<[string, string, number, string]> = [
    ['a bucket given twice', `${NAME}_bucket{le="1"} 1\n${NAME}_bucket{le="1.0"} 1`, 3, 'appears twice'],
    [
      '_sum given twice',
      `${NAME}_sum 1\n${NAME}_sum 2`,
      3,
      `${NAME}_sum appears twice for one series (first on line 2)`,
    ],
    ['_count given twice', `${NAME}_count 1\n${NAME}_count 2`, 3, 'appears twice'],
  ];
  it.each(malformed)('refuses %s with the line number', (_what, text, line, part) => {
    expect(() => collectHistograms(samplesOf(text), NAME)).toThrow(MetricsParseError);
    expect(() => collectHistograms(samplesOf(text), NAME)).toThrow(part);
    expect(() => collectHistograms(samplesOf(text), NAME)).toThrow(`line ${line}: `);
  });

  it('refuses a bucket without a numeric le in untyped samples', () => {
    const untyped = parsePrometheusText(`${NAME}_bucket{le="fast"} 1\n`).get(`${NAME}_bucket`)?.samples ?? [];
    expect(() => collectHistograms(untyped, NAME)).toThrow('needs a numeric "le" label, not "fast"');
  });
});

describe('histogramDelta', () => {
  const get = { verb: 'GET' };
  const list = { verb: 'LIST' };

  /** [what, before, after, expected delta buckets, count, sum, reset, isNew] */
  const cases: ReadonlyArray<[string, HistogramSeries[], HistogramSeries, Bucket[], number, number, boolean, boolean]> =
    [
      [
        'bucket-wise difference',
        [
          series(
            get,
            [
              [0.1, 5],
              [1, 8],
              [Infinity, 9],
            ],
            2,
          ),
        ],
        series(
          get,
          [
            [0.1, 7],
            [1, 20],
            [Infinity, 25],
          ],
          10,
        ),
        buckets([0.1, 2], [1, 12], [Infinity, 16]),
        16,
        8,
        false,
        false,
      ],
      [
        'no change',
        [
          series(
            get,
            [
              [0.1, 5],
              [Infinity, 9],
            ],
            2,
          ),
        ],
        series(
          get,
          [
            [0.1, 5],
            [Infinity, 9],
          ],
          2,
        ),
        buckets([0.1, 0], [Infinity, 0]),
        0,
        0,
        false,
        false,
      ],
      [
        'counter reset: one bucket went down, so after is the increase since the restart',
        [
          series(
            get,
            [
              [0.1, 500],
              [1, 800],
              [Infinity, 900],
            ],
            100,
          ),
        ],
        series(
          get,
          [
            [0.1, 3],
            [1, 900],
            [Infinity, 1000],
          ],
          120,
        ),
        buckets([0.1, 3], [1, 900], [Infinity, 1000]),
        1000,
        120,
        true,
        false,
      ],
      [
        'counter reset: the count went down',
        [
          series(
            get,
            [
              [0.1, 5],
              [Infinity, 9],
            ],
            2,
          ),
        ],
        {
          ...series(
            get,
            [
              [0.1, 5],
              [Infinity, 9],
            ],
            2,
          ),
          count: 8,
        },
        buckets([0.1, 5], [Infinity, 9]),
        8,
        2,
        true,
        false,
      ],
      [
        'changed bucket layout (a new binary) counts as a reset',
        [
          series(get, [
            [0.1, 1],
            [Infinity, 2],
          ]),
        ],
        series(get, [
          [0.1, 1],
          [0.2, 2],
          [Infinity, 3],
        ]),
        buckets([0.1, 1], [0.2, 2], [Infinity, 3]),
        3,
        0,
        true,
        false,
      ],
      [
        'new series: its delta is its value',
        [
          series(list, [
            [0.1, 100],
            [Infinity, 100],
          ]),
        ],
        series(
          get,
          [
            [0.1, 4],
            [Infinity, 6],
          ],
          3,
        ),
        buckets([0.1, 4], [Infinity, 6]),
        6,
        3,
        false,
        true,
      ],
    ];

  it.each(cases)('%s', (_what, before, after, expected, count, sum, reset, isNew) => {
    const { deltas } = histogramDelta(before, [after]);
    expect(deltas).toHaveLength(1);
    expect(deltas[0]).toMatchObject({ labels: after.labels, buckets: expected, count, sum, reset, isNew });
  });

  it('lists series gone from the later scrape as dropped', () => {
    const kept = series(get, [
      [0.1, 1],
      [Infinity, 1],
    ]);
    const gone = series(list, [
      [0.1, 1],
      [Infinity, 1],
    ]);
    const result = histogramDelta(
      [gone, kept],
      [
        series(get, [
          [0.1, 2],
          [Infinity, 2],
        ]),
      ],
    );
    expect(result.dropped).toEqual([gone]);
    expect(result.deltas.map((one) => one.buckets)).toEqual([buckets([0.1, 1], [Infinity, 1])]);
  });

  it('matches series by name as well as labels', () => {
    const other = { ...series(get, [[Infinity, 50]]), name: 'etcd_request_duration_seconds' };
    const { deltas, dropped } = histogramDelta([other], [series(get, [[Infinity, 5]])]);
    expect(deltas[0]?.isNew).toBe(true);
    expect(dropped).toEqual([other]);
  });
});

describe('aggregate', () => {
  const a = { verb: 'GET', resource: 'pods', scope: 'namespace', version: 'v1' };
  const b = { verb: 'GET', resource: 'pods', scope: 'namespace', version: 'v1beta1' };
  const c = { verb: 'LIST', resource: 'pods', scope: 'cluster', version: 'v1' };

  it('sums buckets, sums and counts by the chosen labels, in order of first appearance', () => {
    const result = aggregate(
      [
        series(
          a,
          [
            [0.1, 1],
            [1, 2],
            [Infinity, 3],
          ],
          1,
        ),
        series(
          c,
          [
            [0.1, 10],
            [1, 10],
            [Infinity, 10],
          ],
          0.5,
        ),
        series(
          b,
          [
            [0.1, 4],
            [1, 5],
            [Infinity, 6],
          ],
          2,
        ),
      ],
      ['verb', 'resource', 'scope'],
    );
    expect(result.map((group) => ({ ...group, labels: { ...group.labels } }))).toEqual([
      {
        labels: { verb: 'GET', resource: 'pods', scope: 'namespace' },
        key: labelKey({ verb: 'GET', resource: 'pods', scope: 'namespace' }),
        buckets: buckets([0.1, 5], [1, 7], [Infinity, 9]),
        sum: 3,
        count: 9,
        series: 2,
        reset: false,
      },
      {
        labels: { verb: 'LIST', resource: 'pods', scope: 'cluster' },
        key: labelKey({ verb: 'LIST', resource: 'pods', scope: 'cluster' }),
        buckets: buckets([0.1, 10], [1, 10], [Infinity, 10]),
        sum: 0.5,
        count: 10,
        series: 1,
        reset: false,
      },
    ]);
  });

  it('treats a missing label as "" and sums different bucket layouts by upper bound', () => {
    const [group] = aggregate(
      [
        series({ verb: 'GET' }, [
          [0.1, 1],
          [Infinity, 2],
        ]),
        series({}, [
          [0.5, 3],
          [Infinity, 4],
        ]),
      ],
      ['verb', 'resource'],
    );
    expect(group?.series).toBe(1);
    const [blank] = aggregate(
      [
        series({}, [
          [0.5, 3],
          [Infinity, 4],
        ]),
      ],
      ['verb'],
    );
    expect({ ...blank?.labels }).toEqual({ verb: '' });
    const [all] = aggregate(
      [
        series({ verb: 'GET' }, [
          [0.1, 1],
          [Infinity, 2],
        ]),
        series({ verb: 'GET' }, [
          [0.5, 3],
          [Infinity, 4],
        ]),
      ],
      ['verb'],
    );
    expect(all?.buckets).toEqual(buckets([0.1, 1], [0.5, 3], [Infinity, 6]));
  });

  it('sums everything into one group with no labels, and flags a reset in any member', () => {
    const { deltas } = histogramDelta(
      [series(a, [[Infinity, 10]]), series(b, [[Infinity, 10]])],
      [series(a, [[Infinity, 12]]), series(b, [[Infinity, 3]])],
    );
    const [total] = aggregate(deltas, []);
    expect(total).toMatchObject({ labels: {}, count: 5, series: 2, reset: true, buckets: buckets([Infinity, 5]) });
  });
});
