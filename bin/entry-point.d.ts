/** Types of bin/entry-point.js, for its test. */
export const SANDBOX_COMMANDS: readonly string[];
export function chooseEntryPoint(facts: {
  args: readonly string[];
  fromSourceEnv: boolean;
  hasSources: boolean;
  hasCompiled: boolean;
}): 'sources' | 'compiled' | 'none';
