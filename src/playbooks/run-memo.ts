import type { CheckContext } from '../checks/check.js';

/** A per-run memo for {@link CheckContext.once}. */
export function createRunMemo(): CheckContext['once'] {
  const results = new Map<string, Promise<unknown>>();
  return <T>(key: string, produce: () => Promise<T>): Promise<T> => {
    let result = results.get(key) as Promise<T> | undefined;
    if (!result) {
      result = produce();
      results.set(key, result);
    }
    return result;
  };
}
