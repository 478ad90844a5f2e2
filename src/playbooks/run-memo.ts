import type { CheckContext, RunScope } from '../checks/check.js';

/** A per-run memo for {@link CheckContext.once}: work runs once, under the run's scope, for every check that asks. */
export function createRunMemo(scope: RunScope): CheckContext['once'] {
  const results = new Map<string, Promise<unknown>>();
  return <T>(key: string, produce: (scope: RunScope) => Promise<T>): Promise<T> => {
    let result = results.get(key) as Promise<T> | undefined;
    if (!result) {
      result = produce(scope);
      // Nobody may be waiting any more when it fails (every asking check timed out): not an unhandled rejection.
      result.catch(() => undefined);
      results.set(key, result);
    }
    return result;
  };
}
