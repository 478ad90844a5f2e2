// Which CLI bin/quorum.js runs: the compiled build in dist/, or the TypeScript sources through tsx.
// Pure (the caller looks at the file system), so that test/build/entry-point.test.ts can check every case.

/** The commands whose code is the sandbox: the production build leaves them out (tsconfig.build.json). */
export const SANDBOX_COMMANDS = ['demo', 'bench'];

/**
 * @param {{ args: readonly string[], fromSourceEnv: boolean, hasSources: boolean, hasCompiled: boolean }} facts
 *   args: the CLI's arguments (argv without node and the script); fromSourceEnv: QUORUM_FROM_SOURCE is set
 * @returns {'sources' | 'compiled' | 'none'}
 */
export function chooseEntryPoint({ args, fromSourceEnv, hasSources, hasCompiled }) {
  const command = args.find((arg) => !arg.startsWith('-'));
  const sandbox = SANDBOX_COMMANDS.includes(command ?? '');
  // A source checkout runs demo and bench from the sources even when a build exists; an image (no sources) runs the
  // build, whose loader then says where they run.
  if (hasSources && (fromSourceEnv || sandbox || !hasCompiled)) return 'sources';
  return hasCompiled ? 'compiled' : 'none';
}
