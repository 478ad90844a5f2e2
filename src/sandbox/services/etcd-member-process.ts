import { commandLineFlags } from './command-line-flags.js';
import type { EtcdTlsFiles } from './etcd-tls-files.js';
import { spawnServer, type ServerProcess } from './spawn-server.js';
import { assertStillRunning, startError } from './start-error.js';
import { etcdAnswersHealthy, etcdServesPeers } from './etcd-health-probe.js';
import { waitUntil } from './wait-until.js';

/** Raft timing: 10 heartbeats per election timeout, as etcd advises. */
export interface EtcdTiming {
  /** `--heartbeat-interval`, in ms. @defaultValue 100 */
  heartbeatMs?: number;
  /** `--election-timeout`, in ms. @defaultValue 1000 */
  electionMs?: number;
}

export interface EtcdMemberConfig extends EtcdTiming {
  name: string;
  dataDir: string;
  clientPort: number;
  peerPort: number;
  /** Plain-HTTP `/health` and `/metrics` (`--listen-metrics-urls`), so probes need no client certificate. */
  metricsPort: number;
  /** Serve clients over TLS with this server certificate and require client certificates from this CA. */
  tls?: EtcdTlsFiles;
  /** `--initial-cluster`: `name=peerUrl` for every member, comma-separated. */
  initialCluster: string;
  /** `--initial-cluster-token`: unique per cluster so members of two test clusters never join each other. */
  clusterToken: string;
  /** `--quota-backend-bytes`, in bytes; etcd's default (2 GiB) when absent. */
  quotaBytes?: number;
  /**
   * `--advertise-client-urls` when it is not the member's own client URL (a proxy in front of it): what the member
   * list tells clients. @defaultValue the client URL
   */
  advertiseClientUrl?: string;
}

/** Go's name for this CPU where etcd 3.4 needs `ETCD_UNSUPPORTED_ARCH` (it only supports amd64 and ppc64le). */
function unsupportedArch(): string | undefined {
  const goArch: Partial<Record<NodeJS.Architecture, string>> = {
    arm64: 'arm64',
    arm: 'arm',
    s390x: 's390x',
    ia32: '386',
  };
  return goArch[process.arch];
}

/** The environment for etcd: ours without `ETCD_*` (etcd reads those as flags and they would clash with ours). */
function etcdEnv(): NodeJS.ProcessEnv {
  // The sandbox passes the environment on to the server it spawns; it reads no setting of its own from it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ETCD_')));
  const arch = unsupportedArch();
  return arch ? { ...env, ETCD_UNSUPPORTED_ARCH: arch } : env;
}

/**
 * One etcd member process on loopback that can be stopped and started again on the same ports and data directory.
 * The data directory belongs to the caller.
 */
export class EtcdMemberProcess {
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly metricsUrl: string;
  private server: ServerProcess | undefined;

  constructor(
    private readonly binary: string,
    readonly config: EtcdMemberConfig,
  ) {
    this.clientUrl = `${config.tls ? 'https' : 'http'}://127.0.0.1:${config.clientPort}`;
    this.peerUrl = `http://127.0.0.1:${config.peerPort}`;
    this.metricsUrl = `http://127.0.0.1:${config.metricsPort}`;
  }

  get name(): string {
    return this.config.name;
  }

  get running(): boolean {
    return this.server !== undefined && this.server.exitInfo() === undefined;
  }

  /** The running process, for errors and tests. */
  get process(): ServerProcess | undefined {
    return this.server;
  }

  /** Spawns the member; `existing` rejoins with the data it already has. Does not wait: see {@link waitHealthy}. */
  start(state: 'new' | 'existing'): void {
    if (this.running) throw new Error(`etcd member ${this.name} is already running`);
    const {
      name,
      dataDir,
      initialCluster,
      clusterToken,
      quotaBytes,
      tls,
      // etcd's own defaults, with pre-vote: with 500 ms, a loaded test host that stalls the leader for half a second
      // could elect another mid-test, and pre-vote keeps a lagging member from forcing an election.
      heartbeatMs = 100,
      electionMs = 1000,
    } = this.config;
    const args = commandLineFlags({
      name,
      'data-dir': dataDir,
      'listen-client-urls': this.clientUrl,
      'advertise-client-urls': this.config.advertiseClientUrl ?? this.clientUrl,
      'listen-peer-urls': this.peerUrl,
      'initial-advertise-peer-urls': this.peerUrl,
      'initial-cluster': initialCluster,
      'initial-cluster-state': state,
      'initial-cluster-token': clusterToken,
      'heartbeat-interval': heartbeatMs,
      'election-timeout': electionMs,
      'pre-vote': true,
      logger: 'zap',
      'log-outputs': 'stderr',
      'listen-metrics-urls': this.metricsUrl,
      'quota-backend-bytes': quotaBytes,
      'cert-file': tls?.serverCertFile,
      'key-file': tls?.serverKeyFile,
      'trusted-ca-file': tls?.caFile,
      'client-cert-auth': tls !== undefined,
    });
    this.server = spawnServer({ name: `etcd member ${name}`, command: this.binary, args, env: etcdEnv() });
  }

  /** Resolves once `/health` says the member has a leader and serves quorum reads. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    await this.waitFor(
      () => etcdAnswersHealthy(this.metricsUrl, 250),
      `${this.metricsUrl} to report healthy`,
      timeoutMs,
    );
  }

  /** Resolves once the member answers on its peer port, i.e. has finished its bootstrap check. */
  async waitServingPeers(timeoutMs: number): Promise<void> {
    await this.waitFor(() => etcdServesPeers(this.peerUrl, 250), `${this.peerUrl} to serve peers`, timeoutMs);
  }

  private async waitFor(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
    const server = this.server;
    if (!server) throw new Error(`etcd member ${this.name} was never started`);
    try {
      await waitUntil(probe, { what: `etcd member ${this.name} (${what})`, timeoutMs }, () =>
        assertStillRunning(server),
      );
    } catch (error) {
      throw startError(server, error instanceof Error ? error.message : String(error), error);
    }
  }

  /** SIGTERM, SIGKILL after `timeoutMs`; the data directory stays. */
  async stop(timeoutMs = 5_000): Promise<void> {
    await this.server?.stop({ timeoutMs });
  }
}
