/**
 * Wraps an object so that concurrent identical calls of its async methods share one request. Checks of one run
 * start together and several ask etcd for the same member status: this keeps that to one request per member
 * without caching results past the moment they arrive (a windowed check still sees fresh values later).
 */
export function shareInFlight<T extends object>(target: T, methods: ReadonlyArray<keyof T>): T {
  const pending = new Map<string, Promise<unknown>>();
  const shared = new Set<PropertyKey>(methods);
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (!shared.has(property) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const key = `${String(property)}\u0000${JSON.stringify(args)}`;
        const existing = pending.get(key);
        if (existing) return existing;
        const call = Promise.resolve((value as (...a: unknown[]) => unknown).apply(object, args)).finally(() =>
          pending.delete(key),
        );
        pending.set(key, call);
        return call;
      };
    },
  });
}
