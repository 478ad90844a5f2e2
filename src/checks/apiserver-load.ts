import { z } from 'zod';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatPercent, formatSeconds, pluralize } from '../findings/format.js';
import { defineCheck } from './check.js';
import {
  CRITICAL_PRIORITY_LEVELS,
  levelConcurrency,
  levelRejections,
  type LevelRejections,
} from './flow-control-levels.js';
import { gaugeValues, metricsWindow, windowedQuantiles } from './metrics-window.js';

const Window = { windowSeconds: z.number().positive().max(600).default(30) };

/** kube-apiserver's defaults for --max-requests-inflight and --max-mutating-requests-inflight. */
const DEFAULT_MAX_READ_ONLY = 400;
const DEFAULT_MAX_MUTATING = 200;

const LevelArgs = {
  /** Priority levels where saturation or shed load is critical at any rate. */
  criticalLevels: z.array(z.string().min(1)).default([...CRITICAL_PRIORITY_LEVELS]),
};

/** "400 (kube-apiserver's default, assumed: …)" or "800 (given)". */
function limitText(value: number, fallback: number, flag: string, param: string): string {
  return value === fallback
    ? `${value} — kube-apiserver's default for ${flag}, ASSUMED: the API server may run with another value (set the playbook parameter ${param}=N)`
    : `${value} — ${flag} as given`;
}

/**
 * In-flight requests against the server's limits. Under API Priority and Fairness (on by default since 1.20) the
 * limits are per priority level, read from the server's own metrics; --max-requests-inflight and
 * --max-mutating-requests-inflight only set their total. Without APF metrics it falls back to the
 * `apiserver_current_inflight_requests` gauges against those flags, whose values the API does not expose: the
 * playbook's parameters, or kube-apiserver's defaults, said to be assumed.
 */
export const apiserverInflightCheck = defineCheck({
  id: 'apiserver.inflight',
  description: 'in-flight requests against the configured limits',
  needs: ['kube', 'metrics'],
  about: 'kube-apiserver',
  problemSignals: ['apiserver.slow'],
  args: z.object({
    ...Window,
    ...LevelArgs,
    /** kube-apiserver --max-requests-inflight; its default 400 is reported as assumed. */
    maxReadOnly: z.number().int().positive().default(DEFAULT_MAX_READ_ONLY),
    /** kube-apiserver --max-mutating-requests-inflight; its default 200 is reported as assumed. */
    maxMutating: z.number().int().positive().default(DEFAULT_MAX_MUTATING),
    warnRatio: z.number().gt(0).lte(1).default(0.8),
    criticalRatio: z.number().gt(0).lte(1).default(0.95),
  }),
  async run(context, args) {
    const window = await metricsWindow(context, args.windowSeconds);
    const apf = levelConcurrency(window.after);
    if (apf && apf.levels.length > 0) {
      const { levels, source } = apf;
      const unit = source.unit;
      const evidence: Evidence[] = levels.slice(0, 8).map((level) => ({
        label: level.priorityLevel,
        value: `${Math.round(level.inUse)} of ${Math.round(level.limit)} ${unit} (${formatPercent(level.ratio)})`,
      }));
      const inflight = gaugeValues(window.after, 'apiserver_current_inflight_requests', [
        'request_kind',
        'requestKind',
      ]);
      if (inflight.length > 0) {
        evidence.push({
          label: 'in flight',
          value: inflight
            .map((row) => `${row.value} ${row.labels.request_kind || row.labels.requestKind || '?'}`)
            .join(', '),
        });
      }
      evidence.push({
        label: 'limits from',
        value: `${source.limitMetric} and ${source.inUseMetric}: API Priority and Fairness limits each priority level; --max-requests-inflight and --max-mutating-requests-inflight only set the total (${Math.round(levels.reduce((sum, level) => sum + level.limit, 0))} ${unit})`,
      });
      const data = {
        mode: 'priority-and-fairness',
        unit,
        limitMetric: source.limitMetric,
        inUseMetric: source.inUseMetric,
        levels,
      };
      const busy = levels.filter((level) => level.ratio >= args.warnRatio);
      const [worst] = busy;
      if (!worst) {
        return [
          {
            check: 'apiserver.inflight',
            severity: 'ok',
            title: 'Every priority level well below its concurrency limit',
            summary: `Busiest: ${levels[0]?.priorityLevel} at ${formatPercent(levels[0]?.ratio ?? 0)} of its ${unit}.`,
            evidence,
            data,
          },
        ] satisfies Finding[];
      }
      const critical = busy.some(
        (level) => level.ratio >= args.criticalRatio && args.criticalLevels.includes(level.priorityLevel),
      );
      return [
        {
          check: 'apiserver.inflight',
          severity: critical ? 'critical' : 'warning',
          title: `Priority level ${worst.priorityLevel} at ${formatPercent(worst.ratio)} of its ${unit} (${Math.round(worst.inUse)} of ${Math.round(worst.limit)})${busy.length > 1 ? `, ${busy.length - 1} more level${busy.length > 2 ? 's' : ''} above ${formatPercent(args.warnRatio)}` : ''}`,
          summary: `A full level queues its new requests (then rejects them with 429) while the other levels keep working${critical ? '; this one carries nodes, leases or controllers, which then fall behind' : ''}.`,
          evidence,
          recommendation: `Find who fills ${worst.priorityLevel} (apiserver_flowcontrol_dispatched_requests_total by flow_schema, audit logs by user); slow requests hold their seats longer, so fix latency first. If the load is legitimate, raise the level's nominalConcurrencyShares in its PriorityLevelConfiguration (or the server total, with CPU and memory to match).`,
          data,
        },
      ] satisfies Finding[];
    }

    const samples = window.after.get('apiserver_current_inflight_requests')?.samples ?? [];
    if (samples.length === 0) {
      throw new Error(
        'the API server exposes neither API Priority and Fairness concurrency metrics nor apiserver_current_inflight_requests',
      );
    }
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
    const assumed = {
      readOnly: args.maxReadOnly === DEFAULT_MAX_READ_ONLY,
      mutating: args.maxMutating === DEFAULT_MAX_MUTATING,
    };
    const worst = ratios.readOnly >= ratios.mutating ? 'readOnly' : 'mutating';
    const evidence: Evidence[] = [
      { label: 'readOnly', value: `${readOnly} of ${args.maxReadOnly} (${formatPercent(ratios.readOnly)})` },
      { label: 'mutating', value: `${mutating} of ${args.maxMutating} (${formatPercent(ratios.mutating)})` },
      {
        label: 'read-only limit',
        value: limitText(args.maxReadOnly, DEFAULT_MAX_READ_ONLY, '--max-requests-inflight', 'maxRequestsInflight'),
      },
      {
        label: 'mutating limit',
        value: limitText(
          args.maxMutating,
          DEFAULT_MAX_MUTATING,
          '--max-mutating-requests-inflight',
          'maxMutatingRequestsInflight',
        ),
      },
    ];
    const data = {
      mode: 'max-inflight',
      readOnly,
      mutating,
      maxReadOnly: args.maxReadOnly,
      maxMutating: args.maxMutating,
      limitsAssumed: assumed,
    };
    const limitName = (kind: 'readOnly' | 'mutating') => {
      const value = kind === 'readOnly' ? args.maxReadOnly : args.maxMutating;
      return assumed[kind]
        ? `the assumed default limit (${value})`
        : `${kind === 'readOnly' ? '--max-requests-inflight' : '--max-mutating-requests-inflight'} (${value})`;
    };
    if (ratios[worst] < args.warnRatio) {
      return [
        {
          check: 'apiserver.inflight',
          severity: 'ok',
          title: `In-flight requests well below the limits`,
          summary: `${readOnly} read-only, ${mutating} mutating${assumed.readOnly || assumed.mutating ? ', against limits assumed to be the defaults' : ''}.`,
          evidence,
          data,
        },
      ] satisfies Finding[];
    }
    return [
      {
        check: 'apiserver.inflight',
        severity: ratios[worst] >= args.criticalRatio ? 'critical' : 'warning',
        title: `${worst === 'readOnly' ? 'Read-only' : 'Mutating'} in-flight requests at ${formatPercent(ratios[worst])} of ${limitName(worst)}`,
        summary: `At the limit the API server answers 429 and clients retry, adding load${assumed[worst] ? "; the limit is kube-apiserver's default, assumed because none was given" : ''}.`,
        evidence,
        recommendation: `${assumed[worst] ? `Confirm the limit first (kube-apiserver's ${worst === 'readOnly' ? '--max-requests-inflight' : '--max-mutating-requests-inflight'} in its manifest) and set it as the playbook parameter ${worst === 'readOnly' ? 'maxRequestsInflight' : 'maxMutatingRequestsInflight'}=N. ` : ''}Find who sends the requests (apiserver_request_total by resource and verb, audit logs by user agent); slow requests hold their slot longer, so fix latency first. Raise the limits only with CPU and memory to match.`,
        data,
      },
    ] satisfies Finding[];
  },
});

/** "2.5/s" or "0.03/s". */
function rate(perSecond: number): string {
  return `${perSecond >= 1 ? perSecond.toFixed(1) : perSecond.toPrecision(1)}/s`;
}

function share(row: LevelRejections): string {
  return row.levelRequests ? `, ${formatPercent(row.rejected / row.levelRequests)} of its requests` : '';
}

/**
 * API Priority and Fairness over the window: rejections by reason — load shed at once (`queue-full`,
 * `concurrency-limit`), requests that waited until the queue-wait limit (`time-out`), clients that gave up while
 * queued (`cancelled`) — each with its own severity and advice; and queueing.
 */
export const apiserverFlowControlCheck = defineCheck({
  id: 'apiserver.flow-control',
  description: 'API Priority and Fairness rejections and queueing',
  needs: ['kube', 'metrics'],
  about: 'kube-apiserver',
  problemSignals: ['apiserver.slow'],
  args: z.object({
    ...Window,
    ...LevelArgs,
    waitWarnSeconds: z.number().positive().default(1),
    /** Load shed (queue-full, concurrency-limit) at this many rejections per second at one level is critical. */
    shedCriticalPerSecond: z.number().positive().default(1),
  }),
  async run(context, args) {
    const window = await metricsWindow(context, args.windowSeconds);
    const seconds = Math.round(window.seconds);
    const rejections = levelRejections(window);
    const queued = gaugeValues(window.after, 'apiserver_flowcontrol_current_inqueue_requests', ['priority_level'])
      .filter((row) => row.value > 0)
      .sort((a, b) => b.value - a.value);
    const waits = windowedQuantiles(window, 'apiserver_flowcontrol_request_wait_duration_seconds', [
      'priority_level',
    ]).filter((row) => row.p99 > args.waitWarnSeconds);
    const waitOf = (level: string) => waits.find((row) => row.labels.priority_level === level);
    const queueEvidence: Evidence[] = [
      ...queued.slice(0, 5).map((row) => ({
        label: `queued ${row.labels.priority_level}`,
        value: `${pluralize(row.value, 'request')} waiting`,
      })),
      ...waits
        .slice(0, 5)
        .map((row) => ({ label: `wait ${row.labels.priority_level}`, value: `p99 ${formatSeconds(row.p99)}` })),
    ];
    const rowEvidence = (row: LevelRejections): Evidence => ({
      label: `${row.priorityLevel} (${row.reasons.join(', ')})`,
      value: `${Math.round(row.rejected)} in ${seconds} s (${rate(row.perSecond)}${share(row)}); flow schema ${row.topFlowSchema} most`,
    });
    const data = {
      windowSeconds: window.seconds,
      rejections,
      queued,
      waits: waits.map((row) => ({ priorityLevel: row.labels.priority_level, p99Seconds: row.p99 })),
    };
    const findings: Finding[] = [];
    const isCritical = (level: string) => args.criticalLevels.includes(level);

    const shed = rejections.filter((row) => row.kind === 'shed');
    const severe = (row: LevelRejections) =>
      isCritical(row.priorityLevel) || row.perSecond >= args.shedCriticalPerSecond;
    const [topShed] = [...shed].sort((a, b) => Number(severe(b)) - Number(severe(a)) || b.perSecond - a.perSecond);
    if (topShed) {
      const critical = shed.some(severe);
      const levels = [...new Set(shed.map((row) => row.priorityLevel))];
      findings.push({
        check: 'apiserver.flow-control',
        severity: critical ? 'critical' : 'warning',
        title: `API Priority and Fairness rejecting requests at priority level ${topShed.priorityLevel} (${topShed.reasons.join(', ')}): ${rate(topShed.perSecond)}${share(topShed)}`,
        summary: `The API server shed load: ${Math.round(shed.reduce((sum, row) => sum + row.rejected, 0))} requests answered 429 at once in the last ${seconds} s across ${pluralize(levels.length, 'priority level')} (queue full, or a level that does not queue); clients retry and add load.`,
        evidence: [...shed.slice(0, 5).map(rowEvidence), ...queueEvidence],
        recommendation: `${isCritical(topShed.priorityLevel) ? `${topShed.priorityLevel} carries nodes, leases or controllers: expect NotReady nodes and lost leader leases while it sheds. ` : ''}Find the clients flow schema ${topShed.topFlowSchema} matches (audit logs by user, apiserver_request_total) and fix their request pattern (LIST without limit, tight polling, no informer); if the load is legitimate, give priority level ${topShed.priorityLevel} more nominalConcurrencyShares.`,
        data,
      });
    }

    const timedOut = rejections.filter((row) => row.kind === 'timed-out');
    const [topTimeout] = timedOut;
    if (topTimeout) {
      const wait = waitOf(topTimeout.priorityLevel);
      findings.push({
        check: 'apiserver.flow-control',
        severity: timedOut.some((row) => isCritical(row.priorityLevel)) ? 'critical' : 'warning',
        title: `Requests time out in the queue at priority level ${topTimeout.priorityLevel}: ${rate(topTimeout.perSecond)}${share(topTimeout)}${wait ? `, queue wait p99 ${formatSeconds(wait.p99)}` : ''}`,
        summary:
          'These requests were not shed at once: they waited in an API Priority and Fairness queue until the queue-wait limit and then got 429. The level is too small for its load, or one flow floods its queues.',
        evidence: [...timedOut.slice(0, 5).map(rowEvidence), ...queueEvidence],
        recommendation: `Raise priority level ${topTimeout.priorityLevel}'s nominalConcurrencyShares (its PriorityLevelConfiguration) if the load is legitimate, or find the flow that floods it: flow schema ${topTimeout.topFlowSchema} times out most (apiserver_flowcontrol_dispatched_requests_total by flow_schema, audit logs by user).`,
        data,
      });
    }

    const cancelled = rejections.filter((row) => row.kind === 'cancelled');
    const [topCancelled] = cancelled;
    if (topCancelled) {
      findings.push({
        check: 'apiserver.flow-control',
        severity: 'info',
        title: `Clients gave up on ${Math.round(cancelled.reduce((sum, row) => sum + row.rejected, 0))} queued requests at priority level ${topCancelled.priorityLevel} (cancelled)`,
        summary:
          'Their clients cancelled or disconnected while the requests waited in an API Priority and Fairness queue: usually mild (client timeouts, interrupted kubectl), a sign of queueing rather than of shed load.',
        evidence: [...cancelled.slice(0, 5).map(rowEvidence), ...queueEvidence],
        recommendation: `Only if it grows: compare priority level ${topCancelled.priorityLevel}'s queue wait with the clients' timeouts (flow schema ${topCancelled.topFlowSchema}).`,
        data,
      });
    }
    if (findings.length > 0) return findings;

    if (queued.length > 0 || waits.length > 0) {
      const level = waits[0]?.labels.priority_level ?? queued[0]?.labels.priority_level ?? '?';
      return [
        {
          check: 'apiserver.flow-control',
          severity: 'warning',
          title: `Requests queue at priority level ${level}`,
          summary: 'Nothing was rejected in the window, but requests wait for a seat: latency grows before 429s start.',
          evidence: queueEvidence,
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
        summary: `In the last ${seconds} s.`,
        evidence: queueEvidence,
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
  about: 'kube-apiserver',
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
  about: 'kube-apiserver',
  problemSignals: ['apiserver.slow'],
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
