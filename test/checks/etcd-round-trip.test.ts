import { describe, expect, it } from '@jest/globals';
import { etcdRoundTripCheck } from '../../src/checks/etcd-round-trip.js';
import { sampleRoundTrips } from '../../src/checks/round-trip-sampler.js';
import { FakeEtcdReader, FakeKubeReader, checkContext } from './fake-readers.js';

function readers() {
  const etcd = new FakeEtcdReader(3);
  const kube = new FakeKubeReader();
  kube.rawResponses.set('/version', { status: 200, body: '{}', durationMs: 3 });
  return { etcd, kube };
}

function run(etcd: FakeEtcdReader, kube: FakeKubeReader, args: Record<string, unknown> = {}) {
  return etcdRoundTripCheck.run(checkContext({ etcd, kube }), etcdRoundTripCheck.args.parse(args));
}

describe('etcd.round-trip', () => {
  it('is ok with every member in the details when all are fast, next to the API server', async () => {
    const { etcd, kube } = readers();
    etcd.pings.set(etcd.endpoints[0] as string, [1.5]);
    etcd.pings.set(etcd.endpoints[1] as string, [2.5]);
    const [finding] = await run(etcd, kube);
    expect(finding?.severity).toBe('ok');
    expect(finding?.signals).toBeUndefined();
    expect(finding?.title).toBe(
      'etcd round trip 1.5–2.5 ms median per member, none much slower than the others (API server 3.0 ms)',
    );
    expect(finding?.evidence.slice(0, 4)).toEqual([
      { label: 'etcd-1', value: 'median 1.5 ms, max 1.5 ms (5 samples)' },
      { label: 'etcd-2', value: 'median 2.5 ms, max 2.5 ms (5 samples)' },
      { label: 'etcd-3', value: 'median 2.0 ms, max 2.0 ms (5 samples)' },
      { label: 'API server (GET /version)', value: 'median 3.0 ms, max 3.0 ms (5 samples)' },
    ]);
    // One warm-up and five samples per member.
    expect(etcd.pingCalls).toBe(18);
  });

  it('measures a suspect member again and lets a passing stall go, saying so', async () => {
    const stalled = () => {
      const { etcd, kube } = readers();
      etcd.pings.set(etcd.endpoints[0] as string, [3]);
      // First round (warm-up and five samples) stalled; the second round, two seconds later, fast again.
      etcd.pings.set(etcd.endpoints[1] as string, [300, 180, 240, 170, 190, 175, 5, 4, 4, 4, 4, 4]);
      etcd.pings.set(etcd.endpoints[2] as string, [4]);
      return { etcd, kube };
    };
    const first = stalled();
    const [finding] = await run(first.etcd, first.kube);
    expect(finding?.severity).toBe('ok');
    expect(finding?.evidence).toContainEqual({
      label: 'second round',
      value:
        '2 s later: etcd-1 median 3.0 ms, etcd-2 median 4.0 ms, etcd-3 median 4.0 ms — etcd-2 no longer much slower (a passing stall)',
    });
    expect(finding?.title).toBe(
      'etcd round trip 3.0–4.0 ms median per member, none much slower than the others (API server 3.0 ms)',
    );
    // Without the second round, the stall is called a slow member.
    const second = stalled();
    const [unconfirmed] = await run(second.etcd, second.kube, { confirmAfterMs: 0 });
    expect(unconfirmed?.severity).toBe('warning');
  });

  it('keeps a suspect that stops answering in the second round as slow, and says it went silent', async () => {
    const { etcd, kube } = readers();
    const refused = { timedOut: false, error: 'connection refused' };
    etcd.pings.set(etcd.endpoints[0] as string, [3]);
    etcd.pings.set(etcd.endpoints[1] as string, [300, 180, 240, 170, 190, 175, ...Array(6).fill(refused)]);
    etcd.pings.set(etcd.endpoints[2] as string, [4]);
    const [finding] = await run(etcd, kube);
    expect(finding).toMatchObject({ severity: 'warning', about: { component: 'etcd', instance: 'etcd-2' } });
    expect(finding?.evidence.find((each) => each.label === 'second round')?.value).toBe(
      '2 s later: etcd-1 median 3.0 ms, etcd-3 median 4.0 ms — etcd-2 did not answer',
    );
  });

  it('skips the second round when the budget has no room for it, keeping the first verdict', async () => {
    const { etcd, kube } = readers();
    etcd.pings.set(etcd.endpoints[1] as string, [300, 180, 240, 170, 190, 175, 4, 4, 4, 4, 4, 4]);
    const [finding] = await run(etcd, kube, { budgetSeconds: 1, confirmAfterMs: 2_000 });
    expect(finding?.severity).toBe('warning');
    expect(finding?.evidence.some((each) => each.label === 'second round')).toBe(false);
  });

  it('names the member much slower than the others, quotes its figures and says what it can explain', async () => {
    const { etcd, kube } = readers();
    etcd.pings.set(etcd.endpoints[0] as string, [3, 3, 4, 3, 3, 3]);
    etcd.pings.set(etcd.endpoints[1] as string, [300, 180, 240, 170, 190, 175]);
    etcd.pings.set(etcd.endpoints[2] as string, [4]);
    const [finding] = await run(etcd, kube);
    expect(finding).toMatchObject({
      severity: 'warning',
      about: { component: 'etcd', instance: 'etcd-2' },
      signals: ['etcd.member-slow'],
      title:
        'etcd member etcd-2 answers much slower than the others: etcd-2: median 180 ms, max 240 ms; others 3.0–4.0 ms',
    });
    expect(finding?.summary).toMatch(/API server 3\.0 ms measured the same way/);
    expect(finding?.evidence[1]?.value).toBe('median 180 ms, max 240 ms (5 samples) — much slower than the others');
    const data = finding?.data as { members: Array<{ name: string; slow: boolean; samplesMs: number[] }> };
    expect(data.members.map((member) => [member.name, member.slow])).toEqual([
      ['etcd-1', false],
      ['etcd-2', true],
      ['etcd-3', false],
    ]);
    // The warm-up (300 ms, a new connection) is not a sample.
    expect(data.members[1]?.samplesMs).toEqual([180, 240, 170, 190, 175]);
  });

  it('leaves a member that cannot be reached to the member-health check: a short note, no warning', async () => {
    const { etcd, kube } = readers();
    etcd.statuses.set(etcd.endpoints[1] as string, new Error('connection refused'));
    const [finding] = await run(etcd, kube);
    expect(finding?.severity).toBe('ok');
    expect(finding?.summary).toMatch(/etcd-2 did not answer \(see etcd member health\)/);
    expect(finding?.evidence[1]).toEqual({ label: 'etcd-2', value: 'unreachable: connection refused' });
  });

  it('counts timeouts of a member that answers sometimes as slow, with figures marked as lower bounds', async () => {
    const { etcd, kube } = readers();
    etcd.pings.set(etcd.endpoints[2] as string, [
      { timedOut: true, error: 'no answer', tookMs: 1000 },
      400,
      { timedOut: true, error: 'no answer', tookMs: 1000 },
      { timedOut: true, error: 'no answer', tookMs: 1000 },
      420,
      { timedOut: true, error: 'no answer', tookMs: 1000 },
    ]);
    const [finding] = await run(etcd, kube);
    expect(finding?.severity).toBe('warning');
    expect(finding?.title).toMatch(/etcd-3: median ≥1\.00 s, max ≥1\.00 s \(3 of 5 timed out\); others 2\.0 ms$/);
  });

  it('warns when every member is slow from here, and points at the path when the API server is fast', async () => {
    const { etcd, kube } = readers();
    for (const endpoint of etcd.endpoints) etcd.pings.set(endpoint, [700]);
    const [finding] = await run(etcd, kube);
    expect(finding?.severity).toBe('warning');
    expect(finding?.signals).toBeUndefined();
    expect(finding?.title).toBe('etcd answers slowly from here: 700 ms median per member (API server 3.0 ms)');
    expect(finding?.recommendation).toMatch(/^The API server answers quickly from the same worker/);
  });

  it('still reports the members when the API server does not answer', async () => {
    const { etcd, kube } = readers();
    kube.rawResponses.set('/version', new Error('connect ECONNREFUSED'));
    const [finding] = await run(etcd, kube);
    expect(finding?.severity).toBe('ok');
    expect(finding?.title).toMatch(/\(API server not measured\)$/);
    expect(finding?.evidence.find((item) => item.label.startsWith('API server'))?.value).toBe(
      'unreachable: connect ECONNREFUSED',
    );
  });
});

describe('sampleRoundTrips', () => {
  const base = { samples: 3, spacingMs: 200, budgetMs: 60_000 };

  it('spaces the samples out with the injected sleep and stops at the first sign of an abort', async () => {
    const controller = new AbortController();
    const sleeps: number[] = [];
    let calls = 0;
    const sampled = sampleRoundTrips(
      async () => {
        calls += 1;
        if (calls === 3) controller.abort(new Error('run cancelled'));
        return { answered: true, tookMs: 1 };
      },
      {
        ...base,
        signal: controller.signal,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
    );
    await expect(sampled).rejects.toThrow('run cancelled');
    expect(sleeps).toEqual([200, 200]);
    expect(calls).toBe(3);
  });

  it('stops taking samples once the budget is spent', async () => {
    const sampled = await sampleRoundTrips(async () => ({ answered: true, tookMs: 1 }), {
      ...base,
      budgetMs: 0,
      signal: new AbortController().signal,
      sleep: async () => undefined,
    });
    expect(sampled).toMatchObject({
      answeredMs: [],
      stoppedEarly: 'stopped after 0 of 3 samples: the 0 s budget ran out',
    });
  });
});
