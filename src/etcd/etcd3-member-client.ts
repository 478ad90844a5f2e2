import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { grpcCredentials, type EtcdTls } from './etcd-tls.js';

/**
 * An etcd3 client bound to exactly one member. etcd3 picks a random host per call, so per-member status (and, for
 * the maintenance side, defragment) needs one client per endpoint.
 *
 * Fault handling is off: etcd3's default retries three times (on timeouts, and on NOSPACE) and opens a circuit
 * breaker after three failures, after which even `status()` fails with BrokenCircuitError (REFERENCE.md). Each call
 * carries its own deadline instead.
 */
export function createMemberClient(endpoint: string, tls: EtcdTls | undefined): Etcd3 {
  return new Etcd3({
    hosts: [endpoint],
    ...(tls ? { credentials: grpcCredentials(tls) } : {}),
    faultHandling: { host: () => noop, global: noop },
  });
}
