// What a Jest run amounts to, from its --json report: the counts line CI ends with, and whether the run passes.
// Pure (no files, no environment): scripts/run-jest.mjs feeds it, test/scripts/test-report.test.ts checks it.

/** Jest's statuses for a test that did not run: `it.skip`/`describe.skip` (pending, skipped, disabled), `it.todo`. */
const NOT_RUN = new Set(['pending', 'skipped', 'disabled', 'todo']);

/**
 * Reads the allow-list of skipped tests: a JSON object from a test's full name (describe titles and test title,
 * joined by spaces, as Jest prints it) to the reason it may be skipped. An entry without a reason allows nothing.
 *
 * @param {string} text the file's contents
 * @returns {{ allowed: Map<string, string>, problems: string[] }}
 */
export function parseAllowedSkips(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { allowed: new Map(), problems: [`not valid JSON: ${error.message}`] };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { allowed: new Map(), problems: ['expected an object of "full test name": "reason"'] };
  }
  const allowed = new Map();
  const problems = [];
  for (const [name, reason] of Object.entries(value)) {
    if (typeof reason === 'string' && reason.trim() !== '') allowed.set(name, reason);
    else problems.push(`"${name}" has no reason: say why it may be skipped`);
  }
  return { allowed, problems };
}

/**
 * Counts a Jest --json report honestly and decides the exit status.
 *
 * skipped = pending + todo. Under CI every skipped test must be on the allow-list; the others are listed by name and
 * fail the run, while still being counted as skipped (never as passed or failed).
 *
 * @param {object} report Jest's --json report
 * @param {{ ci: boolean, allowed: Map<string, string>, jestStatus?: number | null }} options
 * @returns {{ passed: number, failed: number, skipped: number, unallowedSkips: string[], line: string, exitCode: number }}
 */
export function evaluateReport(report, options) {
  const passed = report.numPassedTests ?? 0;
  // A test file that could not run at all (syntax error, failing import) has no test results of its own.
  const failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const unallowedSkips = options.ci ? skippedNames(report).filter((name) => !options.allowed.has(name)) : [];
  const jestFailed = options.jestStatus !== undefined && options.jestStatus !== null && options.jestStatus !== 0;
  const ok = !jestFailed && failed === 0 && report.success !== false && unallowedSkips.length === 0;
  return {
    passed,
    failed,
    skipped,
    unallowedSkips,
    line: countsLine(passed, failed, skipped),
    exitCode: ok ? 0 : jestFailed ? options.jestStatus : 1,
  };
}

/** The last line of every test run, in CI too: "tests: N passed, N failed, N skipped". */
export function countsLine(passed, failed, skipped) {
  return `tests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
}

/**
 * Full names of the tests that did not run, in report order.
 *
 * @param {object} report Jest's --json report
 * @returns {string[]}
 */
export function skippedNames(report) {
  const names = [];
  for (const file of report.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (NOT_RUN.has(test.status)) names.push(test.fullName ?? [...(test.ancestorTitles ?? []), test.title].join(' '));
    }
  }
  return names;
}
