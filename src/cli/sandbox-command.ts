import { fileURLToPath } from 'node:url';
import { UsageError } from '../core/errors.js';
import type { ExitCode } from './exit-codes.js';

/** The CLI's sandbox commands: `src/cli/<name>-command.ts`, each the entry point into `src/sandbox`. */
export type SandboxCommandName = 'demo' | 'bench';

/** What a sandbox command module exports as `run`. */
export type SandboxCommand = (options: {
  color: boolean;
  /** bench: the sections to run. */ only?: string;
  /** demo: the terminal-only walk-through instead of the console. */ terminal?: boolean;
  /** demo: the console's port. */ port?: number;
}) => Promise<ExitCode>;

/**
 * Loads a sandbox command (demo, bench) from the module beside this one.
 *
 * The specifier is built at run time on purpose: tsc follows every literal import, `import()` and `import type`
 * into the program and emits what it finds, and the production build (tsconfig.build.json) must leave the
 * simulator, the scenario generator, the etcd seeder and the bench out. In such a build the module is missing, and
 * the user is told to run the command from a source checkout instead.
 */
export async function loadSandboxCommand(name: SandboxCommandName): Promise<SandboxCommand> {
  const url = new URL(`./${name}-command.js`, import.meta.url);
  try {
    const module = (await import(url.href)) as { run: SandboxCommand };
    return module.run;
  } catch (error) {
    if (!isMissingModule(error, url)) throw error;
    throw new UsageError(
      `quorum ${name} runs from a source checkout (npm run ${name}): this build leaves out the sandbox it needs.`,
    );
  }
}

/** True when `url` itself is missing, not one of its imports (a broken checkout should show its real error). */
function isMissingModule(error: unknown, url: URL): boolean {
  if (!(error instanceof Error) || (error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') return false;
  const file = fileURLToPath(url).replace(/\.js$/, '');
  return error.message.includes(file);
}
