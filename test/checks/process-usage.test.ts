import { describe, expect, it } from '@jest/globals';
import {
  processFigures,
  processUsageCheck,
  ProcessUsageArgs,
  type ProcessSample,
} from '../../src/checks/process-usage.js';
import { FakeEtcdReader, FakeKubeReader, checkContext } from './fake-readers.js';

const MI = 2 ** 20;

/** A process's /metrics as client_golang writes it (the families the check reads, among others it skips). */
function metricsText(figures: { rss: number; heap: number; cpu: number; goroutines: number; start?: number }): string {
  return [
    '# HELP go_goroutines Number of goroutines that currently exist.',
    '# TYPE go_goroutines gauge',
    `go_goroutines ${figures.goroutines}`,
    '# HELP go_memstats_heap_inuse_bytes Number of heap bytes that are in use.',
    '# TYPE go_memstats_heap_inuse_bytes gauge',
    `go_memstats_heap_inuse_bytes ${figures.heap.toExponential()}`,
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total ${figures.cpu}`,
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${figures.rss.toExponential()}`,
    '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.',
    '# TYPE process_start_time_seconds gauge',
    `process_start_time_seconds ${figures.start ?? 1.76e9}`,
    '# HELP etcd_server_has_leader Whether or not a leader exists. 1 is existence, 0 is not.',
    '# TYPE etcd_server_has_leader gauge',
    'etcd_server_has_leader 1',
    '',
  ].join('\n');
}

/** A clock that the injected sleep advances: a window of any length takes no time. */
function clock(start = Date.parse('2026-12-02T03:00:00Z')) {
  let now = start;
  return { now: () => new Date(now), sleep: async (ms: number) => void (now += ms) };
}

const ARGS = ProcessUsageArgs.parse({ windowSeconds: 10 });

describe('process figures and their trend', () => {
  const at = (seconds: number, rssBytes: number, extra: Partial<ProcessSample> = {}): ProcessSample => ({
    atMs: seconds * 1000,
    rssBytes,
    heapInuseBytes: rssBytes / 2,
    cpuSeconds: 100 + seconds * 0.25,
    goroutines: 3000,
    startTimeSeconds: 1,
    ...extra,
  });

  it.each([
    ['growing', [1000, 1040, 1100]],
    ['stable', [1000, 1040, 1000]],
    ['stable', [1000, 1000.1, 1000.2]],
    ['shrinking', [1000, 950, 900]],
  ] as const)('calls %p only when every step agrees and the whole moves', (trend, values) => {
    const figures = processFigures(
      values.map((value, index) => at(index * 5, value * MI)),
      0.02,
    );
    expect(figures.rss).toBe(trend);
  });

  it('takes CPU as the rate of the counter over the window', () => {
    expect(processFigures([at(0, MI), at(5, MI), at(10, MI)], 0.02).cpuCores).toBeCloseTo(0.25);
  });

  it('compares only scrapes of the last process when it restarted in between', () => {
    const figures = processFigures(
      [at(0, 2000 * MI), at(5, 100 * MI, { startTimeSeconds: 2 }), at(10, 110 * MI, { startTimeSeconds: 2 })],
      0.02,
    );
    expect(figures).toMatchObject({ restarted: true, rssBytes: 110 * MI, seconds: 5 });
  });
});

describe('control-plane.process-usage', () => {
  it("reports the API server's and each etcd member's figures as information, from three scrapes", async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set('/metrics', [
      { status: 200, body: metricsText({ rss: 951058432, heap: 521764864, cpu: 1000, goroutines: 2873 }) },
      { status: 200, body: metricsText({ rss: 951058432, heap: 521764864, cpu: 1000.85, goroutines: 2873 }) },
      { status: 200, body: metricsText({ rss: 951058432, heap: 521764864, cpu: 1001.7, goroutines: 2873 }) },
    ]);
    const etcd = new FakeEtcdReader(1);
    const endpoint = etcd.memberList[0]?.clientURLs[0] as string;
    etcd.metricTexts.set(endpoint, [
      metricsText({ rss: 231 * MI, heap: 120 * MI, cpu: 50, goroutines: 180 }),
      metricsText({ rss: 231 * MI, heap: 120 * MI, cpu: 50.26, goroutines: 181 }),
      metricsText({ rss: 231 * MI, heap: 120 * MI, cpu: 50.52, goroutines: 180 }),
    ]);
    const findings = await processUsageCheck.run(checkContext({ kube, etcd, ...clock() }), ARGS);
    expect(findings.map((finding) => [finding.severity, finding.about, finding.title])).toEqual([
      [
        'info',
        { component: 'kube-apiserver' },
        'kube-apiserver process: 907Mi resident (stable), heap 498Mi (stable), 170m CPU, 2,873 goroutines',
      ],
      [
        'info',
        { component: 'etcd', instance: etcd.memberList[0]?.name },
        `etcd member ${etcd.memberList[0]?.name} process: 231Mi resident (stable), heap 120Mi (stable), 52m CPU, 180 goroutines`,
      ],
    ]);
    expect(findings[0]?.evidence).toContainEqual({
      label: 'measured from',
      value: "3 scrapes of the API server's /metrics over 10 s",
    });
  });

  it('keeps the window when scrapes are slow: rounds start on a fixed schedule, each dated mid-request', async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set('/metrics', [
      { status: 200, body: metricsText({ rss: MI, heap: MI, cpu: 1, goroutines: 1 }) },
    ]);
    const etcd = new FakeEtcdReader(1);
    const endpoint = etcd.memberList[0]?.clientURLs[0] as string;
    etcd.metricTexts.set(endpoint, [metricsText({ rss: MI, heap: MI, cpu: 1, goroutines: 1 })]);
    const time = clock();
    const answer = etcd.metricsText.bind(etcd);
    // Each scrape of the member takes 3 s of the 5 s between rounds.
    etcd.metricsText = async (url: string) => {
      await time.sleep(3_000);
      return answer(url);
    };
    const findings = await processUsageCheck.run(checkContext({ kube, etcd, ...time }), ARGS);
    expect(findings[1]?.evidence).toContainEqual({
      label: 'measured from',
      value: `3 scrapes of ${endpoint}/metrics over 10 s`,
    });
  });

  it('warns when resident memory and heap both run away', async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set(
      '/metrics',
      [1200, 1500, 1850].map((mib, index) => ({
        status: 200,
        body: metricsText({
          rss: mib * MI,
          heap: (mib - 400) * MI,
          cpu: 10 + index * 15,
          goroutines: 9000 + index * 400,
        }),
      })),
    );
    const [finding] = await processUsageCheck.run(
      checkContext({ kube, ...clock() }),
      ProcessUsageArgs.parse({ windowSeconds: 60 }),
    );
    expect(finding).toMatchObject({
      severity: 'warning',
      about: { component: 'kube-apiserver' },
      title: 'kube-apiserver process memory running away: 1.8Gi resident, growing 54 %/min',
    });
    expect(finding?.recommendation).toMatch(/LIST storm/);
  });

  it('calls no leak from a window too short to tell growth from a Go heap between two collections', async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set(
      '/metrics',
      [1200, 1300, 1420].map((mib, index) => ({
        status: 200,
        body: metricsText({ rss: mib * MI, heap: (mib - 400) * MI, cpu: 10 + index, goroutines: 9000 }),
      })),
    );
    const [finding] = await processUsageCheck.run(checkContext({ kube, ...clock() }), ARGS);
    expect(finding).toMatchObject({ severity: 'info', about: { component: 'kube-apiserver' } });
    expect(finding?.title).toMatch(/1\.4Gi resident \(growing \d+ %\/min\)/);
  });

  it('with one scrape reports figures without a rate or a trend', async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set('/metrics', {
      status: 200,
      body: metricsText({ rss: 800 * MI, heap: 400 * MI, cpu: 5, goroutines: 2000 }),
    });
    const [finding] = await processUsageCheck.run(
      checkContext({ kube, ...clock() }),
      ProcessUsageArgs.parse({ windowSeconds: 0 }),
    );
    expect(finding?.title).toBe('kube-apiserver process: 800Mi resident, heap 400Mi, 2,000 goroutines');
    expect(finding?.evidence).toContainEqual({ label: 'CPU', value: 'no rate from a single scrape' });
  });

  it('turns a process it cannot scrape into information, keeping the others', async () => {
    const kube = new FakeKubeReader();
    kube.rawResponses.set('/metrics', { status: 403, body: 'forbidden' });
    const findings = await processUsageCheck.run(checkContext({ kube, ...clock() }), ARGS);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'info', title: 'No process figures for kube-apiserver' });
    expect(findings[0]?.summary).toMatch(/nonResourceURLs \["\/metrics"\]/);
  });
});
