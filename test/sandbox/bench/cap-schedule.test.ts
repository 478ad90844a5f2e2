import { describe, expect, it } from '@jest/globals';
import { clusterSchedules, idealScheduleMs } from '../../../src/sandbox/bench/cap-schedule.js';

describe('the per-cluster cap benchmark: concurrency over time and the ideal schedule', () => {
  it('counts the most runs at once per cluster, a run ending as another starts counting once', () => {
    const schedules = clusterSchedules([
      { cluster: 'a', startMs: 0, endMs: 10 },
      { cluster: 'a', startMs: 5, endMs: 15 },
      { cluster: 'a', startMs: 10, endMs: 20 },
      { cluster: 'b', startMs: 0, endMs: 4 },
      { cluster: 'b', startMs: 1, endMs: 3 },
      { cluster: 'b', startMs: 2, endMs: 5 },
    ]);
    expect(schedules).toEqual([
      { cluster: 'a', runs: 3, peak: 2, busyMs: 30 },
      { cluster: 'b', runs: 3, peak: 3, busyMs: 9 },
    ]);
  });

  it("takes the busiest cluster's summed run times over its cap as the ideal", () => {
    const schedules = clusterSchedules([
      { cluster: 'a', startMs: 0, endMs: 10 },
      { cluster: 'a', startMs: 0, endMs: 10 },
      { cluster: 'a', startMs: 10, endMs: 30 },
      { cluster: 'b', startMs: 0, endMs: 8 },
    ]);
    expect(idealScheduleMs(schedules, 2)).toBe(20);
    expect(idealScheduleMs([], 2)).toBe(0);
  });
});
