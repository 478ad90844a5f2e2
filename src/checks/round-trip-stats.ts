/**
 * The arithmetic of round-trip measurements, apart from any network: summaries of samples, which member is much
 * slower than the others, and the figures as people read them.
 */

/** What sampling one target gave: the round trips that answered, and how long the ones that timed out waited. */
export interface RoundTripSamples {
  /** Answered round trips, in ms, in the order taken. */
  answeredMs: readonly number[];
  /** Samples that got no answer before their deadline: how long each waited, in ms (at least the deadline). */
  timedOutMs: readonly number[];
}

export interface RoundTripSummary {
  /** Samples taken: answered and timed out. */
  samples: number;
  timeouts: number;
  /** Median in ms, a timed-out sample counted as the time it waited. */
  medianMs: number;
  /** Slowest in ms, likewise. */
  maxMs: number;
  /** True when a timed-out sample is in the figures: the real values are at least these. */
  lowerBound: boolean;
}

/** The median; the mean of the middle two for an even count. `NaN` for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Median and max of a target's samples. A timed-out sample counts as the time it waited (its deadline), a lower
 * bound, so a member that times out half the time is not judged by its lucky answers alone. `undefined` when no sample answered: that is a
 * target that cannot be reached, not a slow one.
 */
export function summarizeRoundTrips(samples: RoundTripSamples): RoundTripSummary | undefined {
  if (samples.answeredMs.length === 0) return undefined;
  const values = [...samples.answeredMs, ...samples.timedOutMs];
  return {
    samples: values.length,
    timeouts: samples.timedOutMs.length,
    medianMs: median(values),
    maxMs: Math.max(...values),
    lowerBound: samples.timedOutMs.length > 0,
  };
}

/** When a member counts as much slower than the others. */
export interface SlowMemberRule {
  /** Its median must exceed this many times the median of the other members' medians. */
  ratio: number;
  /**
   * …and be at least this many ms: on loopback or in one rack every member answers in a millisecond or two, and 3 ms
   * against 0.8 ms is noise, not a problem. (ms)
   */
  floorMs: number;
}

export interface MemberRoundTrip {
  name: string;
  summary: RoundTripSummary;
}

export interface SlowMember {
  name: string;
  summary: RoundTripSummary;
  /** The median of the other answering members' medians, in ms: what "much slower" is measured against. */
  othersMedianMs: number;
  /** The fastest and slowest of the other members' medians, in ms, for "others 3–4 ms". */
  othersRangeMs: readonly [number, number];
}

/**
 * The members much slower than the others: median above `ratio` × the median of the others' medians and above the
 * floor. Each member is compared with the rest, not with the fastest, so one lucky member does not make the others
 * look slow; with fewer than two members there is nothing to compare.
 */
export function findSlowMembers(members: readonly MemberRoundTrip[], rule: SlowMemberRule): SlowMember[] {
  if (members.length < 2) return [];
  const slow: SlowMember[] = [];
  for (const member of members) {
    const others = members.filter((other) => other !== member).map((other) => other.summary.medianMs);
    const othersMedianMs = median(others);
    if (member.summary.medianMs >= rule.floorMs && member.summary.medianMs > rule.ratio * othersMedianMs) {
      slow.push({
        name: member.name,
        summary: member.summary,
        othersMedianMs,
        othersRangeMs: [Math.min(...others), Math.max(...others)],
      });
    }
  }
  return slow;
}

/** What a second round says of the members the first one found much slower. */
export interface SecondOpinion {
  /** Still much slower, or silent: a member that stopped answering has not recovered. */
  slow: SlowMember[];
  /** Answered again, among at least one other member, and no longer much slower: a passing stall. */
  passed: string[];
  /** Did not answer in the second round. */
  silent: string[];
}

/** Judges the first round's suspects by a second round of the members that answered it. */
export function confirmSlowMembers(
  suspects: readonly SlowMember[],
  again: readonly MemberRoundTrip[],
  rule: SlowMemberRule,
): SecondOpinion {
  const answered = new Set(again.map((member) => member.name));
  const stillSlow = new Set(findSlowMembers(again, rule).map((member) => member.name));
  const cleared = (name: string) => again.length >= 2 && answered.has(name) && !stillSlow.has(name);
  return {
    slow: suspects.filter((member) => !cleared(member.name)),
    passed: suspects.filter((member) => cleared(member.name)).map((member) => member.name),
    silent: suspects.filter((member) => !answered.has(member.name)).map((member) => member.name),
  };
}

/** "0.8 ms", "3.4 ms", "180 ms", "2.40 s": a decimal where it still means something. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** "3–4 ms", or "3.1 ms" when both ends read the same. */
export function formatMsRange([low, high]: readonly [number, number]): string {
  const [from, to] = [formatMs(low), formatMs(high)];
  if (from === to) return from;
  const [fromValue, fromUnit] = from.split(' ');
  const [toValue, toUnit] = to.split(' ');
  return fromUnit === toUnit ? `${fromValue}–${toValue} ${toUnit}` : `${from}–${to}`;
}

/** "median 180 ms, max 240 ms", with "≥" when timed-out samples are in the figures. */
export function describeSummary(summary: RoundTripSummary): string {
  const atLeast = summary.lowerBound ? '≥' : '';
  const timeouts = summary.timeouts > 0 ? ` (${summary.timeouts} of ${summary.samples} timed out)` : '';
  return `median ${atLeast}${formatMs(summary.medianMs)}, max ${atLeast}${formatMs(summary.maxMs)}${timeouts}`;
}

/** "etcd-2: median 180 ms, max 240 ms; others 3–4 ms". */
export function describeSlowMember(slow: SlowMember): string {
  return `${slow.name}: ${describeSummary(slow.summary)}; others ${formatMsRange(slow.othersRangeMs)}`;
}
