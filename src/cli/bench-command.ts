import { fileURLToPath } from 'node:url';
import { BENCH_SECTIONS, runBench, type BenchSection } from '../sandbox/bench/run-bench.js';
import { UsageError } from '../core/errors.js';
import { ExitCode } from './exit-codes.js';
import type { SandboxCommand } from './sandbox-command.js';

/** `quorum bench`: results into bench/results/ and the README's table. */
export const run: SandboxCommand = async (options) => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  await runBench({
    write: (text) => process.stdout.write(text),
    outDir: `${root}bench/results`,
    readme: `${root}README.md`,
    ...(options.only ? { only: parseSections(options.only) } : {}),
  });
  return ExitCode.Ok;
};

/** `--only slack,latency`: names checked here, so a typo does not run nothing for minutes. */
function parseSections(text: string): BenchSection[] {
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(BENCH_SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0)
    throw new UsageError(
      `--only takes a comma-separated list of ${BENCH_SECTIONS.join(', ')}; not ${unknown.join(', ')}`,
    );
  return names as BenchSection[];
}
