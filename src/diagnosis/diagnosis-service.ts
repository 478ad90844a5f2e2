import { createCheckRegistry } from '../checks/all-checks.js';
import type { CheckRegistry } from '../checks/registry.js';
import type { Config } from '../config/config-schema.js';
import { resolveCluster } from '../config/resolve-cluster.js';
import { throwIfAborted } from '../core/abort.js';
import { parseLabelMatchers } from '../metrics/index.js';
import { defaultPlaybooksDir } from '../playbooks/default-dir.js';
import { findPlaybook, loadPlaybooks } from '../playbooks/load-playbooks.js';
import { coerceParams } from '../playbooks/parse-params.js';
import type { Playbook } from '../playbooks/playbook-schema.js';
import { runPlaybook, type RunClients, type RunProgress } from '../playbooks/run-playbook.js';
import { ClusterConnection } from './cluster-connection.js';
import type { DiagnosisReport } from './diagnosis-report.js';
import { prepareRun } from './prepare-run.js';
import type { RunRequest, RunRequestInput } from './run-request.js';

export interface RunOptions {
  /** Cancels the run: every request it has in flight is aborted and `run` rejects with the signal's reason. */
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
}

/**
 * The diagnostic core as a long-lived service, used by the CLI for one run and by workers for many: playbooks are
 * loaded and validated once, each cluster is connected once and shared by every run against it (so its rate
 * limit and concurrency cap hold however many runs there are), and each run carries its envelope and its signal.
 */
export class DiagnosisService {
  private readonly connections = new Map<string, ClusterConnection>();

  private constructor(
    readonly config: Config,
    readonly playbooks: ReadonlyMap<string, Playbook>,
    private readonly registry: CheckRegistry,
  ) {}

  /** Loads and validates the playbooks; connects to nothing until a run needs it. */
  static async create(config: Config): Promise<DiagnosisService> {
    const registry = createCheckRegistry();
    const playbooks = await loadPlaybooks(config.playbooksDir ?? defaultPlaybooksDir(), registry);
    return new DiagnosisService(config, playbooks, registry);
  }

  /** See {@link prepareRun}: the envelope, checked, before anything connects. */
  prepare(input: RunRequestInput): RunRequest {
    return prepareRun(this.config, this.playbooks, this.registry, input);
  }

  /**
   * One run: envelope in, report out. Connects to the cluster on first use (etcd only for playbooks that read it),
   * runs the playbook under the run's signal and reports with the run's identity.
   *
   * @throws what {@link prepare} throws; KubeconfigError, EtcdUnreachableError or a Prometheus error when the
   *   cluster cannot be reached as configured; the signal's reason when the run is cancelled.
   */
  async run(input: RunRequestInput, options: RunOptions = {}): Promise<DiagnosisReport> {
    const request = this.prepare(input);
    const { signal } = options;
    throwIfAborted(signal);
    const playbook = findPlaybook(this.playbooks, request.playbook);
    const params = coerceParams(playbook, request.params);
    const connection = this.connection(request.cluster);
    const clients = await this.clientsFor(connection, playbook, signal);
    const result = await runPlaybook(playbook, this.registry, clients, {
      run: { runId: request.runId, cluster: request.cluster },
      params,
      checkTimeoutMs: this.config.diagnose.checkTimeoutMs,
      ...(signal ? { signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return {
      runId: request.runId,
      cluster: request.cluster,
      playbook: playbook.id,
      playbookTitle: playbook.title,
      params: result.params,
      trigger: request.trigger,
      requestedAt: request.requestedAt,
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      apiServer: connection.kube.server,
      rootCause: result.rootCause,
      findings: result.findings,
    };
  }

  /** Requests in flight and waiting in a cluster's shared limiter (undefined before its first run). */
  limiterLoad(cluster: string): { active: number; waiting: number } | undefined {
    return this.connections.get(cluster)?.kube.limiterLoad();
  }

  /** Closes every cluster connection. */
  async close(): Promise<void> {
    const open = [...this.connections.values()];
    this.connections.clear();
    await Promise.allSettled(open.map((connection) => connection.close()));
  }

  private connection(name: string): ClusterConnection {
    let connection = this.connections.get(name);
    if (!connection) {
      connection = new ClusterConnection(name, resolveCluster(this.config, name).settings);
      this.connections.set(name, connection);
    }
    return connection;
  }

  private async clientsFor(
    connection: ClusterConnection,
    playbook: Playbook,
    signal: AbortSignal | undefined,
  ): Promise<RunClients> {
    const definitions = playbook.checks.flatMap((entry) => this.registry.get(entry.check) ?? []);
    const needs = new Set(definitions.flatMap((definition) => definition.needs));
    // Only a playbook whose every etcd check can do without answers (certificates) runs against an etcd that gives none.
    const reachable = definitions.some(
      (definition) => definition.needs.includes('etcd') && !definition.runsWithEtcdUnreachable,
    );
    // A Prometheus only some checks can do without is still an error; one they all can do without is skipped.
    const prometheusRequired = definitions.some(
      (definition) => definition.needs.includes('metrics') && !definition.metricsOptional,
    );
    const [etcd, prometheus] = await Promise.all([
      needs.has('etcd') && connection.hasEtcd ? connection.etcd(signal, { reachable }) : undefined,
      needs.has('metrics') && connection.hasPrometheus
        ? connection.prometheus(signal).catch((error: unknown) => {
            if (prometheusRequired || signal?.aborted) throw error;
            return undefined;
          })
        : undefined,
    ]);
    const { quotaBytes } = connection.settings.etcd;
    const { rangeSeconds, selector } = connection.settings.prometheus;
    return {
      kube: connection.kube,
      ...(etcd ? { etcd } : {}),
      ...(prometheus
        ? {
            prometheus: {
              reader: prometheus,
              rangeSeconds,
              ...(selector ? { selector: parseLabelMatchers(selector) } : {}),
            },
          }
        : {}),
      ...(quotaBytes ? { etcdQuotaBytes: quotaBytes } : {}),
    };
  }
}
