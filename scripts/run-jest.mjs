#!/usr/bin/env node
// Runs Jest with the ESM flag it needs, writes its --json report, and ends with the real counts:
// "tests: N passed, N failed". Exit status is Jest's own, or 1 when the report is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const report = join(root, '.quorum', 'jest-report.json');
mkdirSync(dirname(report), { recursive: true });
rmSync(report, { force: true });

const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const result = spawnSync(
  process.execPath,
  [jest, '--json', `--outputFile=${report}`, ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --disable-warning=ExperimentalWarning`.trim() },
  },
);

if (!existsSync(report)) {
  console.log('tests: 0 passed, 0 failed');
  console.error('Jest wrote no report: see its output above.');
  process.exit(result.status || 1);
}
const counts = JSON.parse(readFileSync(report, 'utf8'));
const failed = counts.numFailedTests + (counts.numRuntimeErrorTestSuites ?? 0);
console.log(`tests: ${counts.numPassedTests} passed, ${failed} failed`);
process.exit(result.status ?? (failed > 0 || !counts.success ? 1 : 0));
