#!/usr/bin/env node
// Runs Jest with the ESM flag it needs, writes its --json report, and ends with the real counts:
// "tests: N passed, N failed, N skipped" (skipped = pending + todo). Under CI (CI=true), a skipped test fails the run
// unless test/allowed-skips.json names it with a reason; such skips are listed by name and still counted as skipped.
// Exit status is Jest's own, or 1 when the report is missing, the allow-list is invalid or a skip is not allowed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countsLine, evaluateReport, parseAllowedSkips } from './test-report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// One report per run, removed after reading: a report left by another run must never be read as this one's.
const report = join(root, '.quorum', `jest-report-${process.pid}.json`);
// Overridable only so that the test of this script can bring its own list.
const allowList = process.env.QUORUM_ALLOWED_SKIPS ?? join(root, 'test', 'allowed-skips.json');
const ci = ['true', '1'].includes(process.env.CI ?? '');
mkdirSync(dirname(report), { recursive: true });

const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const result = spawnSync(process.execPath, [jest, '--json', `--outputFile=${report}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_OPTIONS:
      `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --disable-warning=ExperimentalWarning`.trim(),
  },
});

if (!existsSync(report)) {
  console.error('Jest wrote no report: see its output above.');
  console.log(countsLine(0, 0, 0));
  process.exit(result.status || 1);
}
const { allowed, problems } = existsSync(allowList)
  ? parseAllowedSkips(readFileSync(allowList, 'utf8'))
  : { allowed: new Map(), problems: [] };
const verdict = evaluateReport(JSON.parse(readFileSync(report, 'utf8')), { ci, allowed, jestStatus: result.status });
rmSync(report, { force: true });
// On stdout like the counts line, so that the counts line stays the last one.
for (const problem of problems) console.log(`${allowList}: ${problem}`);
if (verdict.unallowedSkips.length > 0) {
  console.log(`\n${verdict.unallowedSkips.length} skipped test(s) not in ${allowList} (a failure under CI):`);
  for (const name of verdict.unallowedSkips) console.log(`  - ${name}`);
}
console.log(verdict.line);
process.exit(verdict.exitCode || (problems.length > 0 ? 1 : 0));
