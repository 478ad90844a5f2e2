/**
 * The promise's value if it settles within `ms`, else undefined; a rejection also gives undefined. For request paths
 * that must answer in time whatever the state of what they ask (Slack's 3 seconds): the caller says what undefined
 * means, and `onLate` cleans up after a value that arrives too late to be used.
 */
export async function within<T>(promise: Promise<T>, ms: number, onLate?: (value: T) => void): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      late = true;
      resolve(undefined);
    }, ms);
  });
  const settled = promise.then(
    (value) => {
      if (late) onLate?.(value);
      return value;
    },
    () => undefined,
  );
  try {
    return await Promise.race([settled, expired]);
  } finally {
    clearTimeout(timer);
  }
}
