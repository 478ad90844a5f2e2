/** When one run held a slot of its cluster: from the worker taking the job to the job's completion (ms epoch). */
export interface RunInterval {
  cluster: string;
  startMs: number;
  endMs: number;
}

export interface ClusterSchedule {
  cluster: string;
  runs: number;
  /** Most runs active at once on this cluster, at any instant. */
  peak: number;
  /** Sum of the runs' durations (ms). */
  busyMs: number;
}

/**
 * Concurrency per cluster over time by a sweep over the runs' start and end instants. At equal instants ends come
 * first: a job that completes and the next one taken in the same millisecond never held two slots at once.
 */
export function clusterSchedules(intervals: readonly RunInterval[]): ClusterSchedule[] {
  const clusters = [...new Set(intervals.map((interval) => interval.cluster))].sort();
  return clusters.map((cluster) => {
    const mine = intervals.filter((interval) => interval.cluster === cluster);
    const edges = mine
      .flatMap((interval) => [
        { at: interval.startMs, delta: 1 },
        { at: interval.endMs, delta: -1 },
      ])
      .sort((a, b) => a.at - b.at || a.delta - b.delta);
    let active = 0;
    let peak = 0;
    for (const edge of edges) {
      active += edge.delta;
      peak = Math.max(peak, active);
    }
    const busyMs = mine.reduce((sum, interval) => sum + (interval.endMs - interval.startMs), 0);
    return { cluster, runs: mine.length, peak, busyMs };
  });
}

/**
 * The shortest total time any scheduler could reach with these measured runs and `cap` slots per cluster (clusters
 * run side by side): the busiest cluster's total run time spread over its slots.
 */
export function idealScheduleMs(schedules: readonly ClusterSchedule[], cap: number): number {
  return Math.max(0, ...schedules.map((schedule) => schedule.busyMs / cap));
}
