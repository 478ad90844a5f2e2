import { z } from 'zod';
import type { Finding } from '../findings/finding.js';
import { formatBytes, formatDuration } from '../findings/format.js';
import { timedRead } from './timed-read.js';
import { defineCheck } from './check.js';
import { readClusterView, resolveQuota } from './etcd-cluster-view.js';

const Args = z.object({
  /** How long to watch the revision (s). */
  windowSeconds: z.number().positive().max(300).default(10),
  /** Revisions per second above which writes are unusually heavy. */
  warnRevisionsPerSecond: z.number().positive().default(500),
});

/** Revision growth over a short window: how fast the cluster writes, and when the quota runs out at that pace. */
export const etcdRevisionGrowthCheck = defineCheck({
  id: 'etcd.revision-growth',
  description: 'etcd revision growth',
  needs: ['etcd'],
  about: 'etcd',
  args: Args,
  async run({ etcd, etcdQuotaBytes, signal, sleep, now, run }, args) {
    if (!etcd) return [];
    const view = await readClusterView(etcd);
    const member = view.leader ?? view.members.find((candidate) => candidate.status);
    if (!member?.status) throw new Error('no etcd member answered a status request');
    // Read again on its own: the view's reading waited for every member, and is dated no better than the slowest.
    const { value: first, atMs: firstAtMs } = await timedRead(now, () => etcd.status(member.endpoint));
    const quota = await resolveQuota(etcd, view, etcdQuotaBytes, run.cluster);
    await sleep(args.windowSeconds * 1000, signal);
    // The revision is cluster-wide, so the same member's second reading is enough even if leadership moved.
    const { value: second, atMs: secondAtMs } = await timedRead(now, () => etcd.status(member.endpoint));
    const seconds = Math.max((secondAtMs - firstAtMs) / 1000, 0.001);
    const revisions = Number(BigInt(second.revision) - BigInt(first.revision));
    const perSecond = revisions / seconds;
    const grownBytes = second.dbSizeBytes - first.dbSizeBytes;
    const evidence = [
      { label: 'window', value: `${seconds.toFixed(1)} s` },
      { label: 'revision', value: `${first.revision} → ${second.revision} (+${revisions})` },
      { label: 'rate', value: `${perSecond.toFixed(1)} revisions/s` },
      { label: 'db size', value: `${formatBytes(first.dbSizeBytes)} → ${formatBytes(second.dbSizeBytes)}` },
    ];
    let eta: string | undefined;
    if (grownBytes > 0) {
      const remaining = quota.bytes - second.dbSizeBytes;
      eta =
        remaining <= 0
          ? 'already at the quota'
          : `${formatDuration((remaining / (grownBytes / seconds)) * 1000)} at this pace`;
      evidence.push({ label: 'quota reached', value: eta });
    }
    const data = { windowSeconds: seconds, revisions, revisionsPerSecond: perSecond, dbGrowthBytes: grownBytes };
    if (perSecond >= args.warnRevisionsPerSecond) {
      return [
        {
          check: 'etcd.revision-growth',
          severity: 'warning',
          title: `etcd write rate high: ${Math.round(perSecond)} revisions/s`,
          summary: `The keyspace changed ${revisions} times in ${seconds.toFixed(1)} s${eta ? `; quota ${eta}` : ''}.`,
          evidence,
          recommendation:
            'Find the writer: the /registry prefixes finding shows what holds the most keys, and apiserver_request_total by resource and verb shows who writes. Usual suspects are events from a crash-looping workload, a controller updating status in a loop, and leases of many clients.',
          data,
        },
      ] satisfies Finding[];
    }
    return [
      {
        check: 'etcd.revision-growth',
        severity: 'info',
        title: `etcd writes ${perSecond.toFixed(1)} revisions/s`,
        summary: `Measured over ${seconds.toFixed(1)} s${eta ? `; quota ${eta}` : ''}.`,
        evidence,
        data,
      },
    ] satisfies Finding[];
  },
});
