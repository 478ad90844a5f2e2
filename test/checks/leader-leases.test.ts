import { describe, expect, it } from '@jest/globals';
import { holderHost, judgeLease } from '../../src/checks/leader-leases.js';
import type { Lease } from '../../src/ports/kube-types.js';

const now = new Date('2026-11-24T03:00:00Z');
function lease(renewSecondsAgo: number, spec: Partial<NonNullable<Lease['spec']>> = {}): Lease {
  return {
    metadata: { name: 'kube-scheduler', namespace: 'kube-system' },
    spec: {
      holderIdentity: 'cp-1_6b9e1f2c-9d1a-4a51-8f0e-1f7c2d3e4a5b',
      leaseDurationSeconds: 15,
      renewTime: new Date(now.getTime() - renewSecondsAgo * 1000).toISOString(),
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
    { name: 'flapping', lease: lease(1, { leaseTransitions: 40 }), severity: 'warning' },
    { name: 'never renewed', lease: lease(1, { renewTime: undefined, acquireTime: undefined }), severity: 'critical' },
  ])('calls a $name lease $severity', ({ lease: input, severity }) => {
    expect(judgeLease('kube-scheduler', input, now, 10).severity).toBe(severity);
  });

  it('names the component, the holder host and the age in a stale title', () => {
    const finding = judgeLease('kube-scheduler', lease(300), now, 10);
    expect(finding.title).toBe('kube-scheduler has no active leader: lease last renewed 5m 0s ago by cp-1');
  });

  it('takes the host from a holder identity', () => {
    expect(holderHost('cp-2_0f9c')).toBe('cp-2');
    expect(holderHost('my_host_name_abc')).toBe('my_host_name');
    expect(holderHost(undefined)).toBe('(nobody)');
  });
});
