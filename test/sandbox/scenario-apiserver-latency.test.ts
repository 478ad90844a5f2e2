import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  aggregate,
  collectHistograms,
  histogramDelta,
  histogramQuantile,
  parsePrometheusText,
  requestLatency,
  type ParsedMetrics,
} from '../../src/metrics/index.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { get } from './simulator-client.js';

const T0 = Date.parse('2025-03-01T12:00:00Z');
const WINDOW_S = 60;

/** A histogram summed by `by`, over the window (`before` given) or cumulative since start. */
function histogram(
  after: ParsedMetrics,
  name: string,
  by: string[],
  before?: ParsedMetrics,
): Map<string, ReturnType<typeof aggregate>[number]> {
  const later = collectHistograms(after.get(name)?.samples ?? [], name);
  const series = before
    ? histogramDelta(collectHistograms(before.get(name)?.samples ?? [], name), later).deltas
    : later;
  return new Map(aggregate(series, by).map((group) => [by.map((label) => group.labels[label]).join('/'), group]));
}

function p99(group: { buckets: readonly { upperBound: number; count: number }[] } | undefined): number {
  if (!group) throw new Error('no such series');
  return histogramQuantile(0.99, group.buckets);
}

/** The value of the one sample of `name` whose labels include `labels`. */
function sample(metrics: ParsedMetrics, name: string, labels: Record<string, string>): number {
  const found = (metrics.get(name)?.samples ?? []).filter((one) =>
    Object.entries(labels).every(([label, value]) => one.labels[label] === value),
  );
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? NaN;
}

describe('scenario apiserver-latency: an incident only a window shows', () => {
  let sim: RunningSimulator;
  let clock = T0;
  let before: ParsedMetrics;
  let after: ParsedMetrics;

  beforeAll(async () => {
    sim = await startSimulator({ scenario: 'apiserver-latency', now: () => clock });
    const first = await get(sim, '/metrics');
    clock += WINDOW_S * 1000;
    const second = await get(sim, '/metrics');
    expect([first.status, second.status]).toEqual([200, 200]);
    // The strict parser accepts both scrapes: valid text format, histograms monotonic in `le`.
    before = parsePrometheusText(first.body);
    after = parsePrometheusText(second.body);
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('serves a healthy-looking control plane on 1.34: health passes, pods run', async () => {
    expect((await get(sim, '/version')).json.gitVersion).toBe('v1.34.1');
    expect((await get(sim, '/readyz')).status).toBe(200);
    const pods = (await get(sim, '/api/v1/pods')).json.items as Array<{ status: { phase: string } }>;
    expect(pods.every((pod) => pod.status.phase === 'Running')).toBe(true);
  });

  it('request latency: the window shows slow cluster-wide LISTs that the cumulative histogram hides', () => {
    const window = requestLatency(before, after);
    // WATCH, CONNECT and GET pods/log last minutes but are left out as long-running.
    expect(window.some((row) => ['WATCH', 'CONNECT'].includes(row.verb) || row.subresource === 'log')).toBe(false);
    expect(window.slice(0, 3).map((row) => `${row.verb} ${row.resource} ${row.scope}`)).toEqual(
      expect.arrayContaining(['LIST events cluster', 'LIST pods cluster', 'POST pods resource']),
    );
    expect(window[0]).toMatchObject({ verb: 'LIST', resource: 'events', scope: 'cluster', requests: 30 });
    expect(window[0]?.p99Seconds).toBeGreaterThan(5);
    const pods = window.find((row) => row.verb === 'LIST' && row.resource === 'pods' && row.scope === 'cluster');
    expect(pods?.p99Seconds).toBeGreaterThan(2);
    expect(pods?.p99Seconds).toBeLessThan(5);
    const leases = window.find((row) => row.resource === 'leases' && row.verb === 'PUT');
    expect(leases?.p99Seconds).toBeLessThan(0.1);

    // Since start, the same series look fine: weeks of fast history drown forty slow minutes.
    const cumulative = histogram(after, 'apiserver_request_duration_seconds', ['verb', 'resource', 'scope']);
    expect(p99(cumulative.get('LIST/events/cluster'))).toBeLessThan(1);
    expect(p99(cumulative.get('LIST/pods/cluster'))).toBeLessThan(0.5);
    // The long-running series are there, with durations of minutes, for a reader that forgets to drop them.
    expect(p99(cumulative.get('WATCH/pods/cluster'))).toBeGreaterThanOrEqual(60);
    expect(p99(cumulative.get('CONNECT/pods/resource'))).toBeGreaterThanOrEqual(60);
  });

  it('bucket deltas hold the slow tail: most new LIST events observations are over 1 s, under 1 % since start', () => {
    const window = histogram(after, 'apiserver_request_duration_seconds', ['verb', 'resource', 'scope'], before);
    const cumulative = histogram(after, 'apiserver_request_duration_seconds', ['verb', 'resource', 'scope']);
    const overOneSecond = (group: ReturnType<typeof aggregate>[number] | undefined): number => {
      const atOne = group?.buckets.find((bucket) => bucket.upperBound === 1)?.count ?? 0;
      return ((group?.count ?? 0) - atOne) / (group?.count ?? 1);
    };
    expect(overOneSecond(window.get('LIST/events/cluster'))).toBeGreaterThan(0.8);
    expect(overOneSecond(cumulative.get('LIST/events/cluster'))).toBeLessThan(0.005);
  });

  it('requests: 429s from API Priority and Fairness, and 504s, are increasing', () => {
    const increase = (labels: Record<string, string>): number =>
      sample(after, 'apiserver_request_total', labels) - sample(before, 'apiserver_request_total', labels);
    expect(increase({ code: '429', verb: 'LIST', resource: 'events', scope: 'cluster' })).toBe(126);
    expect(increase({ code: '429', verb: 'LIST', resource: 'pods', scope: 'cluster' })).toBe(48);
    expect(increase({ code: '504', verb: 'LIST', resource: 'events', scope: 'cluster' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'apiserver_current_inflight_requests', { request_kind: 'readOnly' })).toBe(380);
    expect(sample(after, 'apiserver_current_inflight_requests', { request_kind: 'mutating' })).toBe(96);
  });

  it('API Priority and Fairness: workload-low rejects and queues now; old rejections elsewhere do not move', () => {
    const rejected = (labels: Record<string, string>): number =>
      sample(after, 'apiserver_flowcontrol_rejected_requests_total', labels) -
      sample(before, 'apiserver_flowcontrol_rejected_requests_total', labels);
    expect(rejected({ priority_level: 'workload-low', flow_schema: 'service-accounts', reason: 'queue-full' })).toBe(
      150,
    );
    expect(rejected({ priority_level: 'workload-low', reason: 'time-out' })).toBe(24);
    expect(rejected({ priority_level: 'catch-all', reason: 'concurrency-limit' })).toBe(0);
    expect(sample(after, 'apiserver_flowcontrol_rejected_requests_total', { reason: 'concurrency-limit' })).toBe(17);
    expect(sample(after, 'apiserver_flowcontrol_current_inqueue_requests', { priority_level: 'workload-low' })).toBe(
      160,
    );
    expect(sample(after, 'apiserver_flowcontrol_nominal_limit_seats', { priority_level: 'workload-low' })).toBe(245);

    const wait = histogram(
      after,
      'apiserver_flowcontrol_request_wait_duration_seconds',
      ['priority_level', 'execute'],
      before,
    );
    expect(p99(wait.get('workload-low/true'))).toBeGreaterThan(5);
    expect(p99(wait.get('workload-high/true'))).toBeLessThan(0.05);
    const waitSinceStart = histogram(after, 'apiserver_flowcontrol_request_wait_duration_seconds', [
      'priority_level',
      'execute',
    ]);
    expect(p99(waitSinceStart.get('workload-low/true'))).toBeLessThan(0.05);
  });

  it('admission webhooks: validation.gatekeeper.sh has p99 2-4 s over the window, the others stay fast', () => {
    const window = histogram(after, 'apiserver_admission_webhook_admission_duration_seconds', ['name', 'type'], before);
    expect(p99(window.get('validation.gatekeeper.sh/validating'))).toBeGreaterThan(2);
    expect(p99(window.get('validation.gatekeeper.sh/validating'))).toBeLessThan(4);
    expect(p99(window.get('rev.namespace.sidecar-injector.istio.io/admit'))).toBeLessThan(0.1);
    expect(p99(window.get('webhook.cert-manager.io/validating'))).toBeLessThan(0.1);
    const since = histogram(after, 'apiserver_admission_webhook_admission_duration_seconds', ['name']);
    expect(p99(since.get('validation.gatekeeper.sh'))).toBeLessThan(0.1);
    const create = histogram(
      after,
      'apiserver_admission_webhook_admission_duration_seconds',
      ['name', 'operation', 'rejected'],
      before,
    );
    expect(create.get('validation.gatekeeper.sh/CREATE/false')?.count).toBe(36);
  });

  it('etcd: list of events is slow over the window, by {operation, group, resource}; the rest is fast', () => {
    const window = histogram(after, 'etcd_request_duration_seconds', ['operation', 'group', 'resource'], before);
    const listEvents = p99(window.get('list//events'));
    expect(listEvents).toBeGreaterThan(1);
    expect(listEvents).toBeLessThan(2.5);
    for (const [key, group] of window) if (key !== 'list//events') expect(p99(group)).toBeLessThan(0.05);
    expect(window.has('update/coordination.k8s.io/leases')).toBe(true);
    expect(after.get('etcd_request_duration_seconds')?.samples.every((one) => !('type' in one.labels))).toBe(true);
  });

  it('object counts: 450k events in both the deprecated and the new family, growing', () => {
    expect(sample(before, 'apiserver_storage_objects', { resource: 'events' })).toBe(450_000);
    expect(sample(after, 'apiserver_storage_objects', { resource: 'events' })).toBe(450_000 + 30 * WINDOW_S);
    expect(sample(after, 'apiserver_resource_objects', { group: '', resource: 'events' })).toBe(451_800);
    expect(sample(after, 'apiserver_resource_objects', { group: 'coordination.k8s.io', resource: 'leases' })).toBe(11);
    expect(after.get('apiserver_storage_objects')?.help).toMatch(/^\[STABLE\] \(Deprecated since 1\.34\.0\)/);
  });
});

describe('scenario apiserver-latency-v1-32: the same incident in 1.32 labels', () => {
  let sim: RunningSimulator;
  let clock = T0;

  beforeAll(async () => {
    sim = await startSimulator({ scenario: 'apiserver-latency-v1-32', now: () => clock });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('spells etcd latency {operation, type} and counts objects only in apiserver_storage_objects', async () => {
    const before = parsePrometheusText((await get(sim, '/metrics')).body);
    clock += WINDOW_S * 1000;
    const after = parsePrometheusText((await get(sim, '/metrics')).body);
    expect((await get(sim, '/version')).json.gitVersion).toBe('v1.32.2');
    const window = histogram(after, 'etcd_request_duration_seconds', ['operation', 'type'], before);
    expect(p99(window.get('list/events'))).toBeGreaterThan(1);
    expect(p99(window.get('update/leases.coordination.k8s.io'))).toBeLessThan(0.05);
    expect(after.has('apiserver_resource_objects')).toBe(false);
    expect(sample(after, 'apiserver_storage_objects', { resource: 'events' })).toBe(451_800);
    expect(after.get('apiserver_storage_objects')?.help).toMatch(/^\[STABLE\] Number of stored objects/);
    // The rest of the story is inherited unchanged.
    expect(requestLatency(before, after)[0]).toMatchObject({ verb: 'LIST', resource: 'events', scope: 'cluster' });
  });
});
