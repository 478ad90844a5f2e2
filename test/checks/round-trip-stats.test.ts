import { describe, expect, it } from '@jest/globals';
import {
  confirmSlowMembers,
  describeSlowMember,
  describeSummary,
  findSlowMembers,
  formatMs,
  formatMsRange,
  median,
  summarizeRoundTrips,
  type MemberRoundTrip,
  type RoundTripSummary,
} from '../../src/checks/round-trip-stats.js';

const RULE = { ratio: 3, floorMs: 50 };

function summary(medianMs: number, maxMs = medianMs): RoundTripSummary {
  return { samples: 5, timeouts: 0, medianMs, maxMs, lowerBound: false };
}

function members(...medians: number[]): MemberRoundTrip[] {
  return medians.map((value, index) => ({ name: `etcd-${index + 1}`, summary: summary(value) }));
}

describe('round-trip statistics', () => {
  it.each([
    [[], Number.NaN],
    [[7], 7],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[180, 2, 240, 3, 200], 180],
  ])('median of %j is %p', (values, expected) => {
    expect(median(values)).toEqual(expected);
  });

  it('counts a timed-out sample as the time it waited and says the figures are lower bounds', () => {
    expect(summarizeRoundTrips({ answeredMs: [100, 120, 110], timedOutMs: [2000, 2001] })).toEqual({
      samples: 5,
      timeouts: 2,
      medianMs: 120,
      maxMs: 2001,
      lowerBound: true,
    });
  });

  it('has no summary for a target that never answered: unreachable, not slow', () => {
    expect(summarizeRoundTrips({ answeredMs: [], timedOutMs: [2000, 2000] })).toBeUndefined();
  });

  it.each([
    ['one member far slower than two fast ones', [3, 180, 4], ['etcd-2']],
    ['every member fast', [1.2, 0.8, 2.5], []],
    ['3x slower but under the floor: noise on a fast network', [2, 40, 3], []],
    ['over the floor but not 3x the others', [60, 150, 70], []],
    ['all equally slow: nobody stands out', [400, 420, 410], []],
    ['a single member: nothing to compare with', [500], []],
    ['two members, one slow', [2, 200], ['etcd-2']],
    ['five members, one slow', [2, 3, 2, 250, 3], ['etcd-4']],
  ])('flags %s', (_case, medians, expected) => {
    expect(findSlowMembers(members(...medians), RULE).map((member) => member.name)).toEqual(expected);
  });

  it.each([
    ['fast again: a passing stall', members(3, 4, 4), { slow: [], passed: ['etcd-2'], silent: [] }],
    ['still slow', members(3, 190, 4), { slow: ['etcd-2'], passed: [], silent: [] }],
    [
      'silent: no recovery',
      [members(3, 0, 4)[0]!, members(3, 0, 4)[2]!],
      { slow: ['etcd-2'], passed: [], silent: ['etcd-2'] },
    ],
    [
      'one member left to compare with: nothing cleared',
      members(3).slice(0, 1),
      { slow: ['etcd-2'], passed: [], silent: ['etcd-2'] },
    ],
  ])('confirms a first-round suspect by a second round: %s', (_case, again, expected) => {
    const suspects = findSlowMembers(members(3, 180, 4), RULE);
    const opinion = confirmSlowMembers(suspects, again, RULE);
    expect({ ...opinion, slow: opinion.slow.map((member) => member.name) }).toEqual(expected);
  });

  it('measures a slow member against the median of the others, and quotes their range', () => {
    const [slow] = findSlowMembers(
      [
        { name: 'etcd-1', summary: summary(3.2, 4) },
        { name: 'etcd-2', summary: summary(180, 240) },
        { name: 'etcd-3', summary: summary(4.1, 6) },
      ],
      RULE,
    );
    expect(slow?.othersMedianMs).toBeCloseTo(3.65);
    expect(slow?.othersRangeMs).toEqual([3.2, 4.1]);
    expect(slow && describeSlowMember(slow)).toBe('etcd-2: median 180 ms, max 240 ms; others 3.2–4.1 ms');
  });

  it.each([
    [0.84, '0.8 ms'],
    [3.25, '3.3 ms'],
    [10, '10 ms'],
    [180.4, '180 ms'],
    [2400, '2.40 s'],
    [Number.NaN, '—'],
  ])('writes %p ms as %p', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  it.each([
    [[3, 4], '3.0–4.0 ms'],
    [[12, 15], '12–15 ms'],
    [[3.01, 3.04], '3.0 ms'],
    [[8, 1200], '8.0 ms–1.20 s'],
  ] as const)('writes the range %j as %p', (range, text) => {
    expect(formatMsRange(range)).toBe(text);
  });

  it('marks figures with timed-out samples as at least', () => {
    expect(describeSummary({ samples: 5, timeouts: 2, medianMs: 120, maxMs: 2000, lowerBound: true })).toBe(
      'median ≥120 ms, max ≥2.00 s (2 of 5 timed out)',
    );
  });
});
