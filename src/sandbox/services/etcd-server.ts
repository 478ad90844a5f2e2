import { startEtcdCluster, type StartEtcdClusterOptions } from './etcd-cluster.js';

export interface StartEtcdOptions extends Omit<StartEtcdClusterOptions, 'members' | 'names'> {
  /** `--name`. @defaultValue "quorum-etcd" */
  name?: string;
}

/** A private single-member etcd on loopback, in its own temporary directory. */
export interface EtcdService {
  readonly name: string;
  /** `[clientUrl]`, ready for an etcd client's `hosts`. */
  readonly endpoints: string[];
  /** `http://127.0.0.1:PORT` (`https://` with `tls`): gRPC, `/health` and `/metrics`. */
  readonly clientUrl: string;
  readonly peerUrl: string;
  /** `http://127.0.0.1:PORT`: `/health` and `/metrics` without TLS. */
  readonly metricsUrl: string;
  /** With `tls`: the CA and the client certificate to connect with. */
  readonly tls?: { caFile: string; certFile: string; keyFile: string };
  readonly dataDir: string;
  readonly pid: number | undefined;
  /** SIGTERM (SIGKILL after 5 s), then removes the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a single etcd member on free loopback ports and resolves once it is healthy (has elected itself leader).
 * Pass `quotaBytes` (e.g. 16 MiB) to reach NOSPACE in a second.
 *
 * @throws ServiceStartError when etcd is missing or does not come up; the message ends with its last output.
 */
export async function startEtcd({ name = 'quorum-etcd', ...options }: StartEtcdOptions = {}): Promise<EtcdService> {
  const cluster = await startEtcdCluster({ ...options, names: [name] });
  const member = cluster.member(name);
  return {
    name,
    endpoints: [member.clientUrl],
    clientUrl: member.clientUrl,
    peerUrl: member.peerUrl,
    metricsUrl: member.metricsUrl,
    ...(cluster.tls ? { tls: cluster.tls } : {}),
    dataDir: member.dataDir,
    pid: member.pid,
    stop: () => cluster.stop(),
  };
}
