import { z } from 'zod';
import type { Evidence, Finding } from '../findings/finding.js';
import { formatBytes, formatPercent } from '../findings/format.js';
import { defineCheck } from './check.js';
import { alarmsOf, readClusterView, resolveQuota, type MemberView } from './etcd-cluster-view.js';
import { observedBasis, planSpaceMaintenance } from './etcd-maintenance-plan.js';

const Args = z.object({
  /** Share of the quota at which a member's db size is a warning. */
  warnRatio: z.number().gt(0).lt(1).default(0.8),
  /** Share of the quota at which it is critical. */
  criticalRatio: z.number().gt(0).lte(1).default(0.95),
  /** Fragmentation (1 − in use / size) worth reporting, when it also wastes at least `minReclaimBytes`. */
  fragmentationRatio: z.number().gt(0).lt(1).default(0.5),
  /** Reclaimable bytes that make a defragmentation worth proposing. @defaultValue 200 MiB */
  minReclaimBytes: z
    .number()
    .int()
    .nonnegative()
    .default(200 * 1024 * 1024),
  /** In-use share of the quota at which reclaiming space cannot help and the quota itself must grow. */
  quotaIncreaseRatio: z.number().gt(0).lt(1).default(0.8),
  /** Disarm NOSPACE only when every member is below this share of the quota. */
  disarmBelowRatio: z.number().gt(0).lt(1).default(0.9),
});

function fragmentation(member: MemberView): number | undefined {
  const status = member.status;
  if (!status || status.dbSizeInUseBytes === undefined || status.dbSizeBytes === 0) return undefined;
  return 1 - status.dbSizeInUseBytes / status.dbSizeBytes;
}

function describe(member: MemberView, quota: number): Evidence {
  if (!member.status) return { label: member.name, value: `unreachable: ${member.error ?? 'no status'}` };
  const { dbSizeBytes, dbSizeInUseBytes } = member.status;
  const frag = fragmentation(member);
  return {
    label: `${member.name}${member.status.isLeader ? ' (leader)' : ''}`,
    value: `${formatBytes(dbSizeBytes)} of ${formatBytes(quota)} (${formatPercent(dbSizeBytes / quota)})${
      dbSizeInUseBytes === undefined
        ? ''
        : `, in use ${formatBytes(dbSizeInUseBytes)}, fragmentation ${formatPercent(frag ?? 0)}`
    }`,
  };
}

/** Per member db size against the quota, in-use size and fragmentation; proposes the space-recovery plan. */
export const etcdSpaceCheck = defineCheck({
  id: 'etcd.space',
  description: 'etcd database size against the quota',
  needs: ['etcd'],
  about: 'etcd',
  args: Args,
  async run({ etcd, etcdQuotaBytes, run, now }, args) {
    if (!etcd) return [];
    const [view, alarms] = await Promise.all([readClusterView(etcd), etcd.alarms()]);
    const reachable = view.members.filter((member) => member.status);
    if (reachable.length === 0) throw new Error('no etcd member answered a status request');
    const quota = await resolveQuota(etcd, view, etcdQuotaBytes, run.cluster);
    const nospace = alarmsOf(alarms, 'NOSPACE');
    const ratio = (member: MemberView) => (member.status?.dbSizeBytes ?? 0) / quota.bytes;
    const inUseRatio = (member: MemberView) =>
      (member.status?.dbSizeInUseBytes ?? member.status?.dbSizeBytes ?? 0) / quota.bytes;
    const fullest = [...reachable].sort((a, b) => ratio(b) - ratio(a))[0] as MemberView;
    const fragmented = reachable.filter((member) => {
      const status = member.status;
      return (
        (fragmentation(member) ?? 0) >= args.fragmentationRatio &&
        status !== undefined &&
        status.dbSizeBytes - (status.dbSizeInUseBytes ?? status.dbSizeBytes) >= args.minReclaimBytes
      );
    });
    const needsQuota = reachable.filter((member) => inUseRatio(member) >= args.quotaIncreaseRatio);
    const evidence: Evidence[] = [
      ...view.members.map((member) => describe(member, quota.bytes)),
      { label: 'quota', value: `${formatBytes(quota.bytes)} (${quota.source})` },
    ];
    if (nospace.length > 0) evidence.push({ label: 'alarm', value: `NOSPACE raised by ${nospace.length} member(s)` });

    const proposals = planSpaceMaintenance(view, alarms, observedBasis(run, view, alarms, quota.bytes, now()), {
      defragQuotaRatio: args.warnRatio,
      minReclaimBytes: args.minReclaimBytes,
      disarmBelowRatio: args.disarmBelowRatio,
    });
    const severity =
      nospace.length > 0 || ratio(fullest) >= args.criticalRatio
        ? 'critical'
        : ratio(fullest) >= args.warnRatio || fragmented.length > 0 || needsQuota.length > 0
          ? 'warning'
          : 'ok';
    const advice: string[] = [];
    if (proposals.length > 0) {
      advice.push(
        'Reclaim space with the proposed maintenance below (it runs only after a second person approves it). kube-apiserver already compacts every 5 minutes, so defragmentation is what shrinks the file.',
      );
    }
    if (needsQuota.length > 0) {
      advice.push(
        `Data in use is itself at ${formatPercent(inUseRatio(needsQuota[0] as MemberView))} of the quota: defragmentation cannot free it. Find what grew (the /registry prefixes finding), delete what leaked, and raise --quota-backend-bytes (8 GiB is the suggested maximum; it takes a restart of every member, one at a time).`,
      );
    }
    const title =
      nospace.length > 0
        ? `etcd out of space: ${fullest.name} at ${formatPercent(ratio(fullest))} of its ${formatBytes(quota.bytes)} quota, NOSPACE alarm raised`
        : severity === 'ok'
          ? `etcd database ${formatBytes(fullest.status?.dbSizeBytes ?? 0)}, ${formatPercent(ratio(fullest))} of the ${formatBytes(quota.bytes)} quota`
          : ratio(fullest) >= args.warnRatio
            ? `etcd ${fullest.name} at ${formatPercent(ratio(fullest))} of its ${formatBytes(quota.bytes)} quota`
            : fragmented.length > 0
              ? `etcd heavily fragmented: ${fragmented.map((member) => member.name).join(', ')}`
              : `etcd data in use near the ${formatBytes(quota.bytes)} quota`;
    const frag = fragmentation(fullest);
    const overQuota = nospace.length > 0 || ratio(fullest) >= args.criticalRatio;
    const finding: Finding = {
      check: 'etcd.space',
      severity,
      about: { component: 'etcd', ...(severity === 'ok' ? {} : { instance: fullest.name }) },
      ...(overQuota ? { signals: ['etcd.quota-exceeded' as const] } : {}),
      title,
      summary:
        severity === 'ok'
          ? 'Every member is well below the quota.'
          : `Largest member ${formatBytes(fullest.status?.dbSizeBytes ?? 0)}${
              frag === undefined ? '' : `, of which ${formatPercent(frag)} is free pages only defragmentation returns`
            }.`,
      evidence,
      ...(advice.length > 0 ? { recommendation: advice.join(' ') } : {}),
      data: {
        quotaBytes: quota.bytes,
        quotaSource: quota.source,
        nospace: nospace.length > 0,
        members: view.members.map((member) => ({
          name: member.name,
          endpoint: member.endpoint,
          dbSizeBytes: member.status?.dbSizeBytes ?? null,
          dbSizeInUseBytes: member.status?.dbSizeInUseBytes ?? null,
          quotaRatio: member.status ? ratio(member) : null,
          fragmentation: fragmentation(member) ?? null,
        })),
      },
      ...(severity !== 'ok' && proposals.length > 0 ? { proposals } : {}),
    };
    return [finding];
  },
});
