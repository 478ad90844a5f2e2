import { z } from 'zod';
import type { Finding } from '../findings/finding.js';
import { defineCheck } from './check.js';
import { readClusterView, memberName } from './etcd-cluster-view.js';

const ADVICE = {
  NOSPACE:
    'etcd accepts only reads and deletes until space is reclaimed: compact to the current revision, defragment every member (followers first, leader last), then disarm the alarm and verify a write succeeds. The etcd space finding carries the exact plan.',
  CORRUPT:
    'A member found its data inconsistent with the others: stop using it, take a snapshot from a healthy member, and replace the corrupt member (remove it, wipe its data directory, re-add it). Do not disarm this alarm.',
} as const;

/** Active etcd alarms (NOSPACE, CORRUPT), named by member. */
export const etcdAlarmsCheck = defineCheck({
  id: 'etcd.alarms',
  description: 'etcd alarms',
  needs: ['etcd'],
  about: 'etcd',
  args: z.object({}),
  async run({ etcd }) {
    if (!etcd) return [];
    const [alarms, view] = await Promise.all([etcd.alarms(), readClusterView(etcd)]);
    if (alarms.length === 0) {
      return [
        {
          check: 'etcd.alarms',
          severity: 'ok',
          about: { component: 'etcd' },
          title: 'No etcd alarms',
          summary: 'Neither NOSPACE nor CORRUPT is raised.',
          evidence: [],
        },
      ] satisfies Finding[];
    }
    const types = [...new Set(alarms.map((alarm) => alarm.alarm))];
    return types.map((type): Finding => {
      const members = alarms.filter((alarm) => alarm.alarm === type).map((alarm) => memberName(view, alarm.memberId));
      return {
        check: 'etcd.alarms',
        severity: 'critical',
        about: { component: 'etcd', ...(members.length === 1 ? { instance: members[0] as string } : {}) },
        signals: [type === 'NOSPACE' ? 'etcd.nospace' : 'etcd.corrupt'],
        title:
          type === 'NOSPACE'
            ? `etcd NOSPACE alarm: writes refused (raised by ${members.join(', ')})`
            : `etcd CORRUPT alarm on ${members.join(', ')}`,
        summary:
          type === 'NOSPACE'
            ? 'A member exceeded its space quota: the whole cluster is read-only and the API server fails every write with "etcdserver: mvcc: database space exceeded".'
            : 'Data corruption was detected on a member.',
        evidence: alarms
          .filter((alarm) => alarm.alarm === type)
          .map((alarm) => ({ label: memberName(view, alarm.memberId), value: `${type} (member ${alarm.memberId})` })),
        recommendation: ADVICE[type],
        data: { alarm: type, members: alarms.filter((alarm) => alarm.alarm === type) },
      };
    });
  },
});
