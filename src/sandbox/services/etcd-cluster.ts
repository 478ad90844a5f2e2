import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ServiceStartError } from '../../core/errors.js';
import { EtcdMemberProcess, type EtcdTiming } from './etcd-member-process.js';
import { readEtcdGauge } from './etcd-gauge.js';
import { createEtcdTlsFiles, memberTlsFiles, type EtcdTlsFiles, type EtcdTlsOptions } from './etcd-tls-files.js';
import { findFreePorts } from './free-port.js';
import { startLatencyProxy, type LatencyProxy } from './latency-proxy.js';
import { requireBinary } from './require-binary.js';
import { lostPortRace } from './start-error.js';
import { createTempDir, sweepStaleTempDirs, type TempDir } from './temp-dir.js';

export interface StartEtcdClusterOptions extends EtcdTiming {
  /** How many members. @defaultValue 3 */
  members?: number;
  /** Member names, `etcd-1` … `etcd-N` when absent; its length wins over `members`. */
  names?: readonly string[];
  /** `--quota-backend-bytes` for every member, in bytes; etcd's default (2 GiB) when absent. */
  quotaBytes?: number;
  /**
   * Serve clients over TLS (a private CA, made with the openssl CLI) and require client certificates, as kubeadm's
   * etcd does; the options set the serving certificates' lifetimes (a year by default). `/health` and `/metrics`
   * stay plain HTTP on each member's `metricsUrl`. @defaultValue false
   */
  tls?: boolean | EtcdTlsOptions;
  /** How long to wait for every member to be healthy with a leader, in ms. @defaultValue 20000 */
  startTimeoutMs?: number;
  /**
   * Members whose advertised client URL is a {@link LatencyProxy} in front of their client port (no delay until
   * `member.latency.setDelay`): clients that find members through the member list, as Quorum does, go through it,
   * while peers and the members' own probes do not. @defaultValue none
   */
  latencyProxies?: readonly string[];
}

/** One member of a sandbox cluster, as tests see it. */
export interface EtcdClusterMember {
  readonly name: string;
  /** `http://127.0.0.1:PORT` (`https://` with `tls`): the member's gRPC endpoint, also serving `/health`, `/metrics`. */
  readonly clientUrl: string;
  readonly peerUrl: string;
  /** `http://127.0.0.1:PORT`: `/health` and `/metrics` without TLS. */
  readonly metricsUrl: string;
  /** The client URL the member list gives clients: the proxy's with `latencyProxies`, else {@link clientUrl}. */
  readonly advertisedClientUrl: string;
  /** With `latencyProxies`: the proxy in front of this member's client port, to slow it down. */
  readonly latency?: LatencyProxy;
  readonly dataDir: string;
  /** False between `stopMember` and `startMember`. */
  readonly running: boolean;
  readonly pid: number | undefined;
}

/** A private etcd cluster on loopback, in one temporary directory. */
export interface EtcdCluster {
  /** `--initial-cluster-token`, unique per cluster. */
  readonly token: string;
  readonly members: readonly EtcdClusterMember[];
  /** Every member's client URL, in member order. */
  readonly endpoints: string[];
  /** With `tls`: the CA and the client certificate to connect with (`etcdctl --cacert/--cert/--key`). */
  readonly tls?: { caFile: string; certFile: string; keyFile: string };
  member(name: string): EtcdClusterMember;
  /**
   * Stops one member (SIGTERM, SIGKILL after 5 s) and keeps its data for {@link startMember}. While the others keep
   * quorum, resolves once they report a leader again.
   */
  stopMember(name: string): Promise<void>;
  /**
   * Restarts a stopped member on its old ports and data (`--initial-cluster-state existing`) and waits until it is
   * healthy again.
   *
   * @param timeoutMs - how long to wait for health, in ms (default 20000).
   */
  startMember(name: string, timeoutMs?: number): Promise<void>;
  /** Stops every member and removes all data. Safe to call twice. */
  stop(): Promise<void>;
}

const ATTEMPTS = 3;

/** The running member that says it leads, if any answers in time. */
async function currentLeader(running: readonly EtcdMemberProcess[]): Promise<EtcdMemberProcess | undefined> {
  const flags = await Promise.all(
    running.map((member) => readEtcdGauge(member.metricsUrl, 'etcd_server_is_leader', 500).catch(() => undefined)),
  );
  return running.find((_, index) => flags[index] === 1);
}

function view(process: EtcdMemberProcess, latency: LatencyProxy | undefined): EtcdClusterMember {
  return {
    name: process.name,
    clientUrl: process.clientUrl,
    peerUrl: process.peerUrl,
    metricsUrl: process.metricsUrl,
    advertisedClientUrl: latency?.url ?? process.clientUrl,
    ...(latency ? { latency } : {}),
    dataDir: process.config.dataDir,
    get running() {
      return process.running;
    },
    get pid() {
      return process.process?.pid;
    },
  };
}

async function startOnce(
  binary: string,
  names: readonly string[],
  options: StartEtcdClusterOptions,
): Promise<EtcdCluster | 'port-taken'> {
  const { quotaBytes, heartbeatMs, electionMs, startTimeoutMs = 20_000 } = options;
  const ports = await findFreePorts(names.length * 3);
  const dir: TempDir = createTempDir('etcd');
  let tls: EtcdTlsFiles | undefined;
  try {
    tls = options.tls ? await createEtcdTlsFiles(dir.path, options.tls === true ? {} : options.tls) : undefined;
  } catch (error) {
    await dir.remove();
    throw error;
  }
  const token = `quorum-${process.pid}-${randomUUID().slice(0, 8)}`;
  const port = (index: number, which: 0 | 1 | 2): number => ports[index * 3 + which] as number;
  const scheme = tls ? 'https' : 'http';
  const proxies = new Map<string, LatencyProxy>();
  try {
    for (const [index, name] of names.entries()) {
      if (!options.latencyProxies?.includes(name)) continue;
      proxies.set(name, await startLatencyProxy({ target: `${scheme}://127.0.0.1:${port(index, 0)}` }));
    }
  } catch (error) {
    await Promise.all([...proxies.values()].map((proxy) => proxy.close()));
    await dir.remove();
    throw error;
  }
  const peerPort = (index: number): number => port(index, 1);
  const initialCluster = names.map((name, index) => `${name}=http://127.0.0.1:${peerPort(index)}`).join(',');
  const processes = names.map(
    (name, index) =>
      new EtcdMemberProcess(binary, {
        name,
        dataDir: join(dir.path, name),
        clientPort: port(index, 0),
        peerPort: peerPort(index),
        metricsPort: port(index, 2),
        ...(tls ? { tls: memberTlsFiles(tls, name) } : {}),
        initialCluster,
        clusterToken: token,
        ...(quotaBytes === undefined ? {} : { quotaBytes }),
        ...(heartbeatMs === undefined ? {} : { heartbeatMs }),
        ...(electionMs === undefined ? {} : { electionMs }),
        ...(proxies.has(name) ? { advertiseClientUrl: proxies.get(name)?.url } : {}),
      }),
  );
  const stopAll = async (): Promise<void> => {
    // Leader first, one at a time: on SIGTERM a leader hands leadership to a live peer, which takes milliseconds.
    // Stopped together (or leader last), it waits for a transfer to peers that are going away and only dies at the
    // SIGKILL deadline, 5 s later (checked here).
    for (;;) {
      const running = processes.filter((member) => member.running);
      if (running.length === 0) break;
      await ((await currentLeader(running)) ?? running[0])?.stop();
    }
    await Promise.all([...proxies.values()].map((proxy) => proxy.close()));
    await dir.remove();
  };
  const find = (name: string): EtcdMemberProcess => {
    const found = processes.find((member) => member.name === name);
    if (!found) throw new Error(`no etcd member named "${name}" (members: ${names.join(', ')})`);
    return found;
  };

  try {
    // One after another up to serving peers: a new member first asks its peers whether it was bootstrapped, and a
    // peer that is itself still starting accepts the connection without answering, costing 1 s per peer (etcd 3.4;
    // measured here: 2.2 s instead of 0.3 s for 3 members started at once). A refused connection costs nothing.
    for (const member of processes) {
      member.start('new');
      await member.waitServingPeers(startTimeoutMs);
    }
    // A leader needs a quorum of members: only now can each report healthy.
    await Promise.all(processes.map((member) => member.waitHealthy(startTimeoutMs)));
  } catch (error) {
    await stopAll();
    if (processes.some((member) => member.process && lostPortRace(member.process))) return 'port-taken';
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    token,
    members: processes.map((member) => view(member, proxies.get(member.name))),
    endpoints: processes.map((member) => member.clientUrl),
    ...(tls ? { tls: { caFile: tls.caFile, certFile: tls.clientCertFile, keyFile: tls.clientKeyFile } } : {}),
    member: (name) => view(find(name), proxies.get(name)),
    async stopMember(name) {
      await find(name).stop();
      // A stopped leader leaves the others without one for an election timeout: wait it out while they keep quorum,
      // so that what runs next meets a degraded cluster, not one between leaders.
      const running = processes.filter((member) => member.running);
      if (running.length > processes.length / 2) {
        await Promise.all(running.map((member) => member.waitHealthy(startTimeoutMs)));
      }
    },
    async startMember(name, timeoutMs = startTimeoutMs) {
      const member = find(name);
      member.start('existing');
      await member.waitHealthy(timeoutMs);
    },
    stop: () => (stopping ??= stopAll()),
  };
}

/**
 * Starts a real etcd cluster on free loopback ports (`--initial-cluster-state new`, a unique
 * `--initial-cluster-token`) and resolves once every member is healthy, which in etcd 3.4 means it sees a leader and
 * serves quorum reads.
 *
 * @throws ServiceStartError when etcd is missing or a member does not come up; the message ends with its last output.
 */
export async function startEtcdCluster(options: StartEtcdClusterOptions = {}): Promise<EtcdCluster> {
  const names = options.names ?? Array.from({ length: options.members ?? 3 }, (_, index) => `etcd-${index + 1}`);
  if (names.length === 0 || new Set(names).size !== names.length) {
    throw new ServiceStartError(`etcd member names must be distinct and at least one: got [${names.join(', ')}]`);
  }
  const unknownProxies = (options.latencyProxies ?? []).filter((name) => !names.includes(name));
  if (unknownProxies.length > 0) {
    throw new ServiceStartError(
      `latencyProxies names ${unknownProxies.join(', ')}, which are not members (${names.join(', ')})`,
    );
  }
  const withOwn = Object.keys(typeof options.tls === 'object' ? (options.tls.memberServingCertificates ?? {}) : {});
  const unknown = withOwn.filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    throw new ServiceStartError(
      `tls.memberServingCertificates names ${unknown.join(', ')}, which are not members (${names.join(', ')})`,
    );
  }
  const binary = requireBinary('etcd');
  sweepStaleTempDirs();
  for (let attempt = 1; ; attempt++) {
    const started = await startOnce(binary, names, options);
    if (started !== 'port-taken') return started;
    if (attempt >= ATTEMPTS) {
      throw new ServiceStartError(
        `etcd lost the race for free ports ${ATTEMPTS} times: another process keeps taking them`,
      );
    }
  }
}
