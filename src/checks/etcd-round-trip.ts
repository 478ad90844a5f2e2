import { z } from 'zod';
import { describeError, KubeTimeoutError } from '../core/errors.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { pluralize } from '../findings/format.js';
import type { KubeReader } from '../ports/kube-reader.js';
import type { EtcdReader } from '../ports/etcd-reader.js';
import { defineCheck } from './check.js';
import { sampleRoundTrips, type RoundTripProbe, type SampledRoundTrips } from './round-trip-sampler.js';
import {
  confirmSlowMembers,
  describeSlowMember,
  describeSummary,
  findSlowMembers,
  formatMs,
  formatMsRange,
  summarizeRoundTrips,
  type RoundTripSummary,
} from './round-trip-stats.js';

const Args = z.object({
  /** Measured samples per member (and for the API server), after one warm-up call. */
  samples: z.number().int().min(2).max(20).default(5),
  /** Pause between samples, in ms. */
  spacingMs: z.number().int().nonnegative().max(5_000).default(200),
  /** Each sample's deadline, in ms (the etcd reader's requestTimeoutMs caps it). */
  timeoutMs: z.number().int().positive().max(10_000).default(2_000),
  /** No new sample starts after this many seconds: the check stays well within its deadline. */
  budgetSeconds: z.number().positive().max(60).default(15),
  /** A member is much slower when its median exceeds this many times the others' median… */
  slowRatio: z.number().gt(1).default(3),
  /** …and this many ms (below it, differences are noise on a fast network). */
  slowFloorMs: z.number().positive().default(50),
  /** Every member this slow (median, ms) is a warning of its own: etcd is slow from here, not one member. */
  allSlowMs: z.number().positive().default(500),
  /**
   * A member that looks much slower is measured again this long after the first round, and named only if it is slow
   * in both: a stall of a second or two (a compaction, a busy node) is not a slow member. 0 turns the second round off.
   */
  confirmAfterMs: z.number().int().nonnegative().max(30_000).default(2_000),
});

/** The path the API server answers from memory, without touching etcd (unlike `/livez`, whose etcd check reads). */
const APISERVER_PATH = '/version';

interface MemberTarget {
  name: string;
  endpoint: string;
}

interface Measured extends MemberTarget {
  sampled: SampledRoundTrips;
  summary?: RoundTripSummary;
}

type Answering = Measured & { summary: RoundTripSummary };

/** The members that answered at least one sample. */
function answered(members: readonly Measured[]): Answering[] {
  return members.flatMap((member) => (member.summary ? [{ ...member, summary: member.summary }] : []));
}

/** "2 s later: etcd-1 median 3.0 ms, etcd-3 median 4.0 ms — etcd-2 did not answer". */
function describeSecondRound(afterMs: number, again: readonly Answering[], passed: string[], silent: string[]): string {
  const figures = again.map((member) => `${member.name} median ${formatMs(member.summary.medianMs)}`).join(', ');
  return [
    `${afterMs / 1000} s later: ${figures || 'no member answered'}`,
    ...(passed.length > 0 ? [`${passed.join(', ')} no longer much slower (a passing stall)`] : []),
    ...(silent.length > 0 ? [`${silent.join(', ')} did not answer`] : []),
  ].join(' \u2014 ');
}

/** Members by name, from etcd's own list; the configured endpoints stand in when the list cannot be read. */
async function memberTargets(etcd: EtcdReader): Promise<{ targets: MemberTarget[]; skipped: string[] }> {
  try {
    const members = await etcd.members();
    const skipped = members.filter((member) => !member.clientURLs[0]).map((member) => member.name || member.id);
    const targets = members
      .filter((member) => member.clientURLs[0])
      .map((member) => ({ name: member.name || member.id, endpoint: member.clientURLs[0] as string }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { targets, skipped };
  } catch {
    // The member-health check says why the list failed; the round trips are still worth having per endpoint.
    return { targets: etcd.endpoints.map((endpoint) => ({ name: endpoint, endpoint })), skipped: [] };
  }
}

function etcdProbe(etcd: EtcdReader, endpoint: string, timeoutMs: number): RoundTripProbe {
  return async (signal) => {
    const ping = await etcd.ping(endpoint, { signal, timeoutMs });
    return ping.answered ? ping : { answered: false, tookMs: ping.tookMs, timedOut: ping.timedOut, error: ping.error };
  };
}

function apiserverProbe(kube: KubeReader, timeoutMs: number): RoundTripProbe {
  return async (signal) => {
    const limit = AbortSignal.timeout(timeoutMs);
    const began = performance.now();
    try {
      // Any status is an answer: a 401 or 403 took the same trip.
      const response = await kube.raw(APISERVER_PATH, { signal: AbortSignal.any([signal, limit]) });
      // The time on the wire, not the wait in Quorum's own rate limiter behind other checks' requests.
      return { answered: true, tookMs: response.durationMs ?? performance.now() - began };
    } catch (error) {
      if (signal.aborted) throw error;
      const tookMs = performance.now() - began;
      if (limit.aborted || error instanceof KubeTimeoutError) {
        return { answered: false, tookMs, timedOut: true, error: `no answer within ${timeoutMs} ms` };
      }
      return { answered: false, tookMs, timedOut: false, error: describeError(error) };
    }
  };
}

/** "median 3.1 ms, max 5.0 ms (5 samples)", or why there are no figures. */
function describeMeasured(sampled: SampledRoundTrips, summary: RoundTripSummary | undefined): string {
  const note = sampled.stoppedEarly ? `; ${sampled.stoppedEarly}` : '';
  if (summary) return `${describeSummary(summary)} (${pluralize(summary.samples, 'sample')})${note}`;
  if (sampled.unreachable) return `unreachable: ${sampled.unreachable}`;
  return `no sample answered${note}`;
}

function apiserverText(summary: RoundTripSummary | undefined): string {
  return summary ? `API server ${formatMs(summary.medianMs)}` : 'API server not measured';
}

const SLOW_MEMBER_ADVICE =
  'A member that answers its own local read slowly while the others are fast is either far away on the network (packet loss, a saturated or misconfigured NIC, another zone, a congested route) or starved on its node (CPU throttling, memory pressure, disk stalls that block its gRPC server). Every API server that talks to it waits as long on each request. From its node: compare `etcdctl endpoint status` timings with the others, look at etcd_network_peer_round_trip_time_seconds, etcd_disk_wal_fsync_duration_seconds and the node\u2019s CPU and I/O; from here: ping and mtr to its address.';

/**
 * "Ping the etcd endpoint": the round trip of a cheap read per member (serializable, so the member answers from its
 * own state), sampled several times and spread out, next to the API server's round trip measured the same way. A
 * member much slower than the others is a warning that names it and quotes the figures; members that cannot be
 * reached are left to `etcd.member-health`, which reports them.
 */
export const etcdRoundTripCheck = defineCheck({
  id: 'etcd.round-trip',
  description: 'round-trip time to each etcd member',
  needs: ['etcd'],
  about: 'etcd',
  args: Args,
  async run({ etcd, kube, signal, sleep }, args) {
    if (!etcd) return [];
    const sampling = {
      samples: args.samples,
      spacingMs: args.spacingMs,
      budgetMs: args.budgetSeconds * 1000,
      signal,
      sleep,
    };
    const { targets, skipped } = await memberTargets(etcd);
    const began = performance.now();
    const measure = (chosen: readonly MemberTarget[], within = sampling): Promise<Measured[]> =>
      Promise.all(
        chosen.map(async (target): Promise<Measured> => {
          const sampled = await sampleRoundTrips(etcdProbe(etcd, target.endpoint, args.timeoutMs), within);
          const summary = summarizeRoundTrips(sampled);
          return { ...target, sampled, ...(summary ? { summary } : {}) };
        }),
      );
    // Members and the API server side by side: separate paths, and the figures are meant to be compared.
    const [members, apiserver] = await Promise.all([
      measure(targets),
      sampleRoundTrips(apiserverProbe(kube, args.timeoutMs), sampling),
    ]);
    const apiserverSummary = summarizeRoundTrips(apiserver);
    const answering = answered(members);
    const unreachable = members.filter((member) => !member.summary);
    const rule = { ratio: args.slowRatio, floorMs: args.slowFloorMs };
    let slow = findSlowMembers(answering, rule);
    const confirmation: Evidence[] = [];
    let confirmedMedians: number[] | undefined;
    // The second round shares the first one's budget: the check stays within its deadline either way.
    const left = sampling.budgetMs - (performance.now() - began) - args.confirmAfterMs;
    if (slow.length > 0 && args.confirmAfterMs > 0 && left > 0) {
      await sleep(args.confirmAfterMs, signal);
      const fresh = answering.map(({ name, endpoint }) => ({ name, endpoint }));
      const again = answered(await measure(fresh, { ...sampling, budgetMs: left }));
      const opinion = confirmSlowMembers(slow, again, rule);
      slow = opinion.slow;
      // After a passing stall, the second round's figures are the ones that describe the members now.
      if (opinion.passed.length > 0) confirmedMedians = again.map((member) => member.summary.medianMs);
      confirmation.push({
        label: 'second round',
        value: describeSecondRound(args.confirmAfterMs, again, opinion.passed, opinion.silent),
      });
    }
    const slowNames = new Set(slow.map((member) => member.name));

    const evidence: Evidence[] = [
      ...members.map((member) => ({
        label: member.name,
        value: `${describeMeasured(member.sampled, member.summary)}${slowNames.has(member.name) ? ' \u2014 much slower than the others' : ''}`,
      })),
      ...skipped.map((name) => ({ label: name, value: 'not started (no client URL)' })),
      ...confirmation,
      { label: `API server (GET ${APISERVER_PATH})`, value: describeMeasured(apiserver, apiserverSummary) },
      {
        label: 'method',
        value: `a serializable count-only read of one key per member, ${args.samples} samples ${args.spacingMs} ms apart after one warm-up call, each within ${args.timeoutMs} ms, timed from this worker${args.confirmAfterMs > 0 ? `; a member that looks much slower is measured again ${args.confirmAfterMs / 1000} s later and named only if it still is` : ''}`,
      },
    ];
    const data = {
      samples: args.samples,
      spacingMs: args.spacingMs,
      timeoutMs: args.timeoutMs,
      members: members.map((member) => ({
        name: member.name,
        endpoint: member.endpoint,
        medianMs: member.summary?.medianMs ?? null,
        maxMs: member.summary?.maxMs ?? null,
        samplesMs: member.sampled.answeredMs,
        timeouts: member.sampled.timedOutMs.length,
        slow: slowNames.has(member.name),
        unreachable: member.sampled.unreachable ?? (member.summary ? null : 'no sample answered'),
      })),
      apiserver: {
        path: APISERVER_PATH,
        medianMs: apiserverSummary?.medianMs ?? null,
        maxMs: apiserverSummary?.maxMs ?? null,
        samplesMs: apiserver.answeredMs,
        timeouts: apiserver.timedOutMs.length,
        unreachable: apiserver.unreachable ?? null,
      },
    };
    const unreachableNote =
      unreachable.length > 0
        ? `; ${unreachable.map((member) => member.name).join(', ')} did not answer (see etcd member health)`
        : '';

    if (slow.length > 0) {
      const [only] = slow.length === 1 ? slow : [];
      return [
        {
          check: 'etcd.round-trip',
          severity: 'warning',
          about: { component: 'etcd', ...(only ? { instance: only.name } : {}) },
          signals: ['etcd.member-slow'],
          title: `etcd ${slow.length === 1 ? 'member' : 'members'} ${slow.map((member) => member.name).join(', ')} ${slow.length === 1 ? 'answers' : 'answer'} much slower than the others: ${slow.map(describeSlowMember).join('; ')}`,
          summary: `Round trip of a local read from this worker, ${args.samples} samples per member; ${apiserverText(apiserverSummary)} measured the same way${unreachableNote}.`,
          evidence,
          recommendation: SLOW_MEMBER_ADVICE,
          data,
        },
      ] satisfies Finding[];
    }

    const medians = confirmedMedians ?? answering.map((member) => member.summary.medianMs);
    const range = medians.length > 0 ? formatMsRange([Math.min(...medians), Math.max(...medians)]) : undefined;
    if (medians.length > 0 && Math.min(...medians) >= args.allSlowMs) {
      const apiserverFast = apiserverSummary !== undefined && apiserverSummary.medianMs < args.allSlowMs;
      return [
        {
          check: 'etcd.round-trip',
          severity: 'warning',
          about: { component: 'etcd' },
          title: `etcd answers slowly from here: ${range} median per member (${apiserverText(apiserverSummary)})`,
          summary: `Every member takes over ${formatMs(args.allSlowMs)} for a local read${unreachableNote}.`,
          evidence,
          recommendation: apiserverFast
            ? 'The API server answers quickly from the same worker, so the path to etcd (a firewall, a proxy, another network) or etcd itself (CPU, disk stalls on every member) is slow: compare from a control-plane node with `etcdctl endpoint status`, and look at etcd_disk_wal_fsync_duration_seconds.'
            : 'The API server is slow from here too: suspect this worker\u2019s own network first (run the check from another host), then etcd\u2019s nodes.',
          data,
        },
      ] satisfies Finding[];
    }

    return [
      {
        check: 'etcd.round-trip',
        severity: answering.length > 0 ? 'ok' : 'info',
        about: { component: 'etcd' },
        title:
          answering.length > 0
            ? `etcd round trip ${range} median per member, none much slower than the others (${apiserverText(apiserverSummary)})`
            : `etcd round trip not measured: no member answered (see etcd member health)`,
        summary: `Round trip of a local read from this worker, ${args.samples} samples per member${unreachableNote}.`,
        evidence,
        data,
      },
    ] satisfies Finding[];
  },
});
