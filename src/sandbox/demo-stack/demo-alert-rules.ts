import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { z } from 'zod';

const RULES_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'deploy',
  'prometheus',
  'quorum-alert-rules.yaml',
);

/**
 * Rules of the shipped file the demo leaves out, and why: nothing in the sandbox scrapes a scheduler or a controller
 * manager (the "Down" rules would fire from the first second, as on a managed cluster), the stand-in for
 * kube-state-metrics has pod phases only (no container waiting reasons), a four-hour growth prediction means nothing
 * in a two-minute demo, and disk-latency rules would fire on a busy laptop rather than on a scenario.
 */
const LEFT_OUT = new Set([
  'etcdExcessiveDatabaseGrowth',
  'etcdGRPCRequestsSlow',
  'etcdHighFsyncDurations',
  'etcdHighCommitDurations',
  'etcdHighNumberOfLeaderChanges',
  'KubeSchedulerDown',
  'KubeSchedulerInstanceUnreachable',
  'KubeControllerManagerDown',
  'KubeControllerManagerInstanceUnreachable',
  'KubeContainerWaiting',
  'KubeClientCertificateExpiration',
]);

/**
 * kubernetes-mixin's KubeAPIErrorBudgetBurn needs its SLO recording rules; the demo stands in a latency-only version
 * (slow requests burn the budget) with the mixin's name and labels, so that the slow-API-server scenario pages as
 * it would.
 */
const LATENCY_RULE = {
  alert: 'KubeAPIErrorBudgetBurn',
  // The slowest verb and resource, not the whole server's p99: measured here, the simulator's slow scenario gives
  // 5.8-9 s by verb and resource against 0.2 s when healthy, while the whole-server p99 stays near 0.37 s because
  // fast, frequent requests dominate (and it stays there for a window after a switch, with the old series).
  expr:
    'max(histogram_quantile(0.99, sum by (verb, resource, le) (rate(apiserver_request_duration_seconds_bucket' +
    '{job="apiserver", verb!~"WATCH|CONNECT", subresource!~"log|exec|portforward|attach|proxy"}[30s])))) > 1',
  for: '0s',
  labels: { severity: 'critical', long: '1h', short: '5m' },
  annotations: {
    summary: 'The API server is burning too much error budget.',
    description:
      'The slowest verb and resource have a 99th percentile latency of {{ $value | printf "%.1f" }} s over the last 30 s.',
  },
};

/**
 * Rules that read `up` wait a few scrapes: on a loaded host one scrape of 1 s can time out, and with no wait that
 * alone would page "etcd members down" or "API server down" for a target that answered the next second.
 */
const READS_UP = /\bup\{/;
const DOWN_FOR = '3s';

const RuleFileSchema = z.object({
  spec: z.object({
    groups: z.array(
      z.object({
        name: z.string(),
        rules: z.array(z.object({ alert: z.string(), expr: z.string(), for: z.string().optional() }).loose()),
      }),
    ),
  }),
});

/**
 * The alert rules Quorum ships (deploy/prometheus/quorum-alert-rules.yaml), made demo-fast: `for: 0s` (3 s for the
 * down detectors) and 30-second windows instead of ten or fifteen minutes, so that an incident switched on in the
 * console pages within seconds. Same alert names, labels and annotations: the bot maps them exactly as in production.
 */
export async function demoAlertRules(): Promise<string> {
  const file = RuleFileSchema.parse(parse(await readFile(RULES_FILE, 'utf8')));
  const groups = file.spec.groups.map((group) => ({
    name: group.name,
    rules: group.rules
      .filter((rule) => !LEFT_OUT.has(rule.alert))
      .map((rule) => ({
        ...rule,
        for: READS_UP.test(rule.expr) ? DOWN_FOR : '0s',
        expr: rule.expr.replace(/\[(\d+)[mh]\]/g, '[30s]'),
      })),
  }));
  groups.push({ name: 'quorum-demo-apiserver-slo', rules: [LATENCY_RULE] });
  return stringify({ groups });
}
