/**
 * Real Redis topologies from Debian's binaries, for the scale-out tests: a 3-master Redis Cluster and a Sentinel
 * set-up (one primary, one replica, three Sentinels). Loopback only, temporary directories, no persistence.
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { commandLineFlags } from '../../src/sandbox/services/command-line-flags.js';
import { spawnServer, type ServerProcess } from '../../src/sandbox/services/spawn-server.js';
import { createTempDir, type TempDir } from '../../src/sandbox/services/temp-dir.js';
import { waitUntil } from '../../src/sandbox/services/wait-until.js';
import { findFreePorts, pingRedis, requireBinary } from './services.js';

const run = promisify(execFile);

/** redis-cli (redis-tools) and redis-sentinel (redis-sentinel) sit beside Debian's redis-server. */
function besideRedisServer(name: 'redis-cli' | 'redis-sentinel'): string {
  const path = join(dirname(requireBinary('redis-server')), name);
  if (!existsSync(path))
    throw new Error(
      `${name} is not installed: sudo apt-get install ${name === 'redis-cli' ? 'redis-tools' : 'redis-sentinel'}`,
    );
  return path;
}

/** One redis-server (or Sentinel) process we started. */
interface Node {
  readonly port: number;
  readonly process: ServerProcess;
}

async function startNode(name: string, binary: string, args: string[], port: number): Promise<Node> {
  const process = spawnServer({ name: `${name} on port ${port}`, command: binary, args });
  await waitUntil(
    async () => (await pingRedis(port, 500)) === '+PONG',
    { what: `${name} on ${port}`, timeoutMs: 10_000 },
    () => {
      if (process.exitInfo()) throw new Error(`${name} exited:\n${process.outputTail()}`);
    },
  );
  return { port, process };
}

/** Runs one command on a node with a short-lived client. */
async function command(port: number, ...args: string[]): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(args[0]!, ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

const BASE_FLAGS = {
  bind: '127.0.0.1',
  save: '',
  appendonly: 'no',
  // BullMQ loses jobs under any eviction policy (REFERENCE.md).
  'maxmemory-policy': 'noeviction',
  daemonize: 'no',
};

export interface RedisClusterService {
  /** `redis://127.0.0.1:PORT` of every master. */
  readonly nodes: string[];
  stop(): Promise<void>;
}

/**
 * Three masters (`--cluster-enabled yes`) joined by `redis-cli --cluster create … --cluster-yes`, resolved once every
 * node reports `cluster_state:ok`. The cluster bus gets a port of its own (`cluster-port`): the default, port + 10000,
 * is out of range for the kernel's ephemeral ports.
 */
export async function startRedisCluster(): Promise<RedisClusterService> {
  const binary = requireBinary('redis-server');
  const cli = besideRedisServer('redis-cli');
  const dir = createTempDir('redis-cluster');
  const nodes: Node[] = [];
  const stop = async () => {
    await Promise.allSettled(nodes.map((node) => node.process.stop()));
    await dir.remove();
  };
  try {
    const ports = await findFreePorts(6);
    for (let index = 0; index < 3; index++) {
      const port = ports[index]!;
      const args = commandLineFlags({
        ...BASE_FLAGS,
        port,
        dir: dir.path,
        'cluster-enabled': 'yes',
        'cluster-port': ports[index + 3],
        'cluster-config-file': `nodes-${port}.conf`,
        'cluster-node-timeout': 2000,
      });
      nodes.push(await startNode('redis cluster node', binary, args, port));
    }
    await run(cli, ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-yes'], {
      timeout: 30_000,
    });
    await waitUntil(
      async () => {
        const infos = await Promise.all(nodes.map((node) => command(node.port, 'CLUSTER', 'INFO')));
        return infos.every((info) => String(info).includes('cluster_state:ok'));
      },
      { what: 'the Redis Cluster to report cluster_state:ok on every node', timeoutMs: 20_000, intervalMs: 100 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: nodes.map((node) => `redis://127.0.0.1:${node.port}`), stop };
}

export interface RedisSentinelService {
  /** The monitored primary's name. */
  readonly name: string;
  /** `redis://127.0.0.1:PORT` of each Sentinel. */
  readonly sentinels: string[];
  /** The port Sentinel names primary now. */
  primaryPort(): Promise<number>;
  /** `SENTINEL FAILOVER`, resolved once the Sentinels name the former replica primary and it accepts writes. */
  failover(): Promise<{ from: number; to: number }>;
  stop(): Promise<void>;
}

/**
 * One primary, one replica (`replicaof`) and three Sentinels (quorum 2) from Debian's `redis-server` and
 * `redis-sentinel`, resolved once every Sentinel sees the replica and the two other Sentinels (so a failover can be
 * agreed on at once).
 */
export async function startRedisSentinel(name = 'quorum-primary'): Promise<RedisSentinelService> {
  const server = requireBinary('redis-server');
  const sentinelBinary = besideRedisServer('redis-sentinel');
  const dir: TempDir = createTempDir('redis-sentinel');
  const processes: Node[] = [];
  const stop = async () => {
    await Promise.allSettled(processes.map((node) => node.process.stop()));
    await dir.remove();
  };
  const sentinelPorts: number[] = [];
  try {
    const ports = await findFreePorts(5);
    const [primary, replica] = [ports[0]!, ports[1]!];
    processes.push(
      await startNode(
        'redis primary',
        server,
        commandLineFlags({ ...BASE_FLAGS, port: primary, dir: dir.path }),
        primary,
      ),
    );
    processes.push(
      await startNode(
        'redis replica',
        server,
        commandLineFlags({ ...BASE_FLAGS, port: replica, dir: dir.path, replicaof: `127.0.0.1 ${primary}` }),
        replica,
      ),
    );
    for (const port of ports.slice(2)) {
      // Sentinel rewrites its config file as it learns the topology: one writable file each.
      const file = join(dir.path, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir.path}`,
          `sentinel monitor ${name} 127.0.0.1 ${primary} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      processes.push(await startNode('redis-sentinel', sentinelBinary, [file], port));
      sentinelPorts.push(port);
    }
    await waitUntil(
      async () => {
        for (const port of sentinelPorts) {
          const replicas = (await command(port, 'SENTINEL', 'REPLICAS', name)) as unknown[];
          const peers = (await command(port, 'SENTINEL', 'SENTINELS', name)) as unknown[];
          if (replicas.length < 1 || peers.length < 2) return false;
        }
        const info = String(await command(replica, 'INFO', 'replication'));
        return info.includes('master_link_status:up');
      },
      { what: 'every Sentinel to see the replica and the other Sentinels', timeoutMs: 30_000, intervalMs: 200 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const primaryPortFrom = async (sentinel: number) => {
    const [, port] = (await command(sentinel, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[];
    return Number(port);
  };
  const primaryPort = () => primaryPortFrom(sentinelPorts[0]!);
  return {
    name,
    sentinels: sentinelPorts.map((port) => `redis://127.0.0.1:${port}`),
    primaryPort,
    async failover() {
      const from = await primaryPort();
      await command(sentinelPorts[0]!, 'SENTINEL', 'FAILOVER', name);
      let to = from;
      await waitUntil(
        async () => {
          const ports = await Promise.all(sentinelPorts.map(primaryPortFrom));
          to = ports[0]!;
          if (to === from || ports.some((port) => port !== to)) return false;
          return String(await command(to, 'INFO', 'replication')).includes('role:master');
        },
        { what: 'the Sentinels to agree on a new primary', timeoutMs: 30_000, intervalMs: 100 },
      );
      return { from, to };
    },
    stop,
  };
}
