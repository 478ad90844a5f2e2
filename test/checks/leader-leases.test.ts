import { describe, expect, it } from '@jest/globals';
import { holderHost, judgeLease, leaderLeasesCheck } from '../../src/checks/leader-leases.js';
import type { Lease } from '../../src/ports/kube-types.js';
import { FakeKubeReader, checkContext } from './fake-readers.js';

const now = new Date('2026-11-24T03:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
const DAY = 86_400;
const judgement = { recentChangeMs: 15 * 60_000 };

function lease(renewSecondsAgo: number, spec: Partial<NonNullable<Lease['spec']>> = {}): Lease {
  return {
    metadata: { name: 'kube-scheduler', namespace: 'kube-system' },
    spec: {
      holderIdentity: 'cp-1_6b9e1f2c-9d1a-4a51-8f0e-1f7c2d3e4a5b',
      leaseDurationSeconds: 15,
      renewTime: ago(renewSecondsAgo),
      leaseTransitions: 2,
      ...spec,
    },
  };
}

describe('judgeLease', () => {
  it.each([
    { name: 'fresh', lease: lease(3), severity: 'ok' },
    { name: 'exactly at the duration', lease: lease(15), severity: 'ok' },
    { name: 'stale', lease: lease(16), severity: 'critical' },
    { name: 'stale for minutes', lease: lease(300), severity: 'critical' },
    { name: 'without a holder', lease: lease(1, { holderIdentity: undefined }), severity: 'critical' },
    { name: 'never renewed', lease: lease(1, { renewTime: undefined, acquireTime: undefined }), severity: 'critical' },
    {
      name: 'year-old, 40 transitions, held for 12 days',
      lease: lease(1, { leaseTransitions: 40, acquireTime: ago(12 * DAY) }),
      severity: 'ok',
    },
    {
      name: 'taken over 3 minutes ago after 44 transitions',
      lease: lease(1, { leaseTransitions: 44, acquireTime: ago(220) }),
      severity: 'warning',
    },
    {
      name: 'taken over 3 minutes ago after a single earlier leader',
      lease: lease(1, { leaseTransitions: 1, acquireTime: ago(180) }),
      severity: 'warning',
    },
    {
      name: 'acquired for the first time 2 minutes ago (new cluster)',
      lease: lease(1, { leaseTransitions: 0, acquireTime: ago(120) }),
      severity: 'ok',
    },
    {
      name: 'stale although acquired long ago',
      lease: lease(60, { leaseTransitions: 3, acquireTime: ago(6 * DAY) }),
      severity: 'critical',
    },
    { name: '40 transitions, no acquireTime recorded', lease: lease(1, { leaseTransitions: 40 }), severity: 'ok' },
  ])('calls a $name lease $severity', ({ lease: input, severity }) => {
    expect(judgeLease('kube-scheduler', input, now, judgement).severity).toBe(severity);
  });

  it('never judges the running total of transitions', () => {
    const quiet = judgeLease('kube-scheduler', lease(1, { leaseTransitions: 400, acquireTime: ago(40 * DAY) }), now, {
      recentChangeMs: 15 * 60_000,
    });
    expect(quiet).toMatchObject({ severity: 'ok', title: 'kube-scheduler leader cp-1 renewed 1s ago' });
    expect(quiet.summary).toBe('Within the 15s lease duration; leader for 40d 0h.');
    expect(quiet.evidence).toContainEqual({
      label: 'transitions',
      value: "400 over the lease's whole life (a running total, not a rate)",
    });
  });

  it('says when the current leader took over, and honours the recent-change window', () => {
    const input = lease(1, { leaseTransitions: 44, acquireTime: ago(220), holderIdentity: 'cp-2_0a7c' });
    const finding = judgeLease('kube-controller-manager', input, now, judgement);
    expect(finding.title).toBe('kube-controller-manager leader changed 3m 40s ago (now cp-2)');
    expect(finding.evidence).toContainEqual({ label: 'leader since', value: `3m 40s ago (${ago(220)})` });
    expect(judgeLease('kube-controller-manager', input, now, { recentChangeMs: 3 * 60_000 }).severity).toBe('ok');
  });

  it('reports a change between two reads of the lease, whatever the acquire time says', () => {
    const earlier = lease(2, { leaseTransitions: 44, acquireTime: ago(20 * DAY) });
    const later = lease(1, { leaseTransitions: 45, acquireTime: ago(20 * DAY), holderIdentity: 'cp-3_77aa' });
    const finding = judgeLease('kube-scheduler', later, now, {
      ...judgement,
      earlier: { lease: earlier, at: new Date(now.getTime() - 10_000) },
    });
    expect(finding.severity).toBe('warning');
    expect(finding.title).toBe('kube-scheduler leader changed once within 10s (now cp-3)');
    expect(finding.evidence).toContainEqual({ label: 'watched 10s', value: 'transitions 44 → 45, holder cp-1 → cp-3' });
  });

  it('names the component, the holder host and the age in a stale title', () => {
    const finding = judgeLease('kube-scheduler', lease(300), now, judgement);
    expect(finding.title).toBe('kube-scheduler has no active leader: lease last renewed 5m 0s ago by cp-1');
  });

  it('says which node the leader runs on, and what the cause rules read: stale, or changed hands', () => {
    const stale = judgeLease('kube-scheduler', lease(300), now, judgement);
    expect(stale.about).toEqual({ component: 'kube-scheduler', node: 'cp-1' });
    expect(stale.signals).toEqual(['lease.stale']);
    const changed = judgeLease('kube-scheduler', lease(1, { acquireTime: ago(200) }), now, judgement);
    expect(changed.signals).toEqual(['lease.leader-changed']);
    expect(judgeLease('kube-scheduler', lease(2), now, judgement).signals).toBeUndefined();
    expect(judgeLease('kube-scheduler', lease(300, { holderIdentity: undefined }), now, judgement).about).toEqual({
      component: 'kube-scheduler',
    });
  });

  it('takes the host from a holder identity', () => {
    expect(holderHost('cp-2_0f9c')).toBe('cp-2');
    expect(holderHost('my_host_name_abc')).toBe('my_host_name');
    expect(holderHost(undefined)).toBe('(nobody)');
  });
});

describe('leases.leader', () => {
  function cluster(): FakeKubeReader {
    const kube = new FakeKubeReader();
    kube.leaseList = [
      lease(1, { leaseTransitions: 7, acquireTime: ago(9 * DAY) }),
      {
        ...lease(1, { leaseTransitions: 12, acquireTime: ago(30 * DAY), holderIdentity: 'cp-2_91bd' }),
        metadata: { name: 'kube-controller-manager', namespace: 'kube-system' },
      },
    ];
    return kube;
  }

  it('reads each lease twice, watchSeconds apart, and reports the one whose leader moved in between', async () => {
    const kube = cluster();
    let clock = now.getTime();
    const slept: number[] = [];
    const context = checkContext({
      kube,
      now: () => new Date(clock),
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
        // While Quorum waits, cp-3 takes kube-controller-manager's lease over.
        kube.leaseList = kube.leaseList.map((one) =>
          one.metadata.name === 'kube-controller-manager'
            ? {
                ...one,
                spec: {
                  ...one.spec,
                  holderIdentity: 'cp-3_5e0c',
                  leaseTransitions: 13,
                  acquireTime: new Date(clock - 2_000).toISOString(),
                  renewTime: new Date(clock - 1_000).toISOString(),
                },
              }
            : one,
        );
      },
    });
    const findings = await leaderLeasesCheck.run(context, leaderLeasesCheck.args.parse({ watchSeconds: 10 }));
    expect(slept).toEqual([10_000]);
    expect(findings.map((finding) => [finding.severity, finding.title])).toEqual([
      ['ok', 'kube-scheduler leader cp-1 renewed 11s ago'],
      ['warning', 'kube-controller-manager leader changed once within 10s (now cp-3)'],
    ]);
    expect(findings[0]?.evidence).toContainEqual({ label: 'watched 10s', value: 'no change of leader' });
  });

  it('reads once and does not wait by default', async () => {
    const slept: number[] = [];
    const findings = await leaderLeasesCheck.run(
      checkContext({
        kube: cluster(),
        now: () => now,
        sleep: async (ms) => {
          slept.push(ms);
        },
      }),
      leaderLeasesCheck.args.parse({}),
    );
    expect(slept).toEqual([]);
    expect(findings.map((finding) => finding.severity)).toEqual(['ok', 'ok']);
  });
});
