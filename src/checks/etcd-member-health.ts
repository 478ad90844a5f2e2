import { z } from 'zod';
import type { EtcdEndpointHealth } from '../ports/etcd-reader.js';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatBytes, pluralize } from '../findings/format.js';
import type { Signal } from '../findings/cause-vocabulary.js';
import { defineCheck } from './check.js';
import { readClusterView, type ClusterView, type MemberView } from './etcd-cluster-view.js';

const Args = z.object({
  /** Raft index spread between members above which the slowest is called lagging. */
  maxRaftIndexLag: z.number().int().positive().default(1000),
});

/** Errors a member reports that are not alarms (alarms have their own check). */
function ownErrors(member: MemberView): string[] {
  return (member.status?.errors ?? []).filter((error) => !/alarm|NOSPACE|space exceeded/i.test(error));
}

function describeMember(member: MemberView, health: EtcdEndpointHealth | undefined, leaderId?: string): Evidence {
  const label = `${member.name}${member.isLearner ? ' (learner)' : ''}`;
  if (!member.status) return { label, value: `DOWN: ${member.error ?? 'no status'} (${member.endpoint})` };
  const status = member.status;
  const role = status.isLeader
    ? 'leader'
    : status.leaderId === leaderId
      ? 'follower'
      : `follower of ${status.leaderId}`;
  const healthText = health ? (health.healthy ? `healthy (${health.tookMs} ms)` : `UNHEALTHY: ${health.error}`) : '';
  return {
    label,
    value: [
      role,
      healthText,
      `v${status.version}`,
      `db ${formatBytes(status.dbSizeBytes)}`,
      `raft index ${status.raftIndex}`,
    ]
      .filter(Boolean)
      .join(', '),
  };
}

/** "member etcd-2 is down: connection refused" → "etcd member etcd-2 is down". */
function headline(problem: string): string {
  // ": " and not ":" — member names may be endpoints (https://…) when the member list could not be read.
  const head = problem.split(': ')[0] ?? problem;
  return head.startsWith('etcd') ? head : `etcd ${head}`;
}

interface Problems {
  critical: string[];
  warning: string[];
  info: string[];
  /** What the cause rules read: quorum lost, no leader, members down. */
  signals: Signal[];
  /** The members that are down or cannot reach the others. */
  down: MemberView[];
}

/** Judges quorum, leadership, reachability and lag from the view and the health probes. */
export function judgeMembers(
  view: ClusterView,
  health: ReadonlyMap<string, EtcdEndpointHealth>,
  maxRaftIndexLag: number,
): Problems {
  const problems: Problems = { critical: [], warning: [], info: [], signals: [], down: [] };
  const voters = view.members.filter((member) => !member.isLearner);
  const quorum = Math.floor(voters.length / 2) + 1;
  const down = view.members.filter((member) => !member.status);
  const unhealthy = view.members.filter((member) => member.status && health.get(member.endpoint)?.healthy === false);
  const healthyVoters = voters.filter((member) => member.status && health.get(member.endpoint)?.healthy !== false);
  problems.down.push(...down, ...unhealthy);
  if (healthyVoters.length < quorum) {
    problems.signals.push('etcd.no-quorum');
    problems.critical.push(
      `etcd has lost quorum: ${healthyVoters.length} of ${voters.length} voting members healthy, ${quorum} needed; the API server cannot read or write`,
    );
  }
  if (healthyVoters.length >= quorum && problems.down.length > 0) problems.signals.push('etcd.member-down');
  for (const member of down) problems.critical.push(`member ${member.name} is down: ${member.error ?? 'no status'}`);
  for (const member of unhealthy) {
    problems.critical.push(
      `member ${member.name} is unhealthy: ${health.get(member.endpoint)?.error ?? 'health check failed'}`,
    );
  }
  const leaders = new Set(view.members.flatMap((member) => (member.status ? [member.status.leaderId] : [])));
  if (!view.leader && view.members.some((member) => member.status)) {
    problems.signals.push('etcd.no-leader');
    problems.critical.push('no member reports itself leader');
  }
  if (leaders.size > 1)
    problems.warning.push(`members disagree on the leader (${[...leaders].join(', ')}): an election may be under way`);
  const indexes = view.members.flatMap((member) => (member.status ? [{ member, index: member.status.raftIndex }] : []));
  if (indexes.length > 1) {
    const highest = Math.max(...indexes.map((entry) => entry.index));
    for (const entry of indexes) {
      if (highest - entry.index > maxRaftIndexLag) {
        problems.warning.push(`member ${entry.member.name} lags ${highest - entry.index} raft entries behind`);
      }
    }
  }
  for (const member of view.members) {
    for (const error of ownErrors(member)) problems.warning.push(`member ${member.name} reports: ${error}`);
    if (member.isLearner) problems.info.push(`member ${member.name} is a learner (not voting)`);
  }
  if (view.memberListError)
    problems.warning.push(`could not list members (${view.memberListError}); judged from the given endpoints only`);
  return problems;
}

const LAG_ADVICE =
  'For lag or no leader, check network latency between members and disk fsync latency (etcd_disk_wal_fsync_duration_seconds).';

/** The host of a member's URL, for "on its node" advice. */
function hostOf(member: MemberView): string {
  try {
    return new URL(member.endpoint).hostname;
  } catch {
    return member.name;
  }
}

/**
 * Advice that fits what the members show. A member that refuses connections while the others answer the same
 * client certificate is down: its process, its logs and its disk matter, not flags or certificates.
 */
export function adviceFor(view: ClusterView, problems: Problems): string {
  const answering = view.members.filter((member) => member.status);
  const refused = problems.down.filter((member) => /connection refused|ECONNREFUSED/i.test(member.error ?? ''));
  if (refused.length > 0 && answering.length > 0) {
    const names = refused.map((member) => `${member.name} (${hostOf(member)})`).join(', ');
    const tolerance = problems.signals.includes('etcd.no-quorum')
      ? 'Quorum is lost: the API server cannot read or write until enough members are back.'
      : 'The cluster still has quorum but no fault tolerance left: bring the member back before any maintenance.';
    return `${refused.length === 1 ? 'Member' : 'Members'} ${names} ${refused.length === 1 ? 'refuses' : 'refuse'} connections while ${answering.map((member) => member.name).join(', ')} ${answering.length === 1 ? 'answers' : 'answer'} with the same client certificate: the etcd process is not running there, so certificates and flags are not the problem. On that node: is the etcd static pod running (crictl ps -a --name etcd), why did it exit (crictl logs <container>, journalctl -u kubelet), and is its data disk healthy (df -h /var/lib/etcd, dmesg for I/O errors; "wal: crc mismatch" or "snapshot" errors in its log mean damaged data)? ${tolerance}`;
  }
  if (problems.down.length > 0) {
    return `For a member that is down or cannot reach the others, check the etcd static pod or service on its node (crictl ps, journalctl) and its disk, and the network between members; with one member of three down there is no fault tolerance left, so fix it before any maintenance. ${LAG_ADVICE}`;
  }
  return LAG_ADVICE;
}

/** Every etcd member: reachable, healthy (a linearizable read), leader, raft index spread, reported errors. */
export const etcdMemberHealthCheck = defineCheck({
  id: 'etcd.member-health',
  description: 'etcd member health and status',
  needs: ['etcd'],
  about: 'etcd',
  args: Args,
  async run({ etcd }, args) {
    if (!etcd) return [];
    const view = await readClusterView(etcd);
    const probes = await Promise.all(
      // Learners refuse linearizable reads ("rpc not supported for learner"): their status is their health.
      view.members.filter((member) => member.status && !member.isLearner).map((member) => etcd.health(member.endpoint)),
    );
    const health = new Map(probes.map((probe) => [probe.endpoint, probe]));
    const problems = judgeMembers(view, health, args.maxRaftIndexLag);
    const leaderId = view.leader?.status?.memberId;
    const evidence = view.members.map((member) => describeMember(member, health.get(member.endpoint), leaderId));
    const up = view.members.filter((member) => member.status && health.get(member.endpoint)?.healthy !== false);
    const data = {
      members: view.members.map((member) => ({
        name: member.name,
        id: member.id ?? member.status?.memberId ?? null,
        endpoint: member.endpoint,
        up: Boolean(member.status),
        healthy: Boolean(member.status) && health.get(member.endpoint)?.healthy !== false,
        leader: Boolean(member.status?.isLeader),
        learner: member.isLearner,
        error: member.error ?? health.get(member.endpoint)?.error ?? null,
      })),
    };
    const counts = `${up.length} of ${pluralize(view.members.length, 'member')} healthy`;
    const [first, ...rest] = [...problems.critical, ...problems.warning];
    if (first) {
      const severity = problems.critical.length > 0 ? 'critical' : 'warning';
      const [onlyDown] = problems.down.length === 1 ? problems.down : [];
      return [
        {
          check: 'etcd.member-health',
          severity,
          about: { component: 'etcd', ...(onlyDown ? { instance: onlyDown.name } : {}) },
          ...(problems.signals.length > 0 ? { signals: problems.signals } : {}),
          title: `${headline(first)} (${counts})`,
          summary: [first, ...rest].join('; '),
          evidence,
          recommendation: adviceFor(view, problems),
          data,
        },
      ] satisfies Finding[];
    }
    return [
      {
        check: 'etcd.member-health',
        severity: 'ok',
        about: { component: 'etcd' },
        title: `etcd: ${counts}, leader ${view.leader?.name ?? '?'}`,
        summary:
          problems.info.length > 0
            ? problems.info.join('; ')
            : 'Every member answers a linearizable read and agrees on the leader.',
        evidence,
        data,
      },
    ] satisfies Finding[];
  },
});
