import { describe, expect, it } from '@jest/globals';
import { closestMatches, editDistance } from '../../src/core/closest-match.js';

describe('editDistance', () => {
  it.each([
    ['etcd', 'etcd', 0],
    ['etdc', 'etcd', 1],
    ['prod-wset', 'prod-west', 1],
    ['latncy', 'latency', 1],
    ['prod-wset', 'prod-east', 3],
    ['', 'abc', 3],
  ])('%s → %s is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe('closestMatches', () => {
  const playbooks = ['apiserver-latency', 'control-plane-health', 'etcd-db-growth', 'scheduler-pending'];
  it.each([
    ['etcd-growth', playbooks, ['etcd-db-growth']],
    ['etcd-db-grwoth', playbooks, ['etcd-db-growth']],
    ['schedular-pending', playbooks, ['scheduler-pending']],
    ['control', playbooks, ['control-plane-health']],
    ['prod-ue', ['prod-eu', 'prod-us'], ['prod-eu', 'prod-us']],
    ['prod-wset', ['prod-east', 'prod-west'], ['prod-west']],
    ['zzz', ['prod-east', 'prod-west'], []],
  ])('%s among %j suggests %j', (typed, known, expected) => {
    expect(closestMatches(typed, known)).toEqual(expected);
  });
});
