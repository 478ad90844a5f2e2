import { fileURLToPath } from 'node:url';
import { runBench } from '../sandbox/bench/run-bench.js';
import { ExitCode } from './exit-codes.js';
import type { SandboxCommand } from './sandbox-command.js';

/** `quorum bench`: results into bench/results/ and the README's table. */
export const run: SandboxCommand = async () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  await runBench({
    write: (text) => process.stdout.write(text),
    outDir: `${root}bench/results`,
    readme: `${root}README.md`,
  });
  return ExitCode.Ok;
};
