import type { z } from 'zod';
import type { EtcdReader } from '../ports/etcd-reader.js';
import type { Component, Signal } from '../findings/cause-vocabulary.js';
import type { Finding } from '../findings/finding.js';
import type { KubeReader } from '../ports/kube-reader.js';
import type { PrometheusWindowSource } from './prometheus-window.js';

/** The readers of one cluster. `etcd` is absent when no etcd endpoints are configured, `prometheus` without a URL. */
export interface CheckReaders {
  kube: KubeReader;
  etcd?: EtcdReader;
  /** The etcd quota the operator configured (`etcd.quotaBytes`), which wins over what etcd reports. */
  etcdQuotaBytes?: number;
  /**
   * When set, metric windows come from this Prometheus (increase over `rangeSeconds` of the series `selector`
   * matches) instead of two scrapes.
   */
  prometheus?: PrometheusWindowSource;
}

/** Which run a check belongs to: proposals carry it, and messages name the cluster's settings with it. */
export interface RunIdentity {
  runId: string;
  /** The cluster's configured name (`clusters.<name>` in the config). */
  cluster: string;
}

/**
 * What work shared by the checks of a run sees: the readers bound to the run's signal (not to the first caller's),
 * so a check that gives up does not cancel what the others still wait for.
 */
export interface RunScope extends CheckReaders {
  signal: AbortSignal;
  now: () => Date;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * What a check may read. Its readers are bound to its `signal`: when its deadline passes or the run is cancelled,
 * its requests are aborted even if the check itself ignores the signal.
 */
export interface CheckContext extends CheckReaders {
  run: RunIdentity;
  /** Aborted when the check's deadline passes or the run is cancelled: long waits (metric windows) must honour it. */
  signal: AbortSignal;
  now: () => Date;
  /** Waits `ms` or until the signal aborts; injectable so tests of windowed checks control time. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * Work shared by the checks of one run, done once: e.g. the two `/metrics` scrapes of a latency window that
   * several checks read. The first caller's `produce` runs under the run's scope; later callers get its promise.
   */
  once: <T>(key: string, produce: (scope: RunScope) => Promise<T>) => Promise<T>;
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
  /**
   * What it reads. A check needing etcd without endpoints reports that instead of running; `metrics` (the API
   * server's metrics window) makes a run ask the cluster's Prometheus once up front, when one is configured.
   */
  needs: ReadonlyArray<'kube' | 'etcd' | 'metrics'>;
  /**
   * A check that needs etcd but not an etcd that answers (it reads TLS handshakes, not the API): a playbook of only
   * such checks runs when no member answers a request, instead of stopping at "cannot reach etcd".
   * @defaultValue false
   */
  runsWithEtcdUnreachable?: boolean;
  /**
   * A check that reads the cluster's Prometheus (`needs: ['metrics']`) when the run has one that answers, and manages
   * without it otherwise (scraping `/metrics` itself): it alone does not make a run stop at an unusable Prometheus, so
   * the checklist playbooks that include it keep working while Prometheus is down.
   * @defaultValue false
   */
  metricsOptional?: boolean;
  /** The component its findings are about, unless a finding says otherwise (see src/findings/cause-vocabulary.ts). */
  about?: Component;
  /** Signals its warning and critical findings carry unless they name their own, for the cause rules. */
  problemSignals?: readonly Signal[];
  args: Args;
  run(context: CheckContext, args: z.infer<Args>): Promise<Finding[]>;
}

/** Keeps each check's argument type while letting the registry hold checks of different types. */
export function defineCheck<Args extends z.ZodType>(definition: CheckDefinition<Args>): CheckDefinition<Args> {
  return definition;
}
