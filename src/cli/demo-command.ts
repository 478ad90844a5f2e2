import { renderReport } from '../render/index.js';
import { runDemo } from '../sandbox/demo.js';
import { acquireDemoLock } from '../sandbox/demo-stack/demo-lock.js';
import { leaveSignalsToCaller } from '../sandbox/services/exit-cleanup.js';
import { startDemoStack, type DemoStack } from '../sandbox/demo-stack/start-demo-stack.js';
import { ExitCode } from './exit-codes.js';
import { reportWithFlagSpelling } from './flag-spelling.js';
import type { SandboxCommand } from './sandbox-command.js';

/** How long the whole stack gets to stop after Ctrl-C before the demo exits anyway (ms). */
const STOP_DEADLINE_MS = 60_000;

/**
 * `quorum demo`: the whole system on loopback with the chat console, until Ctrl-C; `--terminal`: the sandbox
 * incident diagnosed in the terminal. Exit 0 when the demo itself ran.
 */
export const run: SandboxCommand = async (options) => {
  const color = options.color && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  if (options.terminal) {
    await runDemo({
      write: (text) => process.stdout.write(text),
      // As `quorum diagnose` prints it, since the demo shows the command line it stands for.
      render: (report) => renderReport(reportWithFlagSpelling(report), 'text', { color }),
    });
    return ExitCode.Ok;
  }
  return runConsoleDemo(options.port);
};

async function runConsoleDemo(port: number | undefined): Promise<ExitCode> {
  const lock = acquireDemoLock();
  if ('heldBy' in lock) {
    process.stderr.write(
      `quorum demo: a demo is already running (pid ${lock.heldBy.pid})` +
        (lock.heldBy.consoleUrl ? `: its console is ${lock.heldBy.consoleUrl}` : ', still starting') +
        '. Stop it with Ctrl-C in its terminal, or use that one.\n',
    );
    return ExitCode.QuorumFailed;
  }
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  let signalled: NodeJS.Signals | undefined;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      print(`demo      second ${signal}: exiting now`);
      process.exit(130);
    }
    signalled = signal;
    wake();
  };
  // The demo stops its servers itself, in order; the services' last-resort cleanup waits for the process exit.
  leaveSignalsToCaller();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let stack: DemoStack | undefined;
  try {
    const starting = startDemoStack({ print, ...(port !== undefined ? { consolePort: port } : {}) });
    stack = await starting;
    lock.update(stack.consoleUrl);
    if (!signalled) {
      print('');
      print(`  Quorum sandbox is up. Open the chat console:  ${stack.consoleUrl}`);
      print('  Try /quorum diagnose health, then the switchboard\'s "etcd NOSPACE". Ctrl-C stops everything.');
      print('');
      await stopped;
    }
    print(`demo      ${signalled ?? 'stop'}: stopping everything…`);
    const deadline = setTimeout(() => {
      print('demo      did not stop in time: exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    await stack.stop();
    clearTimeout(deadline);
    print('demo      stopped; temporary data removed');
    return ExitCode.Ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    lock.release();
  }
}
