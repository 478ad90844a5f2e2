import { z } from 'zod';
import type { PrefixCount } from '../ports/etcd-reader.js';
import type { Finding } from '../findings/finding.js';
import { defineCheck } from './check.js';

const Args = z.object({
  root: z.string().startsWith('/').default('/registry/'),
  top: z.number().int().positive().max(50).default(10),
  /** A prefix holding more keys than this is worth a warning. */
  warnKeys: z.number().int().positive().default(100_000),
});

/** What usually makes a resource's keys pile up, in the chapter's terms. */
const PILE_UP: Record<string, string> = {
  events:
    'events pile up when something crash-loops or a controller hot-loops; shorten --event-ttl on kube-apiserver and fix the noisy source',
  secrets:
    'secrets pile up from Helm release history (sh.helm.release.*: set --history-max) or from controllers that leak tokens',
  configmaps: 'configmaps pile up from Helm v2 release history or generated names that are never cleaned',
  leases: 'leases pile up with many clients doing leader election; check for leaked lease objects',
  pods: 'completed pods pile up when Jobs lack ttlSecondsAfterFinished; lower --terminated-pod-gc-threshold',
  replicasets: 'old ReplicaSets pile up when deployments have a large revisionHistoryLimit',
};

function resourceOf(prefix: string, root: string): string {
  const parts = prefix.slice(root.length).split('/').filter(Boolean);
  return parts[parts.length - 1] ?? prefix;
}

/** Which `/registry/<resource>` prefixes hold the most keys (keys-only, count-only reads: values may hold Secrets). */
export const etcdKeyspaceCheck = defineCheck({
  id: 'etcd.keyspace',
  description: 'the largest /registry prefixes in etcd',
  needs: ['etcd'],
  about: 'etcd',
  args: Args,
  async run({ etcd }, args) {
    if (!etcd) return [];
    const counts: PrefixCount[] = await etcd.prefixCounts(args.root, { limit: args.top });
    const total = counts.reduce((sum, entry) => sum + entry.keys, 0);
    const evidence = counts.map((entry) => ({
      label: entry.prefix,
      value: `${entry.keys.toLocaleString('en-US')} keys`,
    }));
    const data = { prefixes: counts };
    const heavy = counts.filter((entry) => entry.keys >= args.warnKeys);
    if (heavy.length > 0) {
      const causes = heavy.map((entry) => PILE_UP[resourceOf(entry.prefix, args.root)]).filter(Boolean);
      return [
        {
          check: 'etcd.keyspace',
          severity: 'warning',
          title: `${heavy.map((entry) => `${resourceOf(entry.prefix, args.root)} (${entry.keys.toLocaleString('en-US')} keys)`).join(', ')} dominate etcd`,
          summary: `The top ${counts.length} prefixes hold ${total.toLocaleString('en-US')} keys.`,
          evidence,
          recommendation:
            causes.length > 0
              ? `${causes.join('; ')}.`
              : 'Find which controller or user creates these objects and clean up what leaked.',
          data,
        },
      ] satisfies Finding[];
    }
    const largest = counts[0];
    return [
      {
        check: 'etcd.keyspace',
        severity: 'info',
        title: largest
          ? `Largest etcd prefix: ${largest.prefix} (${largest.keys.toLocaleString('en-US')} keys)`
          : `No keys under ${args.root}`,
        summary: `Top ${counts.length} prefixes by key count (${total.toLocaleString('en-US')} keys); counted without reading values.`,
        evidence,
        data,
      },
    ] satisfies Finding[];
  },
});
