import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createCheckRegistry } from '../../src/checks/all-checks.js';
import { apiserverRequestLatencyCheck } from '../../src/checks/apiserver-latency.js';
import { parsePrometheusText, requestLatency } from '../../src/metrics/index.js';
import { loadPlaybooks } from '../../src/playbooks/load-playbooks.js';
import { runPlaybook } from '../../src/playbooks/run-playbook.js';
import { FakeKubeReader, TEST_RUN, checkContext } from './fake-readers.js';

const BOUNDS = [
  '0.005',
  '0.025',
  '0.05',
  '0.1',
  '0.2',
  '0.4',
  '0.6',
  '0.8',
  '1',
  '1.25',
  '1.5',
  '2',
  '3',
  '4',
  '5',
  '6',
  '8',
  '10',
  '15',
  '20',
  '30',
  '45',
  '60',
  '+Inf',
];

/** A real-looking histogram: `fast` requests at ≤ 25 ms and `slow` ones between 2 and 3 s, cumulative. */
function requestDuration(labels: string, fast: number, slow: number): string {
  return BOUNDS.map((le) => {
    const bound = le === '+Inf' ? Infinity : Number(le);
    const count = (bound >= 0.025 ? fast : 0) + (bound >= 3 ? slow : 0);
    return `apiserver_request_duration_seconds_bucket{${labels},le="${le}"} ${count}`;
  })
    .concat([
      `apiserver_request_duration_seconds_sum{${labels}} ${fast * 0.02 + slow * 2.5}`,
      `apiserver_request_duration_seconds_count{${labels}} ${fast + slow}`,
    ])
    .join('\n');
}

function scrape(fastGets: number, slowGets: number, watches: number): { status: number; body: string } {
  const list =
    'component="apiserver",dry_run="",group="",resource="pods",scope="cluster",subresource="",verb="LIST",version="v1"';
  const get =
    'component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="",verb="GET",version="v1"';
  const watch =
    'component="apiserver",dry_run="",group="",resource="pods",scope="cluster",subresource="",verb="WATCH",version="v1"';
  return {
    status: 200,
    body: [
      '# HELP apiserver_request_duration_seconds [STABLE] Response latency distribution in seconds.',
      '# TYPE apiserver_request_duration_seconds histogram',
      requestDuration(list, 500_000, 0),
      requestDuration(get, fastGets, slowGets),
      requestDuration(watch, 0, watches),
      '',
    ].join('\n'),
  };
}

describe('apiserver.request-latency', () => {
  it('reports a spike in the window that the cumulative counters hide', async () => {
    const kube = new FakeKubeReader();
    // A million fast GETs since start; in the window, 40 more that took 2–3 s, and long WATCH sessions to ignore.
    kube.rawResponses.set('/metrics', [scrape(1_000_000, 0, 100), scrape(1_000_000, 40, 5_000)]);
    const [finding] = await apiserverRequestLatencyCheck.run(
      checkContext({ kube }),
      apiserverRequestLatencyCheck.args.parse({ windowSeconds: 0.01 }),
    );
    expect(finding?.severity).toBe('critical');
    expect(finding?.title).toBe('Slow API requests: GET pods (resource scope) p99 2.99 s');
    const rows = finding?.data?.rows as Array<{ verb: string; requests: number }>;
    expect(rows.map((row) => row.verb)).not.toContain('WATCH');
    expect(rows.find((row) => row.verb === 'GET')?.requests).toBe(40);
    // The same scrape read cumulatively (as if from an empty start): 40 slow among a million, far under the SLO.
    const cumulative = requestLatency(new Map(), parsePrometheusText(scrape(1_000_000, 40, 5_000).body));
    expect(cumulative.find((row) => row.verb === 'GET')?.p99Seconds).toBeLessThan(0.03);
  });
});

describe('apiserver-latency playbook on broken metrics', () => {
  const registry = createCheckRegistry();
  async function run(kube: FakeKubeReader) {
    const playbooks = await loadPlaybooks(join(process.cwd(), 'playbooks'), registry);
    const playbook = playbooks.get('apiserver-latency');
    if (!playbook) throw new Error('no apiserver-latency playbook');
    return runPlaybook(playbook, registry, { kube }, { run: TEST_RUN, params: { windowSeconds: 0.01 } });
  }

  it('turns a 403 from /metrics into "could not check" findings that say which permission is missing', async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set('/metrics', { status: 403, body: '{"kind":"Status","reason":"Forbidden"}' });
    kube.rawResponses.set('/livez', { status: 200, body: 'ok' });
    const report = await run(kube);
    const failed = report.findings.filter((finding) => finding.title.startsWith('Could not check'));
    expect(failed.length).toBe(6);
    expect(failed[0]?.summary).toContain('nonResourceURLs ["/metrics"]');
    expect(report.findings.find((finding) => finding.check === 'apiserver.round-trip')?.severity).toBe('ok');
  });

  it('turns malformed metrics text into "could not check" findings naming the line', async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set('/metrics', { status: 200, body: '# TYPE x counter\nx{a="1"} 1\nx{a=1} oops\n' });
    const report = await run(kube);
    const failed = report.findings.filter((finding) => finding.title.startsWith('Could not check'));
    expect(failed.length).toBe(6);
    expect(failed[0]?.summary).toMatch(/line 3/);
  });
});

describe('the scrape window behind a load balancer', () => {
  const startedAt = (seconds: number) =>
    `# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds ${seconds}\n`;
  const withStart = (body: { status: number; body: string }, seconds: number) => ({
    ...body,
    body: body.body + startedAt(seconds),
  });

  it('scrapes again until it reaches the API server that answered first', async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set('/metrics', [
      withStart(scrape(1_000_000, 0, 0), 100),
      withStart(scrape(9, 9, 0), 200),
      withStart(scrape(1_000_000, 40, 0), 100),
    ]);
    const [finding] = await apiserverRequestLatencyCheck.run(
      checkContext({ kube }),
      apiserverRequestLatencyCheck.args.parse({ windowSeconds: 0.01 }),
    );
    expect(finding?.title).toBe('Slow API requests: GET pods (resource scope) p99 2.99 s');
  });

  it('refuses a window between two different API server processes and says what to do', async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set('/metrics', [
      withStart(scrape(1_000_000, 0, 0), 100),
      withStart(scrape(1_000_000, 40, 0), 200),
    ]);
    await expect(
      apiserverRequestLatencyCheck.run(
        checkContext({ kube }),
        apiserverRequestLatencyCheck.args.parse({ windowSeconds: 0.01 }),
      ),
    ).rejects.toThrow(/different API server processes .*clusters\.test\.prometheus\.url/);
  });
});
