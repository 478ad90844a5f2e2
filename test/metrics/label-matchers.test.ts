import { describe, expect, it } from '@jest/globals';
import {
  formatLabelMatchers,
  parseLabelMatchers,
  selectSeries,
  tryParseLabelMatchers,
  type LabelMatcher,
} from '../../src/metrics/index.js';

describe('tryParseLabelMatchers', () => {
  /** [text, matchers as name op value]. */
  const valid: Array<[string, Array<[string, LabelMatcher['op'], string]>]> = [
    ['cluster="prod-eu"', [['cluster', '=', 'prod-eu']]],
    [
      'cluster="prod-eu",job="apiserver"',
      [
        ['cluster', '=', 'prod-eu'],
        ['job', '=', 'apiserver'],
      ],
    ],
    [
      ' cluster != "dev" , job =~ "api.*|kube-apiserver" , env!~"test.*" ',
      [
        ['cluster', '!=', 'dev'],
        ['job', '=~', 'api.*|kube-apiserver'],
        ['env', '!~', 'test.*'],
      ],
    ],
    ['{cluster="a"}', [['cluster', '=', 'a']]],
    ['{ cluster="a", }', [['cluster', '=', 'a']]],
    ['cluster="a",', [['cluster', '=', 'a']]],
    ["cluster='single quotes'", [['cluster', '=', 'single quotes']]],
    ['cluster=`raw \\d+`', [['cluster', '=', 'raw \\d+']]],
    ['name="quote \\" backslash \\\\ newline \\n tab \\t"', [['name', '=', 'quote " backslash \\ newline \n tab \t']]],
    ['name="\\u00e9t\\U0001F600\\x41\\101"', [['name', '=', 'ét\u{1F600}AA']]],
    ['name=~"a\\\\.b"', [['name', '=~', 'a\\.b']]],
    ['_private_1="x"', [['_private_1', '=', 'x']]],
    ['empty=""', [['empty', '=', '']]],
  ];
  it.each(valid)('reads %s', (text, expected) => {
    const parsed = tryParseLabelMatchers(text);
    expect(parsed).toEqual({ matchers: expected.map(([name, op, value]) => ({ name, op, value })) });
  });

  /** [text, the problem it names]. */
  const invalid: Array<[string, RegExp]> = [
    ['', /no label matchers/],
    ['   ', /no label matchers/],
    ['{}', /no label matchers/],
    ['prod-eu', /expected one of =, !=, =~, !~ at column 5/],
    ['cluster', /expected one of =, !=, =~, !~ at column 8/],
    ['cluster=prod', /expected a quoted value at column 9/],
    ['cluster=="a"', /expected a quoted value at column 9/],
    ['cluster~="a"', /expected one of =, !=, =~, !~ at column 8/],
    ['cluster="a" job="b"', /expected , between matchers at column 13/],
    ['cluster="a";job="b"', /expected , between matchers at column 12/],
    ['cluster="a', /unterminated value \(no closing "\)/],
    ['cluster="a\\', /unterminated value/],
    ['cluster="a\nb"', /newline in a quoted value/],
    ['cluster="\\q"', /unknown escape \\q/],
    ['cluster="it\\\'s"', /unknown escape \\'/],
    ['cluster="\\x4"', /expected 2 hex digits/],
    ['cluster="\\xff"', /escapes above \\x7f are bytes/],
    ['cluster="\\ud800"', /not a Unicode character/],
    ['1cluster="a"', /expected a label name at column 1/],
    ['{cluster="a"', /expected , or \} at column 13/],
    ['{cluster="a"} up', /unexpected text after \}/],
    ['up{cluster="a"}', /give the label matchers only, without the metric name "up" at column 3/],
    ['__name__="up"', /__name__ cannot be matched/],
    ['cluster="a",,job="b"', /expected a label name at column 13/],
  ];
  it.each(invalid)('refuses %j, naming the problem and giving an example', (text, problem) => {
    const parsed = tryParseLabelMatchers(text);
    expect(parsed).toEqual({ problem: expect.stringMatching(problem) });
    expect(parsed).toEqual({ problem: expect.stringContaining('cluster="prod-eu",job="apiserver"') });
    expect(() => parseLabelMatchers(text)).toThrow(problem);
  });
});

describe('formatLabelMatchers and selectSeries', () => {
  /** [selector text, metric, the selector Quorum sends]. */
  const cases: Array<[string, string, string]> = [
    ['', 'apiserver_current_inflight_requests', 'apiserver_current_inflight_requests'],
    ['cluster="prod-eu"', 'apiserver_request_total', 'apiserver_request_total{cluster="prod-eu"}'],
    [
      ' cluster = "prod-eu" , job =~ "api.*" ',
      'apiserver_request_duration_seconds_bucket',
      'apiserver_request_duration_seconds_bucket{cluster="prod-eu",job=~"api.*"}',
    ],
    ["{env!='dev',zone!~`eu-.*`}", 'm', 'm{env!="dev",zone!~"eu-.*"}'],
    ['name="say \\"hi\\"\\n\\\\"', 'm', 'm{name="say \\"hi\\"\\n\\\\"}'],
    ['name="\\u0001\\u007f"', 'm', 'm{name="\\u0001\\u007f"}'],
    ['name="ét\\U0001F600"', 'm', 'm{name="ét\u{1F600}"}'],
  ];
  it.each(cases)('%j on %s gives %s', (text, metric, expected) => {
    const matchers = text === '' ? [] : parseLabelMatchers(text);
    expect(selectSeries(metric, matchers)).toBe(expected);
    // What Quorum writes reads back as the same matchers.
    if (matchers.length > 0) expect(parseLabelMatchers(formatLabelMatchers(matchers))).toEqual(matchers);
  });
});
