import type { MetricFamily } from '../metrics/metric-model.js';
import type { ResourceName } from '../resources/registry.js';
import type { ObjectSource } from './object-source.js';

/** One check of `/livez`, `/readyz` or `/healthz`; failing when `error` is set. */
export interface HealthCheck {
  /** `etcd`, `poststarthook/rbac/bootstrap-roles`, … */
  name: string;
  /** The check's own error, shown only on the per-check path (`/readyz/etcd`); the list says "reason withheld". */
  error?: string;
}

export type HealthEndpoint = 'livez' | 'readyz' | 'healthz';

/** A container log served by `pods/log`. */
export interface PodLog {
  namespace: string;
  pod: string;
  /** Omitted: the pod's only (or first) container. */
  container?: string;
  /** The log of the previous, terminated instance (`?previous=true`). */
  previous: boolean;
  /**
   * One or more lines. The simulator stamps each with its time (klog and JSON headers too), and replaces
   * `{{line-time}}` with it and `{{time -9m}}` with that time of the simulator clock (RFC 3339).
   */
  text: string;
  /**
   * When the last line was written (a timestamp expression). Default: the container's `lastState.terminated.finishedAt`
   * for a previous log, now for a current one.
   */
  at?: string;
  /** Between two lines of `text` (ms). */
  spacingMs: number;
  /** `text` written again every `everyMs`, the first time at `from`, the last at `at`. */
  repeat?: { everyMs: number; from: string };
}

/** CPU in cores and memory in bytes; either may be left to the simulator to derive. */
export interface UsageSpec {
  cpu?: number;
  memory?: number;
}

/** metrics-server as a scenario declares it: what `metrics.k8s.io/v1beta1` serves. */
export interface MetricsServerSpec {
  /** The `window` of every answer (ms). */
  windowMs: number;
  /** By node name. */
  nodes: Readonly<Record<string, UsageSpec>>;
  /** By `namespace/pod`, then container name. */
  pods: Readonly<Record<string, Readonly<Record<string, UsageSpec>>>>;
}

/** Who the cluster says it is. */
export interface ClusterInfo {
  name: string;
  /** `v1.32.2`. */
  version: string;
  /** The advertised API server address, `10.0.0.10:6443`, published in `/api`. */
  endpoint: string;
}

/**
 * A loaded scenario: what the simulator serves. Built from a YAML file by `loadScenario`, or by code (a generator
 * may supply its own {@link ObjectSource}s that build objects on demand).
 */
export interface Scenario {
  name: string;
  description: string;
  /** The file it came from, for messages. */
  file?: string;
  cluster: ClusterInfo;
  objects: Readonly<Record<ResourceName, ObjectSource>>;
  /** The storage revision lists report; greater than or equal to every object's resourceVersion. */
  revision: number;
  logs: readonly PodLog[];
  health: Readonly<Record<HealthEndpoint, readonly HealthCheck[]>>;
  metrics: readonly MetricFamily[];
  /** metrics-server; absent: `metrics.k8s.io` is not served (404, not in discovery). */
  metricsServer?: MetricsServerSpec;
}
