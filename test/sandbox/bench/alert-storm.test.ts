import { describe, expect, it } from '@jest/globals';
import { alertStormRow, runAlertStorm } from '../../../src/sandbox/bench/alert-storm-bench.js';

describe('alert storm benchmark (small)', () => {
  it('answers every post, starts one run per (cluster, playbook) across a bot restart, and counts every alert', async () => {
    const result = await runAlertStorm({ posts: 600, fingerprints: 60, concurrency: 16, afterRestartPosts: 120 });
    expect(result.pairs).toBe(12);
    expect(result.quorum).toMatchObject({ requests: 600, ok: 600 });
    expect(result.bare).toMatchObject({ requests: 600, ok: 600 });
    expect(result.checks).toMatchObject({ allOk: true, oneRunPerPair: true, countsComplete: true });
    expect(Object.values(result.counts).reduce((sum, each) => sum + each.sent, 0)).toBe(60);
    expect(alertStormRow(result).notes).toMatch(/Quorum \d+ req\/s, p99 [\d.]+ ms; bare server \d+ req\/s/);
  }, 120_000);
});
