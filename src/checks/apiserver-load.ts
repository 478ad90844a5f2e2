import { z } from 'zod';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatPercent, formatSeconds, pluralize } from '../findings/format.js';
import { defineCheck } from './check.js';
import { gaugeValues, metricsWindow, windowedIncrease, windowedQuantiles } from './metrics-window.js';

const Window = { windowSeconds: z.number().positive().max(600).default(30) };

/** In-flight requests against --max-requests-inflight / --max-mutating-requests-inflight. */
export const apiserverInflightCheck = defineCheck({
  id: 'apiserver.inflight',
  description: 'in-flight requests against the configured limits',
  needs: ['kube', 'metrics'],
  args: z.object({
    ...Window,
    /** kube-apiserver --max-requests-inflight. */
    maxReadOnly: z.number().int().positive().default(400),
    /** kube-apiserver --max-mutating-requests-inflight. */
    maxMutating: z.number().int().positive().default(200),
    warnRatio: z.number().gt(0).lte(1).default(0.8),
  }),
  async run(context, args) {
    const window = await metricsWindow(context, args.windowSeconds);
    const samples = window.after.get('apiserver_current_inflight_requests')?.samples ?? [];
    if (samples.length === 0) throw new Error('the API server exposes no apiserver_current_inflight_requests');
    // 1.x–1.19 label it requestKind, later releases request_kind.
    const kindLabel = samples.some((sample) => 'request_kind' in sample.labels) ? 'request_kind' : 'requestKind';
    const values = new Map(
      gaugeValues(window.after, 'apiserver_current_inflight_requests', [kindLabel]).map((g) => [
        g.labels[kindLabel],
        g.value,
      ]),
    );
    const readOnly = values.get('readOnly') ?? 0;
    const mutating = values.get('mutating') ?? 0;
    const ratios = { readOnly: readOnly / args.maxReadOnly, mutating: mutating / args.maxMutating };
    const worst = ratios.readOnly >= ratios.mutating ? 'readOnly' : 'mutating';
    const evidence: Evidence[] = [
      { label: 'readOnly', value: `${readOnly} of ${args.maxReadOnly} (${formatPercent(ratios.readOnly)})` },
      { label: 'mutating', value: `${mutating} of ${args.maxMutating} (${formatPercent(ratios.mutating)})` },
    ];
    const data = { readOnly, mutating, maxReadOnly: args.maxReadOnly, maxMutating: args.maxMutating };
    if (ratios[worst] < args.warnRatio) {
      return [
        {
          check: 'apiserver.inflight',
          severity: 'ok',
          title: `In-flight requests well below the limits`,
          summary: `${readOnly} read-only, ${mutating} mutating.`,
          evidence,
          data,
        },
      ] satisfies Finding[];
    }
    return [
      {
        check: 'apiserver.inflight',
        severity: ratios[worst] >= 0.95 ? 'critical' : 'warning',
        title: `${worst === 'readOnly' ? 'Read-only' : 'Mutating'} in-flight requests at ${formatPercent(ratios[worst])} of the limit`,
        summary:
          'At the limit the API server answers 429 (or queues under API Priority and Fairness) and clients retry, adding load.',
        evidence,
        recommendation:
          'Find who sends the requests (apiserver_request_total by resource and verb, audit logs by user agent); slow requests hold their slot longer, so fix latency first. Raise the limits only with CPU and memory to match.',
        data,
      },
    ] satisfies Finding[];
  },
});

/** API Priority and Fairness: rejections and queueing by flow schema and priority level over the window. */
export const apiserverFlowControlCheck = defineCheck({
  id: 'apiserver.flow-control',
  description: 'API Priority and Fairness rejections and queueing',
  needs: ['kube', 'metrics'],
  args: z.object({ ...Window, waitWarnSeconds: z.number().positive().default(1) }),
  async run(context, args) {
    const window = await metricsWindow(context, args.windowSeconds);
    const rejected = windowedIncrease(window, 'apiserver_flowcontrol_rejected_requests_total', [
      'priority_level',
      'flow_schema',
      'reason',
    ])
      .filter((row) => row.increase > 0)
      .sort((a, b) => b.increase - a.increase);
    const queued = gaugeValues(window.after, 'apiserver_flowcontrol_current_inqueue_requests', ['priority_level'])
      .filter((row) => row.value > 0)
      .sort((a, b) => b.value - a.value);
    const waits = windowedQuantiles(window, 'apiserver_flowcontrol_request_wait_duration_seconds', [
      'priority_level',
    ]).filter((row) => row.p99 > args.waitWarnSeconds);
    const evidence: Evidence[] = [
      ...rejected.slice(0, 5).map((row) => ({
        label: `rejected ${row.labels.priority_level} / ${row.labels.flow_schema}`,
        value: `${Math.round(row.increase)} in ${Math.round(window.seconds)} s (${row.labels.reason})`,
      })),
      ...queued
        .slice(0, 5)
        .map((row) => ({ label: `queued ${row.labels.priority_level}`, value: `${row.value} requests waiting` })),
      ...waits
        .slice(0, 5)
        .map((row) => ({ label: `wait ${row.labels.priority_level}`, value: `p99 ${formatSeconds(row.p99)}` })),
    ];
    const data = {
      windowSeconds: window.seconds,
      rejected,
      queued,
      waits: waits.map((row) => ({ priorityLevel: row.labels.priority_level, p99Seconds: row.p99 })),
    };
    const top = rejected[0];
    if (top) {
      const levels = [...new Set(rejected.map((row) => row.labels.priority_level))];
      return [
        {
          check: 'apiserver.flow-control',
          severity: 'critical',
          title: `API Priority and Fairness rejecting requests at priority level ${top.labels.priority_level} (${top.labels.reason})`,
          summary: `${Math.round(rejected.reduce((sum, row) => sum + row.increase, 0))} requests rejected with 429 in the last ${Math.round(window.seconds)} s across ${pluralize(levels.length, 'priority level')}; flow schema ${top.labels.flow_schema} most.`,
          evidence,
          recommendation: `Find the clients that flow schema ${top.labels.flow_schema} matches (audit logs by user, apiserver_request_total) and fix their request pattern (LIST without limit, tight polling, no informer); if the load is legitimate, give priority level ${top.labels.priority_level} more concurrency shares.`,
          data,
        },
      ] satisfies Finding[];
    }
    if (queued.length > 0 || waits.length > 0) {
      const level = waits[0]?.labels.priority_level ?? queued[0]?.labels.priority_level ?? '?';
      return [
        {
          check: 'apiserver.flow-control',
          severity: 'warning',
          title: `Requests queue at priority level ${level}`,
          summary: 'Nothing was rejected in the window, but requests wait for a seat: latency grows before 429s start.',
          evidence,
          recommendation: `Watch priority level ${level}: who fills it, and whether its concurrency shares fit the load.`,
          data,
        },
      ] satisfies Finding[];
    }
    return [
      {
        check: 'apiserver.flow-control',
        severity: 'ok',
        title: 'No API Priority and Fairness rejections or queueing',
        summary: `In the last ${Math.round(window.seconds)} s.`,
        evidence,
        data,
      },
    ] satisfies Finding[];
  },
});

/** What usually makes a resource's object count explode. */
const PILES: Record<string, string> = {
  events: 'events from a crash-looping or hot-looping source (shorten --event-ttl, fix the source)',
  secrets: 'Helm release history (--history-max) or leaked service-account tokens',
  configmaps: 'Helm v2 release history or generated names never cleaned',
  pods: 'completed Job pods (ttlSecondsAfterFinished, --terminated-pod-gc-threshold)',
  replicasets: 'old ReplicaSets (lower revisionHistoryLimit)',
  leases: 'leaked leases',
};

/** The largest object counts the API server stores (apiserver_storage_objects, or apiserver_resource_objects since 1.34). */
export const apiserverObjectCountsCheck = defineCheck({
  id: 'apiserver.object-counts',
  description: 'the largest object counts',
  needs: ['kube', 'metrics'],
  args: z.object({
    ...Window,
    warnObjects: z.number().int().positive().default(100_000),
    top: z.number().int().positive().max(20).default(8),
  }),
  async run(context, args) {
    const window = await metricsWindow(context, args.windowSeconds);
    const metric = window.after.has('apiserver_resource_objects')
      ? 'apiserver_resource_objects'
      : 'apiserver_storage_objects';
    const rows = gaugeValues(
      window.after,
      metric,
      metric === 'apiserver_resource_objects' ? ['group', 'resource'] : ['resource'],
    )
      .map((row) => ({ ...row, value: Math.round(row.value) }))
      .filter((row) => row.value >= 0)
      .sort((a, b) => b.value - a.value);
    if (rows.length === 0)
      throw new Error('the API server exposes neither apiserver_storage_objects nor apiserver_resource_objects');
    const name = (labels: Record<string, string>) =>
      labels.group ? `${labels.resource}.${labels.group}` : (labels.resource ?? '?');
    const evidence = rows
      .slice(0, args.top)
      .map((row) => ({ label: name(row.labels), value: row.value.toLocaleString('en-US') }));
    const heavy = rows.filter((row) => row.value >= args.warnObjects);
    const data = {
      metric,
      objects: rows.slice(0, 50).map((row) => ({ resource: name(row.labels), count: row.value })),
    };
    if (heavy.length === 0) {
      return [
        {
          check: 'apiserver.object-counts',
          severity: 'info',
          title: `Largest resource: ${name(rows[0]?.labels ?? {})} (${(rows[0]?.value ?? 0).toLocaleString('en-US')} objects)`,
          summary: `From ${metric}.`,
          evidence,
          data,
        },
      ] satisfies Finding[];
    }
    const causes = heavy.map((row) => PILES[row.labels.resource ?? '']).filter(Boolean);
    return [
      {
        check: 'apiserver.object-counts',
        severity: 'warning',
        title: `${heavy.map((row) => `${name(row.labels)} (${row.value.toLocaleString('en-US')})`).join(', ')} piling up`,
        summary:
          'Every LIST of these (and every informer resync) moves all of them: large counts make lists and etcd slow.',
        evidence,
        recommendation: `${causes.length > 0 ? `Usual causes: ${causes.join('; ')}. ` : ''}Delete what leaked and fix what creates them.`,
        data,
      },
    ] satisfies Finding[];
  },
});

/** Round-trip time from the worker to the API server, measured with cheap GETs one after another. */
export const apiserverRoundTripCheck = defineCheck({
  id: 'apiserver.round-trip',
  description: 'round-trip time to the API server',
  needs: ['kube'],
  args: z.object({
    samples: z.number().int().positive().max(20).default(5),
    warnSeconds: z.number().positive().default(0.5),
    /** All samples together stop after this long: a very slow server still gets a finding in time. */
    budgetSeconds: z.number().positive().max(120).default(10),
  }),
  async run({ kube, signal }, args) {
    const budget = AbortSignal.timeout(args.budgetSeconds * 1000);
    const times: number[] = [];
    let stopped: string | undefined;
    for (let index = 0; index < args.samples && !stopped; index += 1) {
      const began = performance.now();
      try {
        const response = await kube.raw('/livez', { signal: AbortSignal.any([signal, budget]) });
        // The time on the wire, not the wait in Quorum's own rate limiter behind other checks' requests.
        times.push((response.durationMs ?? performance.now() - began) / 1000);
      } catch (error) {
        if (!budget.aborted) throw error;
        stopped = `stopped after ${times.length} of ${args.samples} samples: the ${formatSeconds(args.budgetSeconds)} budget ran out`;
      }
    }
    if (times.length === 0) {
      return [
        {
          check: 'apiserver.round-trip',
          severity: 'warning',
          title: `API server did not answer GET /livez within ${formatSeconds(args.budgetSeconds)}`,
          summary:
            'Even the cheapest request got no answer in time: the API server is overloaded (CPU, memory, GC) or the network path (load balancer) is.',
          evidence: [{ label: 'budget', value: formatSeconds(args.budgetSeconds) }],
          recommendation:
            'Compare with the in-flight, flow-control and request-latency findings; check the load balancer and the kube-apiserver pods\u2019 CPU.',
          data: { samples: [], budgetSeconds: args.budgetSeconds },
        },
      ] satisfies Finding[];
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const max = sorted[sorted.length - 1] ?? 0;
    const evidence = [
      { label: 'median', value: formatSeconds(median) },
      { label: 'max', value: formatSeconds(max) },
      { label: 'samples', value: times.map(formatSeconds).join(', ') },
      ...(stopped ? [{ label: 'note', value: stopped }] : []),
    ];
    const data = { medianSeconds: median, maxSeconds: max, samples: times };
    if (median <= args.warnSeconds) {
      return [
        {
          check: 'apiserver.round-trip',
          severity: 'ok',
          title: `API server round trip ${formatSeconds(median)} (median of ${times.length})`,
          summary: 'GET /livez from this worker, time on the wire.',
          evidence,
          data,
        },
      ] satisfies Finding[];
    }
    return [
      {
        check: 'apiserver.round-trip',
        severity: 'warning',
        title: `API server round trip slow from here: ${formatSeconds(median)} median for GET /livez`,
        summary:
          'Even the cheapest request is slow: the API server is overloaded (CPU, memory, GC) or the network path (load balancer) is.',
        evidence,
        recommendation:
          'Compare with the in-flight, flow-control and request-latency findings; check the load balancer and the kube-apiserver pods\u2019 CPU.',
        data,
      },
    ] satisfies Finding[];
  },
});
