/**
 * control-plane.logs against the simulator: what it reads, how much, and what it makes of it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { causeFinding, otherErrorsFinding, type LogFindingContext } from '../../src/checks/component-log-findings.js';
import { LogSummary } from '../../src/checks/component-log-summary.js';
import { componentLogsCheck } from '../../src/checks/component-logs.js';
import { parseLogLine } from '../../src/checks/log-line-parser.js';
import { createKubeReader, type ClosableKubeReader } from '../../src/cluster/create-kube-reader.js';
import type { Finding } from '../../src/findings/finding.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';
import { defaultScenariosDir, parseScenario } from '../../src/sandbox/simulator/scenario/load-scenario.js';
import { checkContext } from './fake-readers.js';

const NOW = Date.parse('2026-11-24T03:00:00Z');

/** kubernetes/kubernetes#107491: kube-apiserver's etcd client, verbatim (the simulator restamps the header). */
const GRPC_REFUSED =
  'W0112 21:16:43.831033       1 clientconn.go:1331] [core] grpc: addrConn.createTransport failed to connect to {127.0.0.1:2379 127.0.0.1 <nil> 0 <nil>}. Err: connection error: desc = "transport: Error while dialing dial tcp 127.0.0.1:2379: connect: connection refused". Reconnecting...';

async function start(name: string, logs = '', more = ''): Promise<RunningSimulator> {
  const scenario = await parseScenario(
    `name: ${name}\nextends: healthy\ndescription: Component logs.\n${more}${logs ? `logs:\n${logs}` : ''}`,
    join(defaultScenariosDir(), `${name}.yaml`),
  );
  return startSimulator({ scenario, now: () => NOW });
}

function run(kube: ClosableKubeReader, args: Record<string, unknown> = {}): Promise<Finding[]> {
  return componentLogsCheck.run(checkContext({ kube, now: () => new Date(NOW) }), componentLogsCheck.args.parse(args));
}

const logRequests = (sim: RunningSimulator, pod?: string) =>
  sim.requests.entries.filter(
    (entry) => /\/pods\/[^/]+\/log\?/.test(entry.path) && (!pod || entry.path.includes(`/pods/${pod}/log`)),
  );

describe('control-plane.logs on a healthy cluster', () => {
  let sim: RunningSimulator;
  let kube: ClosableKubeReader;
  beforeAll(async () => {
    sim = await start('component-logs-healthy');
    kube = createKubeReader({ kubeconfigPath: sim.kubeconfigPath });
  });
  afterAll(async () => {
    kube?.close();
    await sim?.stop();
  });

  it('says so in one ok line for every pod, having asked for the lookback only, bounded', async () => {
    sim.requests.clear();
    const findings = await run(kube);
    expect(findings.map((finding) => [finding.severity, finding.title])).toEqual([
      ['ok', 'No errors in the logs of 12 control-plane pods in the last 10m'],
    ]);
    const requests = logRequests(sim);
    expect(requests).toHaveLength(12);
    for (const request of requests) {
      const query = new URL(request.path, 'https://x').searchParams;
      expect(Object.fromEntries(query)).toEqual({
        container: expect.any(String),
        tailLines: '2000',
        sinceSeconds: '600',
        limitBytes: '131072',
        timestamps: 'true',
      });
    }
  });

  it('reads nothing for the scheduler-pending playbook while no Pending pod waits without events', async () => {
    sim.requests.clear();
    const findings = await run(kube, { components: ['kube-scheduler'], when: 'pending-without-events' });
    expect(findings.map((finding) => [finding.severity, finding.title])).toEqual([
      ['ok', 'Logs of kube-scheduler not read: no Pending pod is waiting without a scheduling event'],
    ]);
    expect(logRequests(sim)).toHaveLength(0);
  });

  it('says which logs it could not read, and fails as a check when it could read none', async () => {
    const one = sim.inject({ path: '/api/v1/namespaces/kube-system/pods/etcd-cp-2/log', status: 403 });
    const partly = await run(kube);
    one.remove();
    expect(partly.find((finding) => finding.severity === 'info')).toMatchObject({
      title: 'Could not read the logs of etcd-cp-2',
      evidence: [{ label: 'etcd-cp-2', value: expect.stringMatching(/etcd-cp-2\/log.* is forbidden \(403/) }],
    });
    expect(partly.find((finding) => finding.severity === 'ok')?.title).toBe(
      'No errors in the logs of 11 control-plane pods in the last 10m',
    );
    const all = sim.inject({ path: /\/log\?/, status: 403 });
    await expect(run(kube)).rejects.toThrow(/^no log could be read: .* is forbidden \(403/);
    all.remove();
  });
});

describe('control-plane.logs with a cloud-controller-manager', () => {
  it('reads the logs of a provider’s cloud-controller-manager DaemonSet pods too', async () => {
    const sim = await start(
      'component-logs-ccm',
      '',
      `pods:
  - metadata:
      name: aws-cloud-controller-manager-x7k2p
      namespace: kube-system
      labels: { k8s-app: aws-cloud-controller-manager }
    spec:
      nodeName: cp-1
      containers: [{ name: aws-cloud-controller-manager, image: registry.k8s.io/provider-aws/cloud-controller-manager:v1.32.1 }]
    status:
      phase: Running
      hostIP: 10.0.0.11
      containerStatuses:
        - { name: aws-cloud-controller-manager, ready: true, restartCount: 0, state: { running: { startedAt: -30d } } }
`,
    );
    const kube = createKubeReader({ kubeconfigPath: sim.kubeconfigPath });
    try {
      const [ok] = await run(kube);
      expect(ok?.title).toBe('No errors in the logs of 13 control-plane pods in the last 10m');
      expect(ok?.summary).toContain('aws-cloud-controller-manager-x7k2p');
      expect(logRequests(sim, 'aws-cloud-controller-manager-x7k2p')[0]?.path).toContain(
        'container=aws-cloud-controller-manager&',
      );
    } finally {
      kube.close();
      await sim.stop();
    }
  });
});

describe('control-plane.logs when the API server answers seconds after the check began', () => {
  it('dates what it quotes from when the logs arrived, so the oldest line of the lookback reads "10m" ago', async () => {
    const answeredMs = NOW + 2500;
    const scenario = await parseScenario(
      `name: component-logs-late\nextends: healthy\ndescription: Component logs.\nlogs:\n  - namespace: kube-system\n    pod: kube-scheduler-cp-1\n    repeat: { every: 30s, from: -11m }\n    text: '${GRPC_REFUSED}'\n`,
      join(defaultScenariosDir(), 'component-logs-late.yaml'),
    );
    const sim = await startSimulator({ scenario, now: () => answeredMs });
    const kube = createKubeReader({ kubeconfigPath: sim.kubeconfigPath });
    let calls = 0;
    // The first reading of the clock is the check's start; every later one is after the API server answered.
    const now = () => new Date(calls++ === 0 ? NOW : answeredMs);
    try {
      const findings = await componentLogsCheck.run(
        checkContext({ kube, now }),
        componentLogsCheck.args.parse({ components: ['kube-scheduler'] }),
      );
      const quotedLine = findings.flatMap((finding) => finding.evidence).find((item) => /^\d+× /.test(item.label));
      expect(quotedLine?.value).toMatch(/\(first 10m 0s ago, last 0s ago\)$/);
    } finally {
      kube.close();
      await sim.stop();
    }
  });
});

describe('control-plane.logs on a component printing megabytes a minute', () => {
  let sim: RunningSimulator;
  let kube: ClosableKubeReader;
  let findings: Finding[];
  let requests: ReturnType<typeof logRequests>;
  const budget = 64 * 1024;
  beforeAll(async () => {
    // A line of 280 bytes every 10 ms: 1.7 MB a minute, 17 MB in the 10-minute lookback.
    sim = await start(
      'component-logs-chatty',
      `  - namespace: kube-system\n    pod: kube-apiserver-cp-1\n    repeat: { every: 10ms, from: -1h }\n    text: '${GRPC_REFUSED}'\n`,
    );
    kube = createKubeReader({ kubeconfigPath: sim.kubeconfigPath });
    sim.requests.clear();
    findings = await run(kube, { maxBytesPerPod: budget });
    requests = logRequests(sim);
  });
  afterAll(async () => {
    kube?.close();
    await sim?.stop();
  });

  it('prints megabytes a minute', async () => {
    const minute = await kube.podLog('kube-system', 'kube-apiserver-cp-1', { sinceSeconds: 60 });
    expect(Buffer.byteLength(minute)).toBeGreaterThan(1_500_000);
  });

  it('costs at most the configured bytes per pod: every request capped, the sum within the budget', () => {
    const chatty = requests.filter((request) => request.path.includes('/pods/kube-apiserver-cp-1/log'));
    expect(chatty).toHaveLength(2);
    for (const request of chatty) {
      expect(Number(new URL(request.path, 'https://x').searchParams.get('limitBytes'))).toBeLessThanOrEqual(budget / 2);
    }
    const sent = chatty.reduce((sum, request) => sum + request.bytes, 0);
    expect(sent).toBeGreaterThan(budget * 0.9);
    expect(sent).toBeLessThanOrEqual(budget);
    // The quiet pods cost one request each.
    expect(requests).toHaveLength(13);
  });

  it('still sees the newest lines, and says its counts are lower bounds', () => {
    const etcd = findings.find((finding) => finding.data?.cause === 'unreachable');
    expect(etcd).toMatchObject({
      severity: 'warning',
      title: expect.stringMatching(
        /^kube-apiserver on cp-1 cannot reach etcd at 127\.0\.0\.1:2379: connection refused \(at least \d+ times in 10m\)$/,
      ),
      about: { component: 'etcd', instance: 'etcd-cp-1', node: 'cp-1' },
      signals: ['logs.etcd-unreachable'],
    });
    expect(etcd?.evidence).toContainEqual({
      label: 'read',
      value: expect.stringMatching(/^the last 10m held more than 2000 lines or 64\.0 KiB per pod: .* lower bounds$/),
    });
    expect(etcd?.data?.countIsLowerBound).toBe(true);
    // The newest line read is the newest written, not one from the start of what tailLines selected.
    expect(Date.parse(String(etcd?.data?.lastSeen))).toBeGreaterThan(NOW - 100);
    expect(Date.parse(String(etcd?.data?.firstSeen))).toBeLessThan(NOW - 15_000);
  });
});

describe('what control-plane.logs shows', () => {
  const context: LogFindingContext = {
    nowMs: NOW,
    window: '10m',
    stillFailingMs: 300_000,
    slowApplyWarning: 10,
    patterns: 3,
    pods: [],
    truncated: new Set(),
    limits: '2000 lines or 256 KiB per pod',
  };
  /** kubernetes/minikube#9456: kube-scheduler refused while RBAC was not yet bootstrapped. */
  const refused = (at: number) =>
    parseLogLine(
      `${new Date(at).toISOString()} E1013 00:42:46.685343       1 reflector.go:127] k8s.io/client-go/informers/factory.go:134: Failed to watch *v1.Pod: failed to list *v1.Pod: pods is forbidden: User "system:kube-scheduler" cannot list resource "pods" in API group "" at the cluster scope`,
      NOW,
    );
  const judge = (times: number[]) => {
    const summary = new LogSummary();
    summary.add({ component: 'kube-scheduler', pod: 'kube-scheduler-cp-1', node: 'cp-1' }, times.map(refused), false);
    const [group] = summary.all();
    if (!group?.cause) throw new Error('the refusals were not grouped under their cause');
    return causeFinding(group, group.cause, context);
  };

  it.each([
    ['refused from 4 minutes ago until now', [-240_000, -120_000, -1000], 'critical', '3 times in 10m'],
    ['refused for the last 20 seconds, a new problem', [-20_000, -10_000], 'critical', '2 times in 10m'],
    [
      'a burst of 2 seconds at start-up, 3 minutes ago',
      [-182_000, -181_000, -180_000],
      'info',
      '3 times in 10m; stopped 3m 0s ago',
    ],
    [
      'refused for 3 minutes, the last time 6 minutes ago',
      [-540_000, -360_000],
      'info',
      '2 times in 10m; stopped 6m 0s ago',
    ],
  ])('%s', (_case, offsets, severity, counted) => {
    const finding = judge(offsets.map((offset) => NOW + offset));
    expect(finding.severity).toBe(severity);
    expect(finding.title).toBe(`kube-scheduler on cp-1 cannot list pods: RBAC forbidden (${counted})`);
    expect(finding.signals).toEqual(severity === 'critical' ? ['logs.rbac-forbidden'] : undefined);
  });

  it('judges whether a problem goes on against the end of its own log, not the end of every read', () => {
    const summary = new LogSummary();
    const source = { component: 'kube-scheduler', pod: 'kube-scheduler-cp-1', node: 'cp-1' };
    // A 2-second burst that ended 55 s before this pod's log arrived; the other pods' logs took 20 s more.
    summary.add(
      source,
      [-57_000, -56_000, -55_000].map((offset) => refused(NOW + offset)),
      false,
    );
    const [group] = summary.all();
    if (!group?.cause) throw new Error('the refusals were not grouped under their cause');
    const late = { ...context, nowMs: NOW + 20_000 };
    expect(causeFinding(group, group.cause, { ...late, readAtMs: new Map([[source.pod, NOW]]) }).severity).toBe(
      'critical',
    );
    expect(causeFinding(group, group.cause, late).title).toMatch(/; stopped 1m 15s ago\)$/);
  });

  it('redacts secrets in the lines it quotes, and in the patterns it keeps', () => {
    const summary = new LogSummary();
    const source = { component: 'kube-controller-manager', pod: 'kube-controller-manager-cp-2', node: 'cp-2' };
    const token =
      'eyJhbGciOiJSUzI1NiIsImtpZCI6ImhUM3FHOHdYcjJuVmI1a0xtOXBaYzFkWWY2c0plNHVBbzdpUXgwdFd5RWcifQ.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2ln';
    summary.add(
      source,
      [parseLogLine(`E1124 05:41:07.641802       1 client.go:1] request failed: Authorization: Bearer ${token}`, NOW)],
      false,
    );
    const [group] = summary.all();
    const finding = otherErrorsFinding(group as NonNullable<typeof group>, { ...context, pods: [source] });
    expect(JSON.stringify(finding)).not.toContain(token.slice(0, 20));
    expect(finding.evidence[1]?.value).toContain('Authorization: Bearer [REDACTED]');
  });
});
