import type { EtcdReader } from '../ports/etcd-reader.js';

/** Concurrent calls with the same arguments share one promise until it settles. */
export function shareInFlight<Args extends unknown[], Result>(
  call: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  const pending = new Map<string, Promise<Result>>();
  return (...args: Args) => {
    const key = JSON.stringify(args);
    const existing = pending.get(key);
    if (existing) return existing;
    const started = call(...args).finally(() => pending.delete(key));
    pending.set(key, started);
    return started;
  };
}

/**
 * Checks of one run start together and several ask etcd for the same member status: this keeps that to one request
 * per member without caching results past the moment they arrive (a windowed check still sees fresh values later).
 */
export function shareEtcdReads(reader: EtcdReader): EtcdReader {
  return {
    endpoints: reader.endpoints,
    members: shareInFlight(() => reader.members()),
    status: shareInFlight((endpoint: string) => reader.status(endpoint)),
    health: shareInFlight((endpoint: string) => reader.health(endpoint)),
    alarms: shareInFlight(() => reader.alarms()),
    quotaBytes: shareInFlight((endpoint: string) => reader.quotaBytes(endpoint)),
    prefixCounts: (root, options) => reader.prefixCounts(root, options),
    close: () => reader.close(),
  };
}
