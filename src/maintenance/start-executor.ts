import { hostname } from 'node:os';
import { ApprovalStore } from '../approvals/approval-store.js';
import { AuditLog } from '../approvals/audit-log.js';
import type { MaintenanceReporter } from '../approvals/maintenance-reporter.js';
import type { Config } from '../config/config-schema.js';
import { executorEtcdSettings } from '../config/executor-etcd.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { MaintenanceWorkers } from '../queue/maintenance-queue.js';
import { closeRedis, createRedis } from '../queue/redis-connection.js';
import { ClusterLock } from './cluster-lock.js';
import { EtcdMaintenanceClient } from './etcd-maintenance-client.js';
import { executeApproval } from './execute-approval.js';

export interface StartExecutorOptions {
  config: Config;
  /** Where steps are reported; given the executor's approval store (a Slack reporter remembers new requests there). */
  reporter: (store: ApprovalStore) => MaintenanceReporter;
  /** Show every plan and change nothing. @defaultValue false */
  dryRun?: boolean;
  /** This executor's name in records and the audit trail. @defaultValue `<hostname>-<pid>` */
  name?: string;
  log?: Logger;
  /** How often a dead executor's job is looked for (ms); tests shorten it. @defaultValue 30000 */
  stalledIntervalMs?: number;
}

export interface RunningExecutor {
  readonly name: string;
  stop(graceMs?: number): Promise<void>;
}

/**
 * The maintenance executor: the one process with etcd write credentials. It consumes the maintenance queues of the
 * clusters it has credentials for (`executor.clusters`), one job at a time per cluster.
 *
 * @throws ConfigError when no cluster has executor credentials, or their TLS files cannot be read.
 */
export async function startExecutor(options: StartExecutorOptions): Promise<RunningExecutor> {
  const { config } = options;
  const clusters = Object.keys(config.executor.clusters);
  if (clusters.length === 0) {
    throw new ConfigError(
      'The executor has no clusters: add executor.clusters.<name>.etcd (its write credentials) to the config.',
    );
  }
  const name = options.name ?? `${hostname()}-${process.pid}`;
  const { executor } = config;
  const deadlines = {
    requestMs: executor.requestTimeoutSeconds * 1000,
    compactMs: executor.compactTimeoutSeconds * 1000,
    defragMs: executor.defragTimeoutSeconds * 1000,
  };
  // Built (and their TLS files read) at start: a bad path fails now, not at 3 a.m. in the middle of a maintenance.
  const clients = new Map(
    clusters.map((cluster) => [cluster, new EtcdMaintenanceClient(executorEtcdSettings(config, cluster), deadlines)]),
  );
  const connection = createRedis(config.redis, 'worker');
  const audit = new AuditLog({ connection, prefix: config.redis.prefix, ...(options.log ? { log: options.log } : {}) });
  const store = new ApprovalStore({ connection, prefix: config.redis.prefix, audit });
  const reporter = options.reporter(store);
  const lock = new ClusterLock({ connection, prefix: config.redis.prefix, ttlMs: executor.lockSeconds * 1000 });
  const workers = new MaintenanceWorkers({
    redis: config.redis,
    clusters,
    name,
    lockDurationMs: executor.lockSeconds * 1000,
    ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }),
    handler: async (job, signal) => {
      await executeApproval(
        {
          store,
          audit,
          lock,
          client: (cluster) => {
            const client = clients.get(cluster);
            if (!client) throw new ConfigError(`The executor has no etcd credentials for cluster "${cluster}".`);
            return client;
          },
          reporter,
          executor: name,
          pauseMs: executor.pauseBetweenMembersSeconds * 1000,
          requestMs: deadlines.requestMs,
          lockWaitMs: executor.lockWaitSeconds * 1000,
          dryRun: options.dryRun ?? false,
          ...(options.log ? { log: options.log } : {}),
        },
        job,
        signal,
      );
    },
  });
  await workers.start();
  return {
    name,
    async stop(graceMs = 30_000) {
      await workers.close(graceMs);
      for (const client of clients.values()) client.close();
      await closeRedis(connection);
    },
  };
}
