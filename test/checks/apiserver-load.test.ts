import { describe, expect, it } from '@jest/globals';
import { apiserverFlowControlCheck, apiserverInflightCheck } from '../../src/checks/apiserver-load.js';
import { FakeKubeReader, checkContext } from './fake-readers.js';

/** One scrape of /metrics: the process start time (same server) and the given sample lines. */
function scrape(lines: readonly string[]): { status: number; body: string } {
  return { status: 200, body: ['process_start_time_seconds 1.7e9', ...lines, ''].join('\n') };
}

/** Rejection counters before and after a 60 s window, by `level/flow/reason`. */
function rejected(
  counts: Readonly<Record<string, readonly [number, number]>>,
  dispatched: Readonly<Record<string, readonly [number, number]>> = {},
) {
  const at = (index: 0 | 1) => [
    '# TYPE apiserver_flowcontrol_rejected_requests_total counter',
    ...Object.entries(counts).map(([key, values]) => {
      const [level, flow, reason] = key.split('/');
      return `apiserver_flowcontrol_rejected_requests_total{flow_schema="${flow}",priority_level="${level}",reason="${reason}"} ${values[index]}`;
    }),
    '# TYPE apiserver_flowcontrol_dispatched_requests_total counter',
    ...Object.entries(dispatched).map(([key, values]) => {
      const [level, flow] = key.split('/');
      return `apiserver_flowcontrol_dispatched_requests_total{flow_schema="${flow}",priority_level="${level}"} ${values[index]}`;
    }),
  ];
  return [scrape(at(0)), scrape(at(1))];
}

async function run<T extends typeof apiserverFlowControlCheck | typeof apiserverInflightCheck>(
  check: T,
  scrapes: Array<{ status: number; body: string }>,
  args: Record<string, unknown> = {},
) {
  const kube = new FakeKubeReader();
  kube.rawResponses.set('/metrics', scrapes);
  let clock = Date.parse('2026-11-24T03:00:00Z');
  const context = checkContext({
    kube,
    now: () => new Date(clock),
    sleep: async (ms) => {
      clock += ms;
    },
  });
  return check.run(context, check.args.parse({ windowSeconds: 60, ...args }) as never);
}

const summary = (findings: Awaited<ReturnType<typeof run>>) =>
  findings.map((finding) => [finding.severity, finding.title]);

describe('apiserver.flow-control by rejection reason', () => {
  it('calls clients giving up in the queue (cancelled) mild', async () => {
    const findings = await run(
      apiserverFlowControlCheck,
      rejected({ 'workload-low/service-accounts/cancelled': [3, 15] }),
    );
    expect(summary(findings)).toEqual([
      ['info', 'Clients gave up on 12 queued requests at priority level workload-low (cancelled)'],
    ]);
    expect(findings[0]?.summary).toContain('usually mild');
  });

  it('tells queue-wait time-outs apart, with advice about the level and the flow that floods it', async () => {
    const findings = await run(
      apiserverFlowControlCheck,
      rejected(
        { 'workload-low/service-accounts/time-out': [100, 124] },
        { 'workload-low/service-accounts': [10_000, 10_336] },
      ),
    );
    expect(summary(findings)).toEqual([
      ['warning', 'Requests time out in the queue at priority level workload-low: 0.4/s, 6.7% of its requests'],
    ]);
    expect(findings[0]?.summary).toContain('waited in an API Priority and Fairness queue until the queue-wait limit');
    expect(findings[0]?.recommendation).toMatch(/^Raise priority level workload-low's nominalConcurrencyShares/);
    expect(findings[0]?.recommendation).toContain('flow schema service-accounts times out most');
  });

  it.each([
    ['a trickle of queue-full at workload-low', 'warning', { 'workload-low/service-accounts/queue-full': [0, 12] }],
    ['queue-full at workload-low at 3/s', 'critical', { 'workload-low/service-accounts/queue-full': [0, 180] }],
    [
      'concurrency-limit at leader-election, however few',
      'critical',
      { 'leader-election/system-leader-election/concurrency-limit': [0, 3] },
    ],
    ['queue-full at node-high', 'critical', { 'node-high/system-nodes/queue-full': [5, 6] }],
  ] as const)('grades load shed by rate and priority level: %s is %s', async (_name, severity, counts) => {
    const findings = await run(apiserverFlowControlCheck, rejected({ ...counts }));
    expect(findings.map((finding) => finding.severity)).toEqual([severity]);
    expect(findings[0]?.title).toMatch(/^API Priority and Fairness rejecting requests at priority level /);
    expect(findings[0]?.summary).toMatch(/^The API server shed load: /);
  });

  it('gives shed load, time-outs and cancellations a finding each', async () => {
    const findings = await run(
      apiserverFlowControlCheck,
      rejected({
        'workload-low/service-accounts/queue-full': [4800, 4950],
        'workload-low/service-accounts/time-out': [1800, 1824],
        'global-default/global-default/cancelled': [2, 5],
        // History: counters that did not move in the window.
        'catch-all/catch-all/concurrency-limit': [17, 17],
      }),
    );
    expect(summary(findings)).toEqual([
      ['critical', 'API Priority and Fairness rejecting requests at priority level workload-low (queue-full): 2.5/s'],
      ['warning', 'Requests time out in the queue at priority level workload-low: 0.4/s'],
      ['info', 'Clients gave up on 3 queued requests at priority level global-default (cancelled)'],
    ]);
  });

  it('is ok when no rejection counter moved in the window', async () => {
    const findings = await run(
      apiserverFlowControlCheck,
      rejected({ 'catch-all/catch-all/concurrency-limit': [17, 17] }),
    );
    expect(summary(findings)).toEqual([['ok', 'No API Priority and Fairness rejections or queueing']]);
  });
});

describe('apiserver.inflight', () => {
  const inflight = (readOnly: number, mutating: number, label = 'request_kind') => [
    '# TYPE apiserver_current_inflight_requests gauge',
    `apiserver_current_inflight_requests{${label}="readOnly"} ${readOnly}`,
    `apiserver_current_inflight_requests{${label}="mutating"} ${mutating}`,
  ];

  it('says the limit is an assumed default when no limit was given', async () => {
    const findings = await run(apiserverInflightCheck, [scrape(inflight(380, 96)), scrape(inflight(380, 96))]);
    expect(summary(findings)).toEqual([
      ['critical', 'Read-only in-flight requests at 95% of the assumed default limit (400)'],
    ]);
    expect(findings[0]?.summary).toContain("the limit is kube-apiserver's default, assumed because none was given");
    expect(findings[0]?.evidence).toContainEqual({
      label: 'read-only limit',
      value:
        "400 — kube-apiserver's default for --max-requests-inflight, ASSUMED: the API server may run with another value (set the playbook parameter maxRequestsInflight=N)",
    });
    expect(findings[0]?.recommendation).toMatch(/^Confirm the limit first/);
    expect(findings[0]?.data).toMatchObject({
      mode: 'max-inflight',
      limitsAssumed: { readOnly: true, mutating: true },
    });
  });

  it('uses a given limit as given (1.19 requestKind label)', async () => {
    const scrapes = [scrape(inflight(760, 96, 'requestKind')), scrape(inflight(760, 96, 'requestKind'))];
    const findings = await run(apiserverInflightCheck, scrapes, { maxReadOnly: 800 });
    expect(summary(findings)).toEqual([
      ['critical', 'Read-only in-flight requests at 95% of --max-requests-inflight (800)'],
    ]);
    expect(findings[0]?.summary).not.toContain('assumed');
    expect(findings[0]?.evidence).toContainEqual({
      label: 'read-only limit',
      value: '800 — --max-requests-inflight as given',
    });
  });

  const seats = (
    limitMetric: string,
    inUseMetric: string,
    limits: Record<string, number>,
    used: Record<string, number>,
  ) => [
    `# TYPE ${limitMetric} gauge`,
    ...Object.entries(limits).map(([level, value]) => `${limitMetric}{priority_level="${level}"} ${value}`),
    `# TYPE ${inUseMetric} gauge`,
    ...Object.entries(used).map(
      ([level, value]) => `${inUseMetric}{flow_schema="${level}-flow",priority_level="${level}"} ${value}`,
    ),
    ...inflight(380, 96),
  ];

  it('judges each priority level against its own seats under API Priority and Fairness', async () => {
    const lines = seats(
      'apiserver_flowcontrol_nominal_limit_seats',
      'apiserver_flowcontrol_current_executing_seats',
      { exempt: 0, 'workload-low': 245, 'workload-high': 98, 'global-default': 49 },
      { exempt: 3, 'workload-low': 220, 'workload-high': 21, 'global-default': 3 },
    );
    const findings = await run(apiserverInflightCheck, [scrape(lines), scrape(lines)]);
    expect(summary(findings)).toEqual([['warning', 'Priority level workload-low at 90% of its seats (220 of 245)']]);
    expect(findings[0]?.evidence.map((item) => item.label)).toEqual([
      'workload-low',
      'workload-high',
      'global-default',
      'in flight',
      'limits from',
    ]);
    expect(JSON.stringify(findings[0])).not.toContain('ASSUMED');
  });

  it('reads the 1.20–1.25 spelling in requests', async () => {
    const lines = seats(
      'apiserver_flowcontrol_request_concurrency_limit',
      'apiserver_flowcontrol_request_concurrency_in_use',
      { 'leader-election': 25, 'workload-low': 245 },
      { 'leader-election': 25, 'workload-low': 30 },
    );
    const findings = await run(apiserverInflightCheck, [scrape(lines), scrape(lines)]);
    expect(summary(findings)).toEqual([
      ['critical', 'Priority level leader-election at 100% of its requests (25 of 25)'],
    ]);
  });

  it('prefers the current limit, after borrowing, to the nominal one', async () => {
    const lines = [
      ...seats(
        'apiserver_flowcontrol_nominal_limit_seats',
        'apiserver_flowcontrol_current_executing_seats',
        { 'global-default': 44 },
        { 'global-default': 150 },
      ),
      '# TYPE apiserver_flowcontrol_current_limit_seats gauge',
      'apiserver_flowcontrol_current_limit_seats{priority_level="global-default"} 180',
    ];
    const findings = await run(apiserverInflightCheck, [scrape(lines), scrape(lines)]);
    expect(summary(findings)).toEqual([['warning', 'Priority level global-default at 83% of its seats (150 of 180)']]);
  });
});
