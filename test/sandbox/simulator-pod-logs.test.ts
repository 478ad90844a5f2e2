/**
 * The simulator's `pods/log` as the kubelet answers it through the API server: lines carry times, `tailLines` takes
 * the last lines, `sinceSeconds` and `sinceTime` drop older ones, `limitBytes` cuts what those selected after that
 * many bytes (timestamps included, the last line possibly cut), and `timestamps` prefixes each line with its time.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:https';
import { join } from 'node:path';
import { ScenarioError } from '../../src/core/errors.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { defaultScenariosDir, parseScenario } from '../../src/sandbox/simulator/scenario/load-scenario.js';

const NOW = Date.parse('2026-11-24T03:00:00Z');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

/** Extends `healthy` with `logs` (YAML), as a file beside it would. */
function scenarioWith(name: string, logs: string) {
  return parseScenario(
    `name: ${name}\nextends: healthy\ndescription: Pod logs.\npatches:\n  pods:\n    kube-system/kube-scheduler-cp-2:\n      status:\n        containerStatuses:\n          - name: kube-scheduler\n            ready: true\n            restartCount: 1\n            state: { running: { startedAt: -5m } }\n            lastState: { terminated: { exitCode: 1, reason: Error, startedAt: -6d, finishedAt: -5m2s } }\nlogs:\n${logs}`,
    join(defaultScenariosDir(), `${name}.yaml`),
  );
}

function get(sim: RunningSimulator, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${sim.url}${path}`,
      { ca: sim.caPem, agent: false, headers: { Authorization: `Bearer ${sim.token}` } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const LOG = '/api/v1/namespaces/kube-system/pods/kube-scheduler-cp-1/log';
const PREVIOUS = '/api/v1/namespaces/kube-system/pods/kube-scheduler-cp-2/log?previous=true';

describe('cluster simulator pod logs in time', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    const scenario = await scenarioWith(
      'pod-logs-in-time',
      `  - namespace: kube-system
    pod: kube-scheduler-cp-1
    at: -10m
    spacing: 500ms
    text: |
      I1124 02:49:59.000000       1 server.go:154] "Starting Kubernetes Scheduler"
      I1124 02:50:00.000000       1 leaderelection.go:254] attempting to acquire leader lease kube-system/kube-scheduler...
  - namespace: kube-system
    pod: kube-scheduler-cp-1
    repeat: { every: 1m, from: -9m }
    text: |
      E1124 02:51:00.000000       1 reflector.go:158] "Unhandled Error" err="pods is forbidden" logger="UnhandledError"
  - namespace: kube-system
    pod: kube-scheduler-cp-2
    previous: true
    text: |
      {"level":"warn","ts":"2026-11-24T02:54:58.000Z","msg":"first"}
      F1124 02:54:58.000000       1 server.go:267] "Leaderelection lost"
`,
    );
    sim = await startSimulator({ scenario, now: () => NOW });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('stamps every line with its time, the runtime prefix and the klog or JSON header alike', async () => {
    const { status, body } = await get(sim, `${LOG}?timestamps=true`);
    expect(status).toBe(200);
    const lines = body.trimEnd().split('\n');
    // Two start-up lines half a second apart ending 10 minutes ago, then one error a minute from -9m to now.
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe(
      `${iso(-600_500).replace('.500Z', '.5Z')} I1124 02:49:59.500000       1 server.go:154] "Starting Kubernetes Scheduler"`,
    );
    expect(lines[1]).toMatch(/^2026-11-24T02:50:00Z I1124 02:50:00\.000000 /);
    expect(lines.at(-1)).toBe(
      '2026-11-24T03:00:00Z E1124 03:00:00.000000       1 reflector.go:158] "Unhandled Error" err="pods is forbidden" logger="UnhandledError"',
    );
    const previous = await get(sim, `${PREVIOUS}&timestamps=true`);
    // A previous container's lines end when it did (finishedAt, 5m 2s ago).
    expect(previous.body.split('\n')).toEqual([
      '2026-11-24T02:54:57.999Z {"level":"warn","ts":"2026-11-24T02:54:57.999000Z","msg":"first"}',
      '2026-11-24T02:54:58Z F1124 02:54:58.000000       1 server.go:267] "Leaderelection lost"',
      '',
    ]);
  });

  it.each([
    ['sinceSeconds=150', 3, 'E1124 02:58:00'],
    ['sinceSeconds=600', 11, 'I1124 02:50:00'],
    [`sinceTime=${iso(-120_000)}`, 3, 'E1124 02:58:00'],
    ['tailLines=4', 4, 'E1124 02:57:00'],
    // The last 4 lines, of which those within 90 s: what the kubelet does with both.
    ['tailLines=4&sinceSeconds=90', 2, 'E1124 02:59:00'],
    ['tailLines=0', 0, undefined],
  ])('%s selects %d lines', async (query, count, first) => {
    const { status, body } = await get(sim, `${LOG}?${query}`);
    expect(status).toBe(200);
    const lines = body === '' ? [] : body.trimEnd().split('\n');
    expect(lines).toHaveLength(count);
    if (first) expect(lines[0]).toMatch(new RegExp(`^${first}`));
  });

  it('cuts after limitBytes from the start of the selection, timestamps counted, inside a line if need be', async () => {
    const whole = await get(sim, `${LOG}?sinceSeconds=150&timestamps=true`);
    const { body } = await get(sim, `${LOG}?sinceSeconds=150&timestamps=true&limitBytes=100`);
    expect(Buffer.byteLength(whole.body)).toBeGreaterThan(300);
    expect(body).toBe(whole.body.slice(0, 100));
    expect(body).toMatch(/^2026-11-24T02:58:00Z E1124 02:58:00\.000000 .*"pods is $/);
  });

  it('records what each answer cost in bytes', async () => {
    await get(sim, `${LOG}?tailLines=2&timestamps=true`);
    const record = await sim.requests.waitFor((entry) => entry.path === `${LOG}?tailLines=2&timestamps=true`);
    const { body } = await get(sim, `${LOG}?tailLines=2&timestamps=true`);
    expect(record.bytes).toBe(Buffer.byteLength(body));
    expect(record.bytes).toBeGreaterThan(200);
  });

  it.each([
    ['sinceSeconds=0', 'sinceSeconds: Invalid value: 0: must be greater than 0'],
    ['sinceSeconds=-5', 'sinceSeconds: Invalid value: "-5": must be greater than or equal to 0'],
    [`sinceSeconds=5&sinceTime=${iso(0)}`, 'at most one of `sinceTime` or `sinceSeconds` may be specified'],
    ['sinceTime=yesterday', 'sinceTime: Invalid value: "yesterday": not an RFC 3339 time'],
    ['limitBytes=0', 'limitBytes: Invalid value: 0: must be greater than 0'],
  ])('answers 400 to %s', async (query, message) => {
    const { status, body } = await get(sim, `${LOG}?${query}`);
    expect(status).toBe(400);
    expect(JSON.parse(body)).toMatchObject({ kind: 'Status', code: 400, message });
  });
});

describe('scenario logs', () => {
  it('refuses a repeat more frequent than its own lines take', async () => {
    await expect(
      scenarioWith(
        'pod-logs-overlap',
        `  - namespace: kube-system
    pod: kube-scheduler-cp-1
    spacing: 2s
    repeat: { every: 1s, from: -1m }
    text: |
      E1124 02:51:00.000000       1 a.go:1] one
      E1124 02:51:00.000000       1 a.go:1] two
`,
      ),
    ).rejects.toThrow(ScenarioError);
  });
});
