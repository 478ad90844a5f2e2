import { describe, expect, it } from '@jest/globals';
import { evaluateReport, parseAllowedSkips, type JestJsonReport } from '../../scripts/test-report.mjs';

/** A report as Jest's --json writes it, with one file holding the given tests. */
function report(tests: Array<{ name: string; status: string }>, extra: Partial<JestJsonReport> = {}): JestJsonReport {
  const count = (status: string) => tests.filter((test) => test.status === status).length;
  return {
    success: count('failed') === 0,
    numPassedTests: count('passed'),
    numFailedTests: count('failed'),
    numPendingTests: count('pending'),
    numTodoTests: count('todo'),
    numRuntimeErrorTestSuites: 0,
    testResults: [
      {
        assertionResults: tests.map((test) => ({
          status: test.status,
          fullName: test.name,
          title: test.name.split(' ').pop() ?? test.name,
        })),
      },
    ],
    ...extra,
  };
}

const allowedKubectl = new Map([['kubectl works', 'kubectl is not installed on developer laptops']]);

describe('test report evaluation', () => {
  it.each([
    {
      case: 'all passed',
      tests: [{ name: 'a', status: 'passed' }],
      ci: true,
      line: 'tests: 1 passed, 0 failed, 0 skipped',
      exitCode: 0,
      unallowed: [],
    },
    {
      case: 'a failure',
      tests: [
        { name: 'a', status: 'passed' },
        { name: 'b', status: 'failed' },
      ],
      ci: false,
      line: 'tests: 1 passed, 1 failed, 0 skipped',
      exitCode: 1,
      unallowed: [],
    },
    {
      case: 'a skip outside CI is counted and allowed',
      tests: [
        { name: 'a', status: 'passed' },
        { name: 'b', status: 'pending' },
      ],
      ci: false,
      line: 'tests: 1 passed, 0 failed, 1 skipped',
      exitCode: 0,
      unallowed: [],
    },
    {
      case: 'an unallowed skip under CI fails and is still counted as skipped',
      tests: [
        { name: 'a', status: 'passed' },
        { name: 'slow thing', status: 'pending' },
      ],
      ci: true,
      line: 'tests: 1 passed, 0 failed, 1 skipped',
      exitCode: 1,
      unallowed: ['slow thing'],
    },
    {
      case: 'a todo under CI is a skip like any other',
      tests: [{ name: 'later', status: 'todo' }],
      ci: true,
      line: 'tests: 0 passed, 0 failed, 1 skipped',
      exitCode: 1,
      unallowed: ['later'],
    },
    {
      case: 'an allowed skip under CI passes',
      tests: [
        { name: 'a', status: 'passed' },
        { name: 'kubectl works', status: 'pending' },
      ],
      ci: true,
      line: 'tests: 1 passed, 0 failed, 1 skipped',
      exitCode: 0,
      unallowed: [],
    },
    {
      case: 'only the unallowed of several skips are named',
      tests: [
        { name: 'kubectl works', status: 'pending' },
        { name: 'other', status: 'pending' },
      ],
      ci: true,
      line: 'tests: 0 passed, 0 failed, 2 skipped',
      exitCode: 1,
      unallowed: ['other'],
    },
  ])('$case', ({ tests, ci, line, exitCode, unallowed }) => {
    // Jest's own status: 1 for a failed test, 0 otherwise (skips never fail a Jest run).
    const jestStatus = tests.some((test) => test.status === 'failed') ? 1 : 0;
    const verdict = evaluateReport(report(tests), { ci, allowed: allowedKubectl, jestStatus });
    expect(verdict.line).toBe(line);
    expect(verdict.exitCode).toBe(exitCode);
    expect(verdict.unallowedSkips).toEqual(unallowed);
  });

  it('counts a test file that could not run as a failure', () => {
    const verdict = evaluateReport(report([{ name: 'a', status: 'passed' }], { numRuntimeErrorTestSuites: 1 }), {
      ci: false,
      allowed: new Map(),
      jestStatus: 1,
    });
    expect(verdict.line).toBe('tests: 1 passed, 1 failed, 0 skipped');
    expect(verdict.exitCode).toBe(1);
  });

  it("keeps Jest's own non-zero status (e.g. a leaked handle with --detectOpenHandles)", () => {
    const verdict = evaluateReport(report([{ name: 'a', status: 'passed' }]), {
      ci: true,
      allowed: new Map(),
      jestStatus: 2,
    });
    expect(verdict.exitCode).toBe(2);
  });

  it('fails a run whose report says it did not succeed although every test passed', () => {
    const verdict = evaluateReport(report([{ name: 'a', status: 'passed' }], { success: false }), {
      ci: false,
      allowed: new Map(),
      jestStatus: 0,
    });
    expect(verdict.exitCode).toBe(1);
  });

  it('names skipped tests by describe titles and test title when fullName is missing', () => {
    const verdict = evaluateReport(
      {
        numPendingTests: 1,
        testResults: [
          { assertionResults: [{ status: 'pending', title: 'works', ancestorTitles: ['kubectl', 'get'] }] },
        ],
      },
      { ci: true, allowed: new Map() },
    );
    expect(verdict.unallowedSkips).toEqual(['kubectl get works']);
  });
});

describe('allowed skips list', () => {
  it.each([
    { text: '{}', allowed: [], problems: [] },
    { text: '{ "a b": "needs a GPU" }', allowed: ['a b'], problems: [] },
    {
      text: '{ "a": "", "b": "   ", "c": 3 }',
      allowed: [],
      problems: ['"a" has no reason', '"b" has no reason', '"c"'],
    },
    { text: '["a"]', allowed: [], problems: ['expected an object'] },
    { text: '{ "a": ', allowed: [], problems: ['not valid JSON'] },
  ])('reads $text', ({ text, allowed, problems }) => {
    const parsed = parseAllowedSkips(text);
    expect([...parsed.allowed.keys()]).toEqual(allowed);
    expect(parsed.problems).toHaveLength(problems.length);
    problems.forEach((problem, index) => expect(parsed.problems[index]).toContain(problem));
  });
});
