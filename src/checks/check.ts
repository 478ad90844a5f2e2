import type { z } from 'zod';
import type { KubeReader } from '../ports/kube-reader.js';
import type { EtcdReader } from '../ports/etcd-reader.js';
import type { Finding } from '../findings/finding.js';
import type { PrometheusWindowSource } from './prometheus-window.js';

/** What a check may read. `etcd` is absent when no etcd endpoints were given. */
export interface CheckContext {
  kube: KubeReader;
  etcd?: EtcdReader;
  /** The etcd quota the operator told us (`--etcd-quota-bytes`), which wins over what etcd reports. */
  etcdQuotaBytes?: number;
  /**
   * When set, metric windows come from this Prometheus (increase over `rangeSeconds` of the series `selector`
   * matches) instead of two scrapes.
   */
  prometheus?: PrometheusWindowSource;
  /** Aborted when the check's deadline passes: long waits (metric windows) must honour it. */
  signal: AbortSignal;
  now: () => Date;
  /** Waits `ms` or until the signal aborts; injectable so tests of windowed checks control time. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * Work shared by the checks of one run, done once: e.g. the two `/metrics` scrapes of a latency window that
   * several checks read. The first caller's `produce` runs; later callers with the same key get its promise.
   */
  once: <T>(key: string, produce: () => Promise<T>) => Promise<T>;
}

/**
 * A check: a function from read-only clients and validated arguments to findings. It throws only when it cannot
 * look at all; the runner turns that into a "could not check" finding.
 */
export interface CheckDefinition<Args extends z.ZodType = z.ZodType> {
  /** Stable id used in playbooks and in findings, e.g. `etcd.member-status`. */
  id: string;
  /** What the check looks at, for "could not check <description>" findings. */
  description: string;
  /** Which clients it needs: a check needing etcd without endpoints reports that instead of running. */
  needs: ReadonlyArray<'kube' | 'etcd'>;
  args: Args;
  run(context: CheckContext, args: z.infer<Args>): Promise<Finding[]>;
}

/** Keeps each check's argument type while letting the registry hold checks of different types. */
export function defineCheck<Args extends z.ZodType>(definition: CheckDefinition<Args>): CheckDefinition<Args> {
  return definition;
}
