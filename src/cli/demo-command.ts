import { renderReport } from '../render/index.js';
import { runDemo } from '../sandbox/demo.js';
import { ExitCode } from './exit-codes.js';
import { reportWithFlagSpelling } from './flag-spelling.js';
import type { SandboxCommand } from './sandbox-command.js';

/** `quorum demo`: the sandbox incident, diagnosed end to end. Exit 0 when the demo itself ran. */
export const run: SandboxCommand = async (options) => {
  const color = options.color && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  await runDemo({
    write: (text) => process.stdout.write(text),
    // As `quorum diagnose` prints it, since the demo shows the command line it stands for.
    render: (report) => renderReport(reportWithFlagSpelling(report), 'text', { color }),
  });
  return ExitCode.Ok;
};
