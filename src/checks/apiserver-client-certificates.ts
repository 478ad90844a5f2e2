import { z } from 'zod';
import { clusterSetting } from '../core/setting-name.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatDuration } from '../findings/format.js';
import {
  aggregate,
  collectHistograms,
  histogramDelta,
  selectSeries,
  formatLabelMatchers,
  type Bucket,
  type ParsedMetrics,
} from '../metrics/index.js';
import { scrapeApiServer } from './apiserver-metrics-text.js';
import { CLIENT_HISTOGRAM_ADVICE } from './certificate-advice.js';
import { thresholdsText, withExpiryArgs, type ExpiryThresholds } from './certificate-expiry.js';
import { defineCheck, type CheckContext } from './check.js';
import type { PrometheusWindowSource } from './prometheus-window.js';

const CHECK = 'apiserver.client-certificates';

/**
 * kube-apiserver's x509 authenticator observes, for every request that presents a client certificate, the seconds
 * its certificate has left (negative once expired: those requests are refused with 401). Buckets since 1.8, in
 * k8s.io/apiserver/pkg/authentication/request/x509: 0, 30 min, 1 h, 2 h, 6 h, 12 h, 1 d, 2 d, 4 d, 7 d, 30 d, 90 d,
 * 180 d, 360 d.
 */
export const CLIENT_CERTIFICATE_METRIC = 'apiserver_client_certificate_expiration_seconds';
const START_TIME = 'process_start_time_seconds';
const FAMILIES: ReadonlySet<string> = new Set([CLIENT_CERTIFICATE_METRIC, START_TIME]);

/** Cumulative bucket counts over some span, and that span in words. */
interface Observations {
  buckets: readonly Bucket[];
  /** "in the last 300 s", "since the API server started 3d 2h ago". */
  span: string;
  source: string;
}

function bucketsOf(metrics: ParsedMetrics): Bucket[] | undefined {
  const family = metrics.get(CLIENT_CERTIFICATE_METRIC);
  if (!family) return undefined;
  const [summed] = aggregate(collectHistograms(family.samples, CLIENT_CERTIFICATE_METRIC), []);
  return [...(summed?.buckets ?? [])];
}

/** With Prometheus: the increase over its range of the series the cluster's selector matches. */
async function fromPrometheus(source: PrometheusWindowSource, signal: AbortSignal): Promise<Observations | undefined> {
  const range = `${Math.round(source.rangeSeconds)}s`;
  const selector = source.selector ?? [];
  const expression = `sum by (le) (increase(${selectSeries(`${CLIENT_CERTIFICATE_METRIC}_bucket`, selector)}[${range}]))`;
  const result = await source.reader.query(expression, { signal });
  if (result.resultType !== 'vector') {
    throw new Error(`Prometheus answered ${expression} with a ${result.resultType} instead of an instant vector`);
  }
  if (result.samples.length === 0) return undefined;
  const buckets = result.samples
    .map((sample) => ({
      upperBound: sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le),
      count: sample.value,
    }))
    .filter((bucket) => !Number.isNaN(bucket.upperBound))
    .sort((a, b) => a.upperBound - b.upperBound);
  const matchers =
    selector.length > 0 ? `selector {${formatLabelMatchers(selector)}}` : 'no selector: every series it holds';
  return {
    buckets,
    span: `in the last ${range}`,
    source: `Prometheus ${source.reader.url} (increase over ${range}, ${matchers})`,
  };
}

/** Without Prometheus: one scrape (counts since the API server started) or two, `windowSeconds` apart. */
async function fromScrapes(context: CheckContext, windowSeconds: number): Promise<Observations | undefined> {
  const { value: first, atMs: firstAtMs } = await scrapeApiServer(context.kube, context.now, FAMILIES);
  if (windowSeconds <= 0) {
    const buckets = bucketsOf(first);
    if (!buckets) return undefined;
    const started = first.get(START_TIME)?.samples[0]?.value;
    const uptime = started === undefined ? undefined : firstAtMs - started * 1000;
    const span =
      uptime === undefined || uptime < 0
        ? 'since the API server started'
        : `since the API server started ${formatDuration(uptime)} ago`;
    return { buckets, span, source: "one scrape of the API server's /metrics (counts since it started)" };
  }
  await context.sleep(windowSeconds * 1000, context.signal);
  const { value: second, atMs: secondAtMs } = await scrapeApiServer(context.kube, context.now, FAMILIES);
  const series = (metrics: ParsedMetrics) =>
    collectHistograms(metrics.get(CLIENT_CERTIFICATE_METRIC)?.samples ?? [], CLIENT_CERTIFICATE_METRIC);
  if (!second.has(CLIENT_CERTIFICATE_METRIC)) return undefined;
  const [summed] = aggregate(histogramDelta(series(first), series(second)).deltas, []);
  const seconds = Math.round((secondAtMs - firstAtMs) / 1000);
  return {
    buckets: [...(summed?.buckets ?? [])],
    span: `in the last ${seconds} s`,
    source: `two scrapes of the API server's /metrics ${seconds} s apart`,
  };
}

/** "7 days", "1 day", "12 hours", "30 minutes": a bucket bound in words. */
function boundText(seconds: number): string {
  if (seconds <= 0) return 'expired';
  const units: Array<[number, string]> = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    if (seconds % size === 0) return `${seconds / size} ${unit}${seconds / size === 1 ? '' : 's'}`;
  }
  return `${seconds} s`;
}

/** The largest finite bucket bound at or under `days`: counts at it are certainly within the threshold. */
function boundFor(buckets: readonly Bucket[], days: number): number | undefined {
  const limit = days * 86_400;
  return buckets.filter((bucket) => Number.isFinite(bucket.upperBound) && bucket.upperBound <= limit).at(-1)
    ?.upperBound;
}

function countAt(buckets: readonly Bucket[], bound: number | undefined): number {
  if (bound === undefined) return 0;
  return Math.round(buckets.find((bucket) => bucket.upperBound === bound)?.count ?? 0);
}

interface Judged {
  severity: 'critical' | 'warning' | 'ok';
  expired: number;
  critical: { bound?: number; count: number };
  warning: { bound?: number; count: number };
  total: number;
}

export function judgeObservations(buckets: readonly Bucket[], args: ExpiryThresholds): Judged {
  const expired = countAt(buckets, buckets.some((bucket) => bucket.upperBound === 0) ? 0 : undefined);
  const criticalBound = boundFor(buckets, args.criticalDays);
  const warningBound = boundFor(buckets, args.warningDays);
  const critical = {
    ...(criticalBound === undefined ? {} : { bound: criticalBound }),
    count: countAt(buckets, criticalBound),
  };
  const warning = {
    ...(warningBound === undefined ? {} : { bound: warningBound }),
    count: countAt(buckets, warningBound),
  };
  const total = Math.round(buckets.at(-1)?.count ?? 0);
  const severity = expired > 0 || critical.count > 0 ? 'critical' : warning.count > 0 ? 'warning' : 'ok';
  return { severity, expired, critical, warning, total };
}

function requests(count: number): string {
  return `${count.toLocaleString('en-US')} request${count === 1 ? '' : 's'}`;
}

/**
 * The clients that authenticate to the API server with certificates that expire soon, from its
 * `apiserver_client_certificate_expiration_seconds` histogram (what the KubeClientCertificateExpiration alert reads):
 * from Prometheus when configured (increase over its range, with the cluster's selector), else from `/metrics` — one
 * scrape (counts since the API server started) or, with `windowSeconds`, two.
 */
export const apiserverClientCertificatesCheck = defineCheck({
  id: CHECK,
  description: 'client certificates presented to the API server',
  needs: ['kube', 'metrics'],
  // The checklist includes it: a Prometheus that is down must not stop control-plane-health, one scrape will do.
  metricsOptional: true,
  about: 'client',
  args: withExpiryArgs({
    /** Seconds between two scrapes of /metrics (0: one scrape, counts since the API server started). */
    windowSeconds: z.number().nonnegative().max(600).default(0),
  }),
  async run(context, args) {
    const observations = context.prometheus
      ? await fromPrometheus(context.prometheus, context.signal)
      : await fromScrapes(context, args.windowSeconds);
    if (!observations) {
      return [
        {
          check: CHECK,
          severity: 'info',
          title: `No ${CLIENT_CERTIFICATE_METRIC} to read`,
          summary: context.prometheus
            ? `Prometheus ${context.prometheus.reader.url} holds no ${CLIENT_CERTIFICATE_METRIC}_bucket series${context.prometheus.selector?.length ? ` matching {${formatLabelMatchers(context.prometheus.selector)}}` : ''}: check that it scrapes the API servers and that ${clusterSetting(context.run.cluster, 'prometheus.selector')} matches their labels.`
            : "The API server's /metrics has no such histogram (metrics filtered, or not a kube-apiserver): the certificates clients present cannot be judged from here.",
          evidence: [],
        },
      ] satisfies Finding[];
    }
    const { buckets, span, source } = observations;
    const judged = judgeObservations(buckets, args);
    const criticalWithin = judged.critical.bound === undefined ? '' : boundText(judged.critical.bound);
    const warningWithin = judged.warning.bound === undefined ? '' : boundText(judged.warning.bound);
    const evidence: Evidence[] = [
      { label: 'expired (refused, 401)', value: requests(judged.expired) },
      ...(criticalWithin
        ? [{ label: `expiring within ${criticalWithin}`, value: requests(judged.critical.count) }]
        : []),
      ...(warningWithin ? [{ label: `expiring within ${warningWithin}`, value: requests(judged.warning.count) }] : []),
      { label: 'all requests with a client certificate', value: requests(judged.total) },
      { label: 'measured from', value: source },
    ];
    const nearest = (bound: number | undefined, days: number): string =>
      bound !== undefined && bound !== days * 86_400 ? ` (the histogram's nearest bucket under ${days} days)` : '';
    const data = {
      span,
      expired: judged.expired,
      within: [
        { seconds: judged.critical.bound ?? null, requests: judged.critical.count },
        { seconds: judged.warning.bound ?? null, requests: judged.warning.count },
      ],
      total: judged.total,
      buckets: buckets.map((bucket) => ({ le: bucket.upperBound, count: Math.round(bucket.count) })),
    };
    if (judged.severity === 'ok') {
      return [
        {
          check: CHECK,
          severity: 'ok',
          title:
            judged.total === 0
              ? `No request authenticated by client certificate ${span}`
              : `No client certificate expiring within ${warningWithin || `${args.warningDays} days`} (${requests(judged.total)} ${span})`,
          summary: `Requests that present a client certificate, by the time their certificate had left (${thresholdsText(args)}).`,
          evidence,
          data,
        },
      ] satisfies Finding[];
    }
    const [what, count] =
      judged.expired > 0
        ? ['expired certificates', judged.expired]
        : judged.critical.count > 0
          ? [
              `certificates that expire within ${criticalWithin}${nearest(judged.critical.bound, args.criticalDays)}`,
              judged.critical.count,
            ]
          : [
              `certificates that expire within ${warningWithin}${nearest(judged.warning.bound, args.warningDays)}`,
              judged.warning.count,
            ];
    return [
      {
        check: CHECK,
        severity: judged.severity,
        signals: [judged.expired > 0 ? 'certificate.expired' : 'certificate.expiring'],
        title: `API clients present ${what}: ${requests(count)} ${span}`,
        summary: `${count.toLocaleString('en-US')} of ${requests(judged.total)} authenticated by client certificate ${span} presented ${what}${judged.expired > 0 ? ', and were refused' : ''}. The KubeClientCertificateExpiration alert reads the same histogram.`,
        evidence,
        recommendation: CLIENT_HISTOGRAM_ADVICE,
        data,
      },
    ] satisfies Finding[];
  },
});
