import { describe, expect, it } from '@jest/globals';
import type { ParsedMetrics } from '../../src/metrics/metric-family.js';
import { MetricsParseError } from '../../src/metrics/metrics-errors.js';
import { parsePrometheusText } from '../../src/metrics/parse-prometheus-text.js';
import { histogramText } from './fixtures.js';

/** Plain data for toEqual: labels become ordinary objects, timestamps are left out when absent. */
function plain(parsed: ParsedMetrics) {
  return [...parsed.values()].map((family) => ({
    name: family.name,
    type: family.type,
    ...(family.help === undefined ? {} : { help: family.help }),
    samples: family.samples.map((sample) => ({
      name: sample.name,
      labels: { ...sample.labels },
      value: sample.value,
      ...(sample.timestampMs === undefined ? {} : { timestampMs: sample.timestampMs }),
    })),
  }));
}

const sample = (name: string, value: number, labels: Record<string, string> = {}, timestampMs?: number) => ({
  name,
  labels,
  value,
  ...(timestampMs === undefined ? {} : { timestampMs }),
});

describe('parsePrometheusText: valid text', () => {
  /** [what, text, families] */
  const cases: ReadonlyArray<[string, string, ReturnType<typeof plain>]> = [
    ['empty text', '', []],
    ['only blank lines and comments', '\n   \n\t\n# a comment\n#\n# HELPless words\n', []],
    [
      'HELP, TYPE and a counter',
      '# HELP requests_total Requests served.\n# TYPE requests_total counter\nrequests_total 1027\n',
      [
        {
          name: 'requests_total',
          type: 'counter',
          help: 'Requests served.',
          samples: [sample('requests_total', 1027)],
        },
      ],
    ],
    ['a sample without TYPE is untyped', 'up 1', [{ name: 'up', type: 'untyped', samples: [sample('up', 1)] }]],
    ['without a trailing newline', '# TYPE g gauge\ng 2', [{ name: 'g', type: 'gauge', samples: [sample('g', 2)] }]],
    [
      'labels, in text order',
      'http{method="post",code="200"} 3\n',
      [{ name: 'http', type: 'untyped', samples: [sample('http', 3, { method: 'post', code: '200' })] }],
    ],
    [
      'label value escapes \\\\, \\" and \\n',
      'm{path="C:\\\\dir",msg="say \\"hi\\"",multi="a\\nb"} 1\n',
      [{ name: 'm', type: 'untyped', samples: [sample('m', 1, { path: 'C:\\dir', msg: 'say "hi"', multi: 'a\nb' })] }],
    ],
    [
      'label values with braces, commas, equals, hashes and UTF-8',
      'm{a="x,y}=#",b="żółw ✓",c=""} 1\n',
      [{ name: 'm', type: 'untyped', samples: [sample('m', 1, { a: 'x,y}=#', b: 'żółw ✓', c: '' })] }],
    ],
    [
      'blanks around labels, a trailing comma, and {}',
      'm { a = "1" ,\tb="2", } 1\nn{} 2\no{a="1"}3\n',
      [
        { name: 'm', type: 'untyped', samples: [sample('m', 1, { a: '1', b: '2' })] },
        { name: 'n', type: 'untyped', samples: [sample('n', 2)] },
        { name: 'o', type: 'untyped', samples: [sample('o', 3, { a: '1' })] },
      ],
    ],
    [
      'special and exponent values',
      [
        'v{k="nan"} NaN',
        'v{k="pinf"} +Inf',
        'v{k="minf"} -Inf',
        'v{k="inf"} Inf',
        'v{k="exp"} 1.5e-3',
        'v{k="EXP"} -2E+4',
        'v{k="dot"} .5',
        'v{k="trail"} 7.',
        'v{k="big"} 1.7976931348623157e+308',
        'v{k="neg"} -0.25',
      ].join('\n'),
      [
        {
          name: 'v',
          type: 'untyped',
          samples: [
            sample('v', NaN, { k: 'nan' }),
            sample('v', Infinity, { k: 'pinf' }),
            sample('v', -Infinity, { k: 'minf' }),
            sample('v', Infinity, { k: 'inf' }),
            sample('v', 0.0015, { k: 'exp' }),
            sample('v', -20000, { k: 'EXP' }),
            sample('v', 0.5, { k: 'dot' }),
            sample('v', 7, { k: 'trail' }),
            sample('v', Number.MAX_VALUE, { k: 'big' }),
            sample('v', -0.25, { k: 'neg' }),
          ],
        },
      ],
    ],
    [
      'timestamps in ms, blanks and tabs between tokens, leading and trailing blanks',
      '  t 1 1712345678901\nt{a="b"}\t2\t-5  \n',
      [{ name: 't', type: 'untyped', samples: [sample('t', 1, {}, 1712345678901), sample('t', 2, { a: 'b' }, -5)] }],
    ],
    [
      'HELP escapes \\\\ and \\n, quotes kept as they are',
      '# HELP h A "quoted" C:\\\\path\\nsecond line\n# TYPE h gauge\nh 0\n',
      [{ name: 'h', type: 'gauge', help: 'A "quoted" C:\\path\nsecond line', samples: [sample('h', 0)] }],
    ],
    [
      'HELP and TYPE without samples',
      '# HELP quiet Nothing yet.\n# TYPE quiet counter\n',
      [{ name: 'quiet', type: 'counter', help: 'Nothing yet.', samples: [] }],
    ],
    [
      'a histogram: _bucket, _sum and _count belong to the family',
      '# TYPE d histogram\nd_bucket{le="0.1"} 1\nd_bucket{le="+Inf"} 2\nd_sum 0.35\nd_count 2\n',
      [
        {
          name: 'd',
          type: 'histogram',
          samples: [
            sample('d_bucket', 1, { le: '0.1' }),
            sample('d_bucket', 2, { le: '+Inf' }),
            sample('d_sum', 0.35),
            sample('d_count', 2),
          ],
        },
      ],
    ],
    [
      'a summary: quantiles, _sum and _count belong to the family',
      '# TYPE s summary\ns{quantile="0.5"} 0.2\ns{quantile="0.99"} NaN\ns_sum 4\ns_count 9\n',
      [
        {
          name: 's',
          type: 'summary',
          samples: [
            sample('s', 0.2, { quantile: '0.5' }),
            sample('s', NaN, { quantile: '0.99' }),
            sample('s_sum', 4),
            sample('s_count', 9),
          ],
        },
      ],
    ],
    [
      'without TYPE, _bucket, _sum and _count are families of their own',
      'd_bucket{le="1"} 1\nd_count 1\n',
      [
        { name: 'd_bucket', type: 'untyped', samples: [sample('d_bucket', 1, { le: '1' })] },
        { name: 'd_count', type: 'untyped', samples: [sample('d_count', 1)] },
      ],
    ],
    [
      'a summary has no _bucket: it is a family of its own',
      '# TYPE s summary\ns_count 1\ns_bucket 2\n',
      [
        { name: 's', type: 'summary', samples: [sample('s_count', 1)] },
        { name: 's_bucket', type: 'untyped', samples: [sample('s_bucket', 2)] },
      ],
    ],
    [
      'colons in metric names, __proto__ as a label name',
      'job:rate5m{__proto__="x"} 1\n',
      [
        {
          name: 'job:rate5m',
          type: 'untyped',
          samples: [sample('job:rate5m', 1, Object.fromEntries([['__proto__', 'x']]))],
        },
      ],
    ],
  ];

  it.each(cases)('%s', (_what, text, expected) => {
    expect(plain(parsePrometheusText(text))).toEqual(expected);
  });

  it('gives the same result with and without the trailing newline', () => {
    const text = histogramText('x', [{ labels: { verb: 'GET' }, observations: [[0.1, 3]] }], [0.1, 1]);
    expect(plain(parsePrometheusText(text.trimEnd()))).toEqual(plain(parsePrometheusText(text)));
  });

  it('records the line number of each sample', () => {
    const parsed = parsePrometheusText('# TYPE a gauge\n\na 1\n# comment\na{b="c"} 2\n');
    expect(parsed.get('a')?.samples.map((one) => one.line)).toEqual([3, 5]);
  });

  it('gives labels that inherit nothing, so label names cannot clash with Object.prototype', () => {
    const [first, second] =
      parsePrometheusText('m{constructor="c",toString="t"} 1\nm{a="b"} 2').get('m')?.samples ?? [];
    expect(first?.labels.constructor).toBe('c');
    expect({ ...first?.labels }).toEqual({ constructor: 'c', toString: 't' });
    expect(second?.labels.constructor).toBeUndefined();
    expect('toString' in (second?.labels ?? {})).toBe(false);
  });
});

describe('parsePrometheusText: malformed text', () => {
  /** [what, text, line, words the message must contain] */
  const cases: ReadonlyArray<[string, string, number, string]> = [
    ['no value', 'a\n', 1, 'the sample has no value'],
    ['no value after labels', 'a{b="c"}\n', 1, 'the sample has no value'],
    ['a word as value', 'a x1\n', 1, 'invalid sample value "x1"'],
    ['a hexadecimal value', 'a 0x10\n', 1, 'invalid sample value "0x10"'],
    ['an exponent without digits', 'a 1e\n', 1, 'invalid sample value "1e"'],
    ['two signs', 'a --1\n', 1, 'invalid sample value "--1"'],
    ['a signed NaN', 'a +NaN\n', 1, 'invalid sample value "+NaN"'],
    ['a lone dot', 'a .\n', 1, 'invalid sample value "."'],
    ['a fractional timestamp', 'a 1 1.5\n', 1, 'invalid timestamp "1.5"'],
    ['a timestamp out of range', 'a 1 99999999999999999999\n', 1, 'the timestamp is out of range'],
    ['text after the timestamp', 'a 1 2 3\n', 1, 'unexpected text after the timestamp'],
    ['an unquoted label value', 'a{b=c} 1\n', 1, 'the value of label b must be in double quotes'],
    ['an unterminated label value', 'a{b="c} 1\n', 1, 'the value of label b is not closed with a double quote'],
    [
      'an unknown escape in a label value',
      'a{b="\\t"} 1\n',
      1,
      'invalid escape sequence "\\\\t" in the value of label b',
    ],
    ['a backslash ending the line', 'a{b="\\', 1, 'invalid escape sequence "\\\\" in the value of label b'],
    ['no "=" after a label name', 'a{b"c"} 1\n', 1, 'expected "=" after label name b'],
    ['no comma between labels', 'a{b="c" d="e"} 1\n', 1, 'expected "," or "}" after the value of label b'],
    ['an unclosed label set', 'a{b="c"\n', 1, 'expected "," or "}" after the value of label b'],
    ['an unclosed label set after a comma', 'a{b="c",\n', 1, 'the label set is not closed with "}"'],
    ['two commas', 'a{b="c",,d="e"} 1\n', 1, 'expected a label name, found ","'],
    ['a duplicate label', 'a{b="1",c="2",b="3"} 1\n', 1, 'duplicate label name b'],
    ['the reserved __name__ label', 'a{__name__="x"} 1\n', 1, 'label name __name__ is reserved'],
    ['a label name starting with a digit', 'a{1b="c"} 1\n', 1, 'expected a label name, found "1"'],
    ['a metric name starting with a digit', '1a 1\n', 1, 'expected a metric name, found "1"'],
    ['a dash in a metric name', 'a-b 1\n', 1, 'invalid character "-" in the metric name'],
    ['a quoted metric name (UTF-8 names, not 0.0.4)', '{"a.b"} 1\n', 1, 'the metric name is missing'],
    ['CRLF line endings', 'a 1\r\nb 2\r\n', 1, 'carriage return'],
    ['an unknown type', '# TYPE a countr\n', 1, 'unknown metric type "countr"'],
    ['a TYPE without type', '# TYPE a\n', 1, 'missing metric type'],
    ['text after the type', '# TYPE a counter x\n', 1, 'unexpected text after the metric type'],
    ['a TYPE without name', '# TYPE\n', 1, '# TYPE needs a metric name'],
    ['a bad character in a TYPE name', '# TYPE a.b counter\n', 1, 'invalid character "." in the metric name of # TYPE'],
    ['a second TYPE', '# TYPE a counter\n# TYPE a gauge\n', 2, 'second # TYPE line for a'],
    ['a second HELP', '# HELP a one\n# HELP a two\n', 2, 'second # HELP line for a'],
    ['a TYPE after samples', 'a 1\n# TYPE a counter\n', 2, '# TYPE line for a comes after its samples'],
    ['a HELP without name', '# HELP\n', 1, '# HELP needs a metric name'],
    ['an unknown escape in HELP', '# HELP a bad \\" escape\n', 1, 'invalid escape sequence "\\\\\\"" in # HELP'],
    [
      'a histogram bucket without labels',
      '# TYPE h histogram\nh_bucket 1\n',
      2,
      'histogram sample of h has no "le" label',
    ],
    ['a histogram bucket without le', '# TYPE h histogram\nh_bucket{x="y"} 1\n', 2, 'has no "le" label'],
    [
      'a histogram bucket with a word as le',
      '# TYPE h histogram\nh_bucket{le="abc"} 1\n',
      2,
      'label le="abc" is not a number',
    ],
    [
      'a histogram sample without suffix',
      '# TYPE h histogram\nh 1\n',
      2,
      'samples of histogram h must end in _bucket, _sum or _count',
    ],
    [
      'a summary quantile without quantile',
      '# TYPE s summary\ns{a="b"} 1\n',
      2,
      'summary sample of s has no "quantile" label',
    ],
    ['an error after blank lines and comments', '# TYPE a gauge\n\n# note\na 1\n\na 1 x\n', 6, 'invalid timestamp "x"'],
  ];

  it.each(cases)('%s: MetricsParseError on line %#', (_what, text, line, problem) => {
    let thrown: unknown;
    try {
      parsePrometheusText(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MetricsParseError);
    const error = thrown as MetricsParseError;
    expect(error.code).toBe('quorum_metrics_parse_error');
    expect(error.line).toBe(line);
    expect(error.message).toContain(`line ${line}: `);
    expect(error.message).toContain(problem);
    expect(error.retryable).toBe(false);
  });

  it.each(cases)('%s: also refused in a family the caller skips', (_what, text, line) => {
    expect(() => parsePrometheusText(text, { families: new Set(['something_else']) })).toThrow(
      expect.objectContaining({ line }) as unknown as Error,
    );
  });

  it('quotes a long offending line shortened', () => {
    const text = `a{b="${'x'.repeat(500)}"} oops`;
    expect(() => parsePrometheusText(text)).toThrow(/in "a\{b=\\"x+…"/);
  });
});

describe('parsePrometheusText: families filter', () => {
  const apiserver = histogramText('apiserver_request_duration_seconds', [
    { labels: { verb: 'GET', resource: 'pods' }, observations: [[0.025, 5]] },
    { labels: { verb: 'LIST', resource: 'pods' }, observations: [[0.4, 2]] },
  ]);
  const text = [
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
    '# TYPE process_cpu_seconds_total counter',
    'process_cpu_seconds_total 1234.5',
    apiserver,
    '# TYPE apiserver_current_inflight_requests gauge',
    'apiserver_current_inflight_requests{request_kind="mutating"} 3',
    'apiserver_current_inflight_requests{request_kind="readOnly"} 12',
  ].join('\n');

  it('builds only the wanted families, with histogram suffixes resolved to their family', () => {
    const parsed = parsePrometheusText(text, { families: new Set(['apiserver_request_duration_seconds']) });
    expect([...parsed.keys()]).toEqual(['apiserver_request_duration_seconds']);
    const family = parsed.get('apiserver_request_duration_seconds');
    expect(family?.type).toBe('histogram');
    expect(family?.help).toBe('[STABLE] Response latency distribution in seconds.');
    expect(family?.samples).toHaveLength(2 * 26);
    expect(family?.samples).toEqual(parsePrometheusText(text).get('apiserver_request_duration_seconds')?.samples);
  });

  it('builds several families, in text order', () => {
    const parsed = parsePrometheusText(text, {
      families: new Set(['apiserver_current_inflight_requests', 'process_cpu_seconds_total']),
    });
    expect(plain(parsed)).toEqual([
      {
        name: 'process_cpu_seconds_total',
        type: 'counter',
        help: 'Total user and system CPU time spent in seconds.',
        samples: [sample('process_cpu_seconds_total', 1234.5)],
      },
      {
        name: 'apiserver_current_inflight_requests',
        type: 'gauge',
        samples: [
          sample('apiserver_current_inflight_requests', 3, { request_kind: 'mutating' }),
          sample('apiserver_current_inflight_requests', 12, { request_kind: 'readOnly' }),
        ],
      },
    ]);
  });

  it('builds nothing for an empty set, and names absent from the text are simply missing', () => {
    expect(parsePrometheusText(text, { families: new Set() }).size).toBe(0);
    expect(parsePrometheusText(text, { families: new Set(['not_there']) }).size).toBe(0);
  });

  it('keeps interleaved families apart while switching back and forth between them', () => {
    const mixed = '# TYPE h histogram\n# TYPE c counter\nh_bucket{le="+Inf"} 1\nc 5\nh_sum 2\nc 6\nh_count 1\n';
    const parsed = parsePrometheusText(mixed, { families: new Set(['h']) });
    expect(parsed.get('h')?.samples.map((one) => one.name)).toEqual(['h_bucket', 'h_sum', 'h_count']);
  });
});
