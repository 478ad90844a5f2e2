import { z } from 'zod';
import { describeError } from '../core/errors.js';
import type { Component } from '../findings/cause-vocabulary.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { parsePrometheusText, type ParsedMetrics } from '../metrics/index.js';
import { apiServerMetricsText } from './apiserver-metrics-text.js';
import { timedRead, type Dated } from './timed-read.js';
import { defineCheck, type CheckContext } from './check.js';
import { formatCores, formatMemory } from './usage-format.js';

const CHECK = 'control-plane.process-usage';

/** What client_golang's process and Go collectors export from every Kubernetes component and etcd. */
const RSS = 'process_resident_memory_bytes';
const HEAP = 'go_memstats_heap_inuse_bytes';
const CPU = 'process_cpu_seconds_total';
const GOROUTINES = 'go_goroutines';
const START_TIME = 'process_start_time_seconds';
const FAMILIES: ReadonlySet<string> = new Set([RSS, HEAP, CPU, GOROUTINES, START_TIME]);

export const ProcessUsageArgs = z.object({
  /** Seconds between the first and the last scrape (0: one scrape, no CPU rate and no trend). */
  windowSeconds: z.number().nonnegative().max(120).default(2),
  /** Scrapes over the window; a trend is called only when every step goes the same way. */
  samples: z.number().int().min(2).max(10).default(3),
  /** Growth per minute, as a share of the first value, under which a series counts as stable. */
  stableGrowthPerMinute: z.number().positive().default(0.02),
  /**
   * Resident memory and heap both growing at least this share per minute is pathological (a leak, or a LIST storm
   * that ends in an OOM kill): a warning. 0.2 doubles memory within five minutes.
   */
  runawayGrowthPerMinute: z.number().positive().default(0.2),
  /**
   * ...and only for a process at least this large (bytes): a process that just started, or a small etcd, grows
   * fast in relative terms while it warms its caches, and that is no emergency. 512 MiB.
   */
  runawayMinBytes: z
    .number()
    .nonnegative()
    .default(512 * 2 ** 20),
  /**
   * ...and only over at least this many seconds: a Go heap swings by more than that share between two collections,
   * so a few seconds of growth is noise, not a leak. The playbook's short default window reports the figures only.
   */
  runawayMinWindowSeconds: z.number().nonnegative().default(30),
});
export type ProcessUsageArgs = z.infer<typeof ProcessUsageArgs>;

/** One scrape's figures; absent when the process does not export that family. */
export interface ProcessSample {
  atMs: number;
  rssBytes?: number;
  heapInuseBytes?: number;
  cpuSeconds?: number;
  goroutines?: number;
  startTimeSeconds?: number;
}

export type Trend = 'growing' | 'stable' | 'shrinking' | 'unknown';

/** What a process looked like over the window. */
export interface ProcessFigures {
  rssBytes?: number;
  heapInuseBytes?: number;
  goroutines?: number;
  /** CPU in cores: the rate of `process_cpu_seconds_total` over the window. */
  cpuCores?: number;
  rss: Trend;
  heap: Trend;
  goroutinesTrend: Trend;
  /** Change per minute as a share of the first value. */
  rssGrowthPerMinute?: number;
  heapGrowthPerMinute?: number;
  seconds: number;
  /** The process restarted between scrapes (another start time): only the last scrape counts. */
  restarted: boolean;
}

function first(metrics: ParsedMetrics, name: string): number | undefined {
  // One process per scrape: an unlabelled sample.
  return metrics.get(name)?.samples[0]?.value;
}

/** The figures of one parsed scrape. */
export function sampleOf(metrics: ParsedMetrics, atMs: number): ProcessSample {
  const sample: ProcessSample = { atMs };
  const set = (key: Exclude<keyof ProcessSample, 'atMs'>, name: string) => {
    const value = first(metrics, name);
    if (value !== undefined && Number.isFinite(value)) sample[key] = value;
  };
  set('rssBytes', RSS);
  set('heapInuseBytes', HEAP);
  set('cpuSeconds', CPU);
  set('goroutines', GOROUTINES);
  set('startTimeSeconds', START_TIME);
  return sample;
}

/** Growing or shrinking only when every step goes that way and the whole moves more than `stable` per minute. */
function trendOf(
  values: readonly (number | undefined)[],
  seconds: number,
  stable: number,
): { trend: Trend; perMinute?: number } {
  const known = values.filter((value): value is number => value !== undefined);
  if (known.length < 2 || known.length !== values.length || seconds <= 0) return { trend: 'unknown' };
  const start = known[0] as number;
  const end = known[known.length - 1] as number;
  if (start <= 0) return { trend: 'unknown' };
  const perMinute = (end - start) / start / (seconds / 60);
  const steps = known.slice(1).map((value, index) => value - (known[index] as number));
  if (perMinute >= stable && steps.every((step) => step > 0)) return { trend: 'growing', perMinute };
  if (perMinute <= -stable && steps.every((step) => step < 0)) return { trend: 'shrinking', perMinute };
  return { trend: 'stable', perMinute };
}

/** Figures and trends from scrapes of one process, oldest first. */
export function processFigures(samples: readonly ProcessSample[], stableGrowthPerMinute: number): ProcessFigures {
  const last = samples[samples.length - 1];
  // A restart between scrapes resets every counter and gauge: compare only scrapes of the last process.
  const sameProcess = samples.filter((sample) => sample.startTimeSeconds === last?.startTimeSeconds);
  const restarted = sameProcess.length < samples.length;
  const firstSample = sameProcess[0];
  const seconds = firstSample && last ? (last.atMs - firstSample.atMs) / 1000 : 0;
  const rss = trendOf(
    sameProcess.map((sample) => sample.rssBytes),
    seconds,
    stableGrowthPerMinute,
  );
  const heap = trendOf(
    sameProcess.map((sample) => sample.heapInuseBytes),
    seconds,
    stableGrowthPerMinute,
  );
  const goroutines = trendOf(
    sameProcess.map((sample) => sample.goroutines),
    seconds,
    stableGrowthPerMinute,
  );
  const cpuCores =
    firstSample?.cpuSeconds !== undefined && last?.cpuSeconds !== undefined && seconds > 0
      ? Math.max(0, (last.cpuSeconds - firstSample.cpuSeconds) / seconds)
      : undefined;
  return {
    ...(last?.rssBytes === undefined ? {} : { rssBytes: last.rssBytes }),
    ...(last?.heapInuseBytes === undefined ? {} : { heapInuseBytes: last.heapInuseBytes }),
    ...(last?.goroutines === undefined ? {} : { goroutines: last.goroutines }),
    ...(cpuCores === undefined ? {} : { cpuCores }),
    rss: rss.trend,
    heap: heap.trend,
    goroutinesTrend: goroutines.trend,
    ...(rss.perMinute === undefined ? {} : { rssGrowthPerMinute: rss.perMinute }),
    ...(heap.perMinute === undefined ? {} : { heapGrowthPerMinute: heap.perMinute }),
    seconds,
    restarted,
  };
}

function trendText(trend: Trend, perMinute: number | undefined): string {
  if (trend === 'unknown') return '';
  if (trend === 'stable') return ' (stable)';
  return perMinute === undefined ? ` (${trend})` : ` (${trend} ${Math.abs(Math.round(perMinute * 100))} %/min)`;
}

/** One process's finding: information, or a warning when memory runs away. */
export function processFinding(
  who: { component: Component; instance?: string; label: string },
  figures: ProcessFigures,
  args: Pick<ProcessUsageArgs, 'runawayGrowthPerMinute' | 'runawayMinBytes' | 'runawayMinWindowSeconds'>,
  source: string,
): Finding {
  const parts = [
    ...(figures.rssBytes === undefined
      ? []
      : [`${formatMemory(figures.rssBytes)} resident${trendText(figures.rss, figures.rssGrowthPerMinute)}`]),
    ...(figures.heapInuseBytes === undefined
      ? []
      : [`heap ${formatMemory(figures.heapInuseBytes)}${trendText(figures.heap, figures.heapGrowthPerMinute)}`]),
    ...(figures.cpuCores === undefined ? [] : [`${formatCores(figures.cpuCores)} CPU`]),
    ...(figures.goroutines === undefined
      ? []
      : [
          `${figures.goroutines.toLocaleString('en-US')} goroutines${figures.goroutinesTrend === 'growing' ? ' (growing)' : ''}`,
        ]),
  ];
  const runaway =
    figures.seconds >= args.runawayMinWindowSeconds &&
    figures.rss === 'growing' &&
    figures.heap === 'growing' &&
    (figures.rssBytes ?? 0) >= args.runawayMinBytes &&
    (figures.rssGrowthPerMinute ?? 0) >= args.runawayGrowthPerMinute &&
    (figures.heapGrowthPerMinute ?? 0) >= args.runawayGrowthPerMinute;
  const evidence: Evidence[] = [
    ...(figures.rssBytes === undefined
      ? []
      : [
          {
            label: 'resident memory',
            value: `${formatMemory(figures.rssBytes)}${trendText(figures.rss, figures.rssGrowthPerMinute)}`,
          },
        ]),
    ...(figures.heapInuseBytes === undefined
      ? []
      : [
          {
            label: 'Go heap in use',
            value: `${formatMemory(figures.heapInuseBytes)}${trendText(figures.heap, figures.heapGrowthPerMinute)}`,
          },
        ]),
    {
      label: 'CPU',
      value:
        figures.cpuCores === undefined
          ? 'no rate from a single scrape'
          : `${formatCores(figures.cpuCores)} CPU (rate of ${CPU} over ${Math.round(figures.seconds)} s)`,
    },
    ...(figures.goroutines === undefined
      ? []
      : [
          {
            label: 'goroutines',
            value: `${figures.goroutines.toLocaleString('en-US')}${trendText(figures.goroutinesTrend, undefined)}`,
          },
        ]),
    ...(figures.restarted ? [{ label: 'restarted', value: 'between the scrapes: only the last process counts' }] : []),
    { label: 'measured from', value: source },
  ];
  return {
    check: CHECK,
    severity: runaway ? 'warning' : 'info',
    about: { component: who.component, ...(who.instance ? { instance: who.instance } : {}) },
    title: runaway
      ? `${who.label} memory running away: ${formatMemory(figures.rssBytes ?? 0)} resident, growing ${Math.round((figures.rssGrowthPerMinute ?? 0) * 100)} %/min`
      : `${who.label}: ${parts.join(', ') || 'no process metrics'}`,
    summary: runaway
      ? `Resident memory and the Go heap both grow every scrape: at this pace memory doubles in ${Math.max(1, Math.round(1 / (figures.rssGrowthPerMinute ?? 1)))} min, which ends in an OOM kill under a limit or starves the node without one.`
      : `The process's own figures from its /metrics (resident memory, Go heap in use, CPU as a rate, goroutines) with their trend over the window.`,
    evidence,
    ...(runaway
      ? {
          recommendation:
            who.component === 'etcd'
              ? 'Look for large range requests (etcd_request_duration_seconds{operation="list"} on the API server, clients reading many keys) and watch counts; compare with the database size. If it keeps growing, restart the member before it is killed, one member at a time.'
              : 'Look for a LIST storm (apiserver_request_total{verb="LIST"} by resource and client, audit logs) and watch counts (apiserver_registered_watchers, apiserver_longrunning_requests); unpaginated LISTs are built whole in memory. API Priority and Fairness can cap the client that does it.',
        }
      : {}),
    data: { ...figures, source },
  };
}

interface Target {
  component: Component;
  instance?: string;
  label: string;
  source: string;
  /** The metrics text and when its figures were taken; parsed after, as parsing takes time the process did not. */
  scrape: () => Promise<Dated<string>>;
}

/** Scrapes every target `samples` times over the window; a target that fails once is left out with its error. */
async function sampleAll(
  context: CheckContext,
  targets: readonly Target[],
  args: ProcessUsageArgs,
): Promise<Array<{ target: Target; samples: ProcessSample[]; error?: string }>> {
  const results = targets.map((target) => ({
    target,
    samples: [] as ProcessSample[],
    error: undefined as string | undefined,
  }));
  const rounds = args.windowSeconds > 0 ? args.samples : 1;
  const intervalMs = rounds > 1 ? (args.windowSeconds * 1000) / (rounds - 1) : 0;
  const startMs = context.now().getTime();
  for (let round = 0; round < rounds; round++) {
    // Rounds start on a fixed schedule, as Prometheus scrapes: slow scrapes must not stretch the window.
    if (round > 0) {
      await context.sleep(Math.max(0, startMs + round * intervalMs - context.now().getTime()), context.signal);
    }
    await Promise.all(
      results
        .filter((result) => result.error === undefined)
        .map(async (result) => {
          try {
            const { value: text, atMs } = await result.target.scrape();
            result.samples.push(sampleOf(parsePrometheusText(text, { families: FAMILIES }), atMs));
          } catch (error) {
            if (context.signal.aborted) throw error;
            result.error = describeError(error);
          }
        }),
    );
  }
  return results;
}

/**
 * The checklist's notes "high API server CPU usage" and "memory issues: monitor heap usage", from the processes' own
 * `/metrics`: the API server's (through the API) and every etcd member's (through the reader's client certificate).
 * Resident memory, Go heap in use, CPU as the rate of `process_cpu_seconds_total` and goroutines, scraped a few times
 * over a short window for the trend. Information, unless memory runs away.
 */
export const processUsageCheck = defineCheck({
  id: CHECK,
  description: "the API server's and etcd's process figures (memory, heap, CPU, goroutines)",
  needs: ['kube'],
  args: ProcessUsageArgs,
  async run(context, args) {
    const targets: Target[] = [
      {
        component: 'kube-apiserver',
        label: 'kube-apiserver process',
        source: "the API server's /metrics",
        scrape: () => apiServerMetricsText(context.kube, context.now),
      },
    ];
    const { etcd } = context;
    if (etcd) {
      let members: Array<{ name: string; endpoint: string }>;
      try {
        members = (await etcd.members())
          .filter((member) => member.clientURLs[0])
          .map((member) => ({ name: member.name || member.id, endpoint: member.clientURLs[0] as string }));
      } catch {
        members = etcd.endpoints.map((endpoint) => ({ name: endpoint, endpoint }));
      }
      for (const member of members.sort((a, b) => a.name.localeCompare(b.name))) {
        targets.push({
          component: 'etcd',
          instance: member.name,
          label: `etcd member ${member.name} process`,
          source: `${member.endpoint}/metrics`,
          scrape: () => timedRead(context.now, () => etcd.metricsText(member.endpoint)),
        });
      }
    }
    const results = await sampleAll(context, targets, args);
    return results.map(({ target, samples, error }): Finding => {
      if (error !== undefined || samples.length === 0) {
        return {
          check: CHECK,
          severity: 'info',
          about: { component: target.component, ...(target.instance ? { instance: target.instance } : {}) },
          title: `No process figures for ${target.label.replace(/ process$/, '')}`,
          summary: `Could not read ${target.source}: ${error ?? 'no answer'}.`,
          evidence: [],
        };
      }
      const source =
        samples.length > 1
          ? `${samples.length} scrapes of ${target.source} over ${Math.round((samples[samples.length - 1]!.atMs - samples[0]!.atMs) / 1000)} s`
          : `one scrape of ${target.source}`;
      return processFinding(target, processFigures(samples, args.stableGrowthPerMinute), args, source);
    });
  },
});
