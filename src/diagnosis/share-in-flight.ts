import { raceAbort } from '../core/abort.js';
import type { EtcdCallOptions, EtcdReader } from '../ports/etcd-reader.js';

/**
 * Concurrent calls with the same key arguments share one promise until it settles. Each caller's signal only
 * releases that caller (the shared call runs to its own deadline), so one cancelled run does not fail another's
 * read of the same member.
 */
export function shareInFlight<Args extends unknown[], Result>(
  call: (...args: Args) => Promise<Result>,
): (...args: [...Args, EtcdCallOptions?]) => Promise<Result> {
  const pending = new Map<string, Promise<Result>>();
  return (...input) => {
    const options = input.length > call.length ? (input[input.length - 1] as EtcdCallOptions | undefined) : undefined;
    const args = input.slice(0, call.length) as Args;
    const key = JSON.stringify(args);
    let shared = pending.get(key);
    if (!shared) {
      shared = call(...args).finally(() => pending.delete(key));
      shared.catch(() => undefined);
      pending.set(key, shared);
    }
    return raceAbort(shared, options?.signal);
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
    // Never shared: each ping is a measurement of its own, and two checks sampling at once must each get theirs.
    ping: (endpoint, options) => reader.ping(endpoint, options),
    alarms: shareInFlight(() => reader.alarms()),
    quotaBytes: shareInFlight((endpoint: string) => reader.quotaBytes(endpoint)),
    // Each scrape of a usage window must be its own: sharing one with another check would shorten the window.
    metricsText: (endpoint, options) => reader.metricsText(endpoint, options),
    prefixCounts: (root, options) => reader.prefixCounts(root, options),
    servingCertificates: (endpoint, options) => reader.servingCertificates(endpoint, options),
    clientCertificate: (options) => reader.clientCertificate(options),
    close: () => reader.close(),
  };
}
