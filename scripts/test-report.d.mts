/** Types of scripts/test-report.mjs, for the Jest test that imports it. */

/** The part of Jest's --json report that the evaluation reads. */
export interface JestJsonReport {
  success?: boolean;
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  numRuntimeErrorTestSuites?: number;
  testResults?: Array<{
    assertionResults?: Array<{ status: string; fullName?: string; title: string; ancestorTitles?: string[] }>;
  }>;
}

export interface ReportVerdict {
  passed: number;
  failed: number;
  skipped: number;
  /** Skipped tests (under CI) that are not on the allow-list, by full name. */
  unallowedSkips: string[];
  /** "tests: N passed, N failed, N skipped". */
  line: string;
  exitCode: number;
}

export function parseAllowedSkips(text: string): { allowed: Map<string, string>; problems: string[] };
export function evaluateReport(
  report: JestJsonReport,
  options: { ci: boolean; allowed: Map<string, string>; jestStatus?: number | null },
): ReportVerdict;
export function countsLine(passed: number, failed: number, skipped: number): string;
export function skippedNames(report: JestJsonReport): string[];
