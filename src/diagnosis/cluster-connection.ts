import type { ClusterConfig } from '../config/config-schema.js';
import { createKubeReader, type LimitedKubeReader } from '../cluster/create-kube-reader.js';
import { raceAbort } from '../core/abort.js';
import { ConfigError, EtcdUnreachableError, describeError } from '../core/errors.js';
import { clusterSettingName, type SettingName } from '../core/setting-name.js';
import type { EtcdReader } from '../ports/etcd-reader.js';
import type { PrometheusReader } from '../ports/prometheus-reader.js';
import { shareEtcdReads } from './share-in-flight.js';

/**
 * One configured cluster's readers, opened once per process and shared by every run against it: one rate limiter
 * and one concurrency cap per API server however many runs there are, kept-alive sockets, one gRPC channel per etcd
 * member. etcd (and with it gRPC, half a second to load) and Prometheus open on first use.
 */
export class ClusterConnection {
  readonly kube: LimitedKubeReader;
  private etcdReader: Promise<EtcdReader> | undefined;
  private prometheusReader: PrometheusReader | undefined;
  private closed = false;
  private readonly settingName: SettingName;

  /** @throws KubeconfigError when the cluster's kubeconfig cannot be used. */
  constructor(
    readonly name: string,
    readonly settings: ClusterConfig,
  ) {
    this.settingName = clusterSettingName(name);
    const { kube } = settings;
    this.kube = createKubeReader({
      ...(kube.kubeconfig ? { kubeconfigPath: kube.kubeconfig } : {}),
      ...(kube.context ? { context: kube.context } : {}),
      inCluster: kube.inCluster,
      requestTimeoutMs: kube.requestTimeoutMs,
      pageSize: kube.pageSize,
      rateLimit: kube.rateLimit,
      clusterName: name,
      settingName: this.settingName,
    });
  }

  get hasEtcd(): boolean {
    return this.settings.etcd.endpoints.length > 0;
  }

  get hasPrometheus(): boolean {
    return this.settings.prometheus.url !== undefined;
  }

  /**
   * The cluster's etcd, checked reachable for this run: when none of the configured endpoints answers, the run stops
   * with an error naming them instead of a report of "could not check" findings. `reachable: false` skips that
   * check, for playbooks whose etcd checks only read TLS handshakes (an etcd whose certificates expired answers no
   * request, and that is what they must report).
   */
  async etcd(signal?: AbortSignal, { reachable = true }: { reachable?: boolean } = {}): Promise<EtcdReader> {
    if (this.closed) throw new ConfigError(`The connection to cluster ${this.name} is closed.`);
    this.etcdReader ??= this.openEtcd();
    const reader = await this.etcdReader.catch((error: unknown) => {
      this.etcdReader = undefined;
      throw error;
    });
    if (reachable) await this.ensureReachable(reader, signal);
    return reader;
  }

  /** The cluster's Prometheus, asked once for this run so that an unusable one is one clear error, not N findings. */
  async prometheus(signal?: AbortSignal): Promise<PrometheusReader> {
    const { url, bearerTokenFile, caFile, requestTimeoutMs } = this.settings.prometheus;
    if (!url) throw new ConfigError(`Cluster ${this.name} has no ${this.settingName('prometheus.url')}.`);
    if (!this.prometheusReader) {
      const { createPrometheusReader } = await import('../prometheus/http-prometheus-reader.js');
      try {
        this.prometheusReader = createPrometheusReader({
          url,
          timeoutMs: requestTimeoutMs,
          ...(bearerTokenFile ? { bearerTokenFile } : {}),
          ...(caFile ? { caFile } : {}),
        });
      } catch (error) {
        throw new ConfigError(
          `Cannot read ${this.settingName('prometheus.bearerTokenFile')} or ${this.settingName('prometheus.caFile')}: ${describeError(error)}`,
          error,
        );
      }
    }
    // A real Prometheus answers `1` with a scalar; any well-formed answer proves the URL is its query API.
    await this.prometheusReader.query('1', signal ? { signal } : {});
    return this.prometheusReader;
  }

  /** Closes every reader; runs still using them fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.kube.close();
    const etcd = await this.etcdReader?.catch(() => undefined);
    await etcd?.close();
  }

  private async openEtcd(): Promise<EtcdReader> {
    // Loaded on first use: etcd3 and gRPC take half a second to import, for playbooks that never touch etcd.
    const { createEtcdReader } = await import('../etcd/etcd3-reader.js');
    const { endpoints, caFile, certFile, keyFile, requestTimeoutMs } = this.settings.etcd;
    return shareEtcdReads(
      createEtcdReader({
        endpoints,
        ...(caFile ? { caFile } : {}),
        ...(certFile ? { certFile } : {}),
        ...(keyFile ? { keyFile } : {}),
        requestTimeoutMs,
        settingName: this.settingName,
      }),
    );
  }

  private async ensureReachable(etcd: EtcdReader, signal: AbortSignal | undefined): Promise<void> {
    const reasons: string[] = [];
    for (const endpoint of etcd.endpoints) {
      try {
        await raceAbort(etcd.status(endpoint, signal ? { signal } : {}), signal);
        return;
      } catch (error) {
        if (signal?.aborted) throw error;
        reasons.push(`${endpoint}: ${describeError(error)}`);
      }
    }
    throw new EtcdUnreachableError(etcd.endpoints, reasons.join('; '), undefined, this.settingName);
  }
}
