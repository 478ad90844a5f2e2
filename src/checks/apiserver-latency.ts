import { z } from 'zod';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatSeconds } from '../findings/format.js';
import { requestLatency, type RequestLatency } from '../metrics/index.js';
import { defineCheck } from './check.js';
import { metricsWindow, windowedQuantiles, type WindowedQuantiles } from './metrics-window.js';

const Window = { windowSeconds: z.number().positive().max(600).default(30) };

function quantiles(row: { p50: number; p90: number; p99: number; count: number }): string {
  return `p50 ${formatSeconds(row.p50)}, p90 ${formatSeconds(row.p90)}, p99 ${formatSeconds(row.p99)} over ${Math.round(row.count)} in the window`;
}

/**
 * The upstream API call latency SLO (sig-scalability): p99 ≤ 1 s for single-object calls, ≤ 5 s for namespace-scoped
 * lists, ≤ 30 s for cluster-scoped lists.
 */
const SLO_SECONDS: Record<string, number> = { resource: 1, namespace: 5, cluster: 30 };

function sloFor(row: RequestLatency, args: { sloSeconds: Record<string, number> }): number {
  return args.sloSeconds[row.scope] ?? args.sloSeconds.resource ?? 1;
}

function describeRow(row: RequestLatency): string {
  const resource = `${row.resource}${row.subresource ? `/${row.subresource}` : ''}`;
  return `${row.verb} ${resource || '(non-resource)'}${row.scope ? ` (${row.scope} scope)` : ''}`;
}

/** p50/p90/p99 of API requests by verb, resource and scope over a window, against the latency SLO. */
export const apiserverRequestLatencyCheck = defineCheck({
  id: 'apiserver.request-latency',
  description: 'API request latency over a window',
  needs: ['kube', 'metrics'],
  about: 'kube-apiserver',
  problemSignals: ['apiserver.slow'],
  args: z.object({
    ...Window,
    /** Rows with fewer requests in the window are too noisy to judge. */
    minRequests: z.number().int().nonnegative().default(10),
    sloSeconds: z.record(z.string(), z.number().positive()).default(SLO_SECONDS),
    top: z.number().int().positive().max(20).default(5),
  }),
  async run(context, args) {
    const window = await metricsWindow(context, args.windowSeconds);
    if (!window.after.has('apiserver_request_duration_seconds')) {
      throw new Error(
        'the API server exposes no apiserver_request_duration_seconds (older than 1.17, or metrics filtered)',
      );
    }
    const rows = requestLatency(window.before, window.after).filter((row) => row.requests >= args.minRequests);
    const slow = rows.filter((row) => row.p99Seconds > sloFor(row, args));
    const evidence: Evidence[] = (slow.length > 0 ? slow : rows).slice(0, args.top).map((row) => ({
      label: describeRow(row),
      value: `${quantiles({ p50: row.p50Seconds, p90: row.p90Seconds, p99: row.p99Seconds, count: row.requests })}${
        row.p99Seconds > sloFor(row, args) ? ` (SLO ${sloFor(row, args)} s)` : ''
      }`,
    }));
    evidence.push({ label: 'measured from', value: window.source });
    const total = rows.reduce((sum, row) => sum + row.requests, 0);
    const data = {
      windowSeconds: window.seconds,
      rows: rows.slice(0, 50).map((row) => ({ ...row, sloSeconds: sloFor(row, args) })),
    };
    const worst = slow[0];
    if (!worst) {
      return [
        {
          check: 'apiserver.request-latency',
          severity: 'ok',
          title: `API requests within the latency SLO over the last ${Math.round(window.seconds)} s`,
          summary: `${Math.round(total)} requests in the window (WATCH, CONNECT and long-running subresources excluded).`,
          evidence,
          data,
        },
      ] satisfies Finding[];
    }
    const severity = slow.some((row) => row.p99Seconds > 2 * sloFor(row, args)) ? 'critical' : 'warning';
    return [
      {
        check: 'apiserver.request-latency',
        severity,
        title: `Slow API requests: ${describeRow(worst)} p99 ${formatSeconds(worst.p99Seconds)}`,
        summary: `${slow.length} kind(s) of request over the p99 SLO in the last ${Math.round(window.seconds)} s (bucket deltas between two scrapes; cumulative counters would average this away).`,
        evidence,
        recommendation:
          'Slow LISTs over many objects point at clients listing without a limit or a selector, and at object counts (see the largest resources); slow single-object calls point at etcd latency or an admission webhook (see those findings). Check apiserver CPU and memory too.',
        data,
      },
    ] satisfies Finding[];
  },
});

function webhookFinding(rows: WindowedQuantiles[], warnSeconds: number, seconds: number): Finding {
  const slow = rows.filter((row) => row.p99 > warnSeconds);
  const evidence = rows.slice(0, 5).map((row) => ({
    label: `${row.labels.name} (${row.labels.type}, ${row.labels.operation})`,
    value: quantiles(row),
  }));
  const worst = slow[0];
  if (!worst) {
    return {
      check: 'apiserver.admission-webhooks',
      severity: rows.length > 0 ? 'ok' : 'info',
      title:
        rows.length > 0
          ? `Admission webhooks answer within ${formatSeconds(warnSeconds)} (p99)`
          : 'No admission webhook calls in the window',
      summary: `Over the last ${Math.round(seconds)} s.`,
      evidence,
      data: { webhooks: rows },
    };
  }
  return {
    check: 'apiserver.admission-webhooks',
    severity: worst.p99 > 5 * warnSeconds ? 'critical' : 'warning',
    title: `Slow admission webhook ${worst.labels.name}: p99 ${formatSeconds(worst.p99)} on ${worst.labels.operation}`,
    summary: `Every ${worst.labels.operation} that matches its rules waits for it; ${slow.length} webhook(s) over ${formatSeconds(warnSeconds)}.`,
    evidence,
    recommendation: `Look at the ${worst.labels.name} webhook's service (its pods, their CPU and logs) and its timeoutSeconds; narrow its rules or namespaceSelector so fewer requests go through it, and consider failurePolicy: Ignore if it is not security-critical.`,
    data: { webhooks: rows },
  };
}

/** Admission webhook latency by webhook over the window. */
export const admissionWebhooksCheck = defineCheck({
  id: 'apiserver.admission-webhooks',
  description: 'admission webhook latency',
  needs: ['kube', 'metrics'],
  about: 'kube-apiserver',
  args: z.object({ ...Window, warnSeconds: z.number().positive().default(1) }),
  async run(context, args) {
    const window = await metricsWindow(context, args.windowSeconds);
    const rows = windowedQuantiles(window, 'apiserver_admission_webhook_admission_duration_seconds', [
      'name',
      'type',
      'operation',
    ]);
    return [webhookFinding(rows, args.warnSeconds, window.seconds)];
  },
});

/** The API server's own view of etcd: request latency by operation and resource (older servers: by type). */
export const apiserverEtcdLatencyCheck = defineCheck({
  id: 'apiserver.etcd-latency',
  description: 'etcd request latency seen by the API server',
  needs: ['kube', 'metrics'],
  about: 'kube-apiserver',
  problemSignals: ['apiserver.etcd-slow'],
  args: z.object({
    ...Window,
    warnSeconds: z.number().positive().default(0.5),
    criticalSeconds: z.number().positive().default(1),
  }),
  async run(context, args) {
    const window = await metricsWindow(context, args.windowSeconds);
    const metric = 'etcd_request_duration_seconds';
    const samples = window.after.get(metric)?.samples ?? [];
    const byResource = samples.some((sample) => 'resource' in sample.labels);
    const rows = windowedQuantiles(
      window,
      metric,
      byResource ? ['operation', 'group', 'resource'] : ['operation', 'type'],
    );
    const name = (row: WindowedQuantiles) =>
      `${row.labels.operation} ${byResource ? `${row.labels.group ? `${row.labels.group}/` : ''}${row.labels.resource}` : row.labels.type}`;
    const evidence = rows.slice(0, 5).map((row) => ({ label: name(row), value: quantiles(row) }));
    const worst = rows[0];
    if (!worst || worst.p99 <= args.warnSeconds) {
      return [
        {
          check: 'apiserver.etcd-latency',
          severity: rows.length > 0 ? 'ok' : 'info',
          title:
            rows.length > 0
              ? `etcd answers the API server within ${formatSeconds(args.warnSeconds)} (p99)`
              : 'No etcd requests in the window',
          summary: `Over the last ${Math.round(window.seconds)} s.`,
          evidence,
          data: { rows },
        },
      ] satisfies Finding[];
    }
    return [
      {
        check: 'apiserver.etcd-latency',
        severity: worst.p99 > args.criticalSeconds ? 'critical' : 'warning',
        title: `Slow etcd ${name(worst)}: p99 ${formatSeconds(worst.p99)}`,
        summary: `The API server waits on etcd; ${rows.filter((row) => row.p99 > args.warnSeconds).length} operation(s) over ${formatSeconds(args.warnSeconds)}.`,
        evidence,
        recommendation:
          worst.labels.operation === 'list'
            ? `A slow list of ${byResource ? worst.labels.resource : worst.labels.type} is usually its size: too many objects (see the largest resources) or big ones; otherwise etcd's disk (fsync latency, etcd_disk_wal_fsync_duration_seconds) — etcd wants SSDs and its own disk.`
            : 'Check etcd disk latency (etcd_disk_wal_fsync_duration_seconds, etcd_disk_backend_commit_duration_seconds; etcd needs SSDs and its own disk), network latency between members, and the database size (etcd-db-growth playbook).',
        data: { rows },
      },
    ] satisfies Finding[];
  },
});
