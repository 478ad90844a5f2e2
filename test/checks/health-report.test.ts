import { describe, expect, it } from '@jest/globals';
import { parseHealthReport } from '../../src/checks/health-report.js';

describe('parseHealthReport', () => {
  it.each([
    {
      name: 'a passing readyz',
      text: '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]poststarthook/start-informers ok\nreadyz check passed\n',
      passed: true,
      failing: [],
    },
    {
      name: 'a failing readyz with reasons withheld',
      text: '[+]ping ok\n[-]etcd failed: reason withheld\n[+]informer-sync ok\n[-]poststarthook/crd-informer-synced failed: reason withheld\nreadyz check failed\n',
      passed: false,
      failing: ['etcd', 'poststarthook/crd-informer-synced'],
    },
    {
      name: 'excluded checks count as passing',
      text: '[+]etcd excluded: ok\nlivez check passed',
      passed: true,
      failing: [],
    },
    {
      name: 'a body with no verdict line',
      text: '[-]shutdown failed: process is shutting down',
      passed: undefined,
      failing: ['shutdown'],
    },
  ])('parses $name', ({ text, passed, failing }) => {
    const report = parseHealthReport(text);
    expect(report.passed).toBe(passed);
    expect(report.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(failing);
  });

  it('keeps the reason of a failing check', () => {
    expect(parseHealthReport('[-]etcd failed: reason withheld').checks[0]).toEqual({
      name: 'etcd',
      ok: false,
      reason: 'reason withheld',
    });
  });
});
