import type { Config } from '../config/config-schema.js';
import { oneClusterConfig } from '../config/one-cluster-config.js';
import { diagnose } from '../diagnosis/diagnose.js';
import { parseAssignments } from '../playbooks/parse-params.js';
import type { DiagnosisReport } from '../diagnosis/diagnosis-report.js';
import { fillToNospace, seedRegistry } from './etcd-seed.js';
import { startEtcdCluster, type EtcdCluster } from './services/index.js';
import { startSimulator, type RunningSimulator } from './simulator/index.js';

/** Small enough that the seed reaches NOSPACE in a few seconds. */
export const DEMO_QUOTA_BYTES = 16 * 1024 * 1024;

export interface DemoOptions {
  /** Where progress and reports go; the CLI passes stdout. */
  write: (text: string) => void;
  render: (report: DiagnosisReport) => string;
  /** Revision-growth window of the etcd playbook (s). @defaultValue 3 */
  windowSeconds?: number;
}

export interface DemoResult {
  reports: DiagnosisReport[];
}

/** The config `quorum diagnose` would build from flags for the sandbox's cluster. */
export function sandboxConfig(simulator: RunningSimulator, etcd: EtcdCluster): Config {
  return oneClusterConfig(
    {
      kube: { kubeconfig: simulator.kubeconfigPath },
      etcd: { endpoints: [etcd.endpoints[0] as string], quotaBytes: DEMO_QUOTA_BYTES },
    },
    {},
    'sandbox',
  );
}

/**
 * The demo of this milestone: a real 3-member etcd seeded into NOSPACE with heavy fragmentation, the simulator on the
 * control-plane-degraded scenario, both playbooks run against them as an SRE would from a shell, and everything
 * stopped afterwards whatever happens.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { write } = options;
  const stopAll: Array<() => Promise<void>> = [];
  try {
    write('Starting a private 3-member etcd cluster (quota 16 MiB) and the cluster simulator…\n');
    // Wait for both starts even if one fails, so that whatever did start is stopped below.
    const [etcdStart, simulatorStart] = await Promise.allSettled([
      startEtcdCluster({ members: 3, quotaBytes: DEMO_QUOTA_BYTES }),
      startSimulator({ scenario: 'control-plane-degraded' }),
    ]);
    for (const start of [etcdStart, simulatorStart]) {
      if (start.status === 'fulfilled') stopAll.push(() => start.value.stop());
    }
    if (etcdStart.status === 'rejected') throw etcdStart.reason;
    if (simulatorStart.status === 'rejected') throw simulatorStart.reason;
    const etcd = etcdStart.value;
    const simulator = simulatorStart.value;
    write(`  etcd: ${etcd.endpoints.join(', ')}\n  API server (simulated): ${simulator.url}\n`);
    write('Seeding etcd with Kubernetes-shaped keys and filling it until the NOSPACE alarm fires…\n');
    await seedRegistry(etcd.endpoints);
    await fillToNospace(etcd.endpoints);

    const config = sandboxConfig(simulator, etcd);
    const reports: DiagnosisReport[] = [];
    for (const [playbook, params] of [
      ['control-plane-health', []],
      ['etcd-db-growth', [`windowSeconds=${options.windowSeconds ?? 3}`]],
    ] as const) {
      const flags = [
        '--cluster sandbox',
        `--kubeconfig ${simulator.kubeconfigPath}`,
        `--etcd-endpoints ${etcd.endpoints[0]}`,
        `--etcd-quota-bytes ${DEMO_QUOTA_BYTES}`,
        ...params.map((param) => `--param ${param}`),
      ];
      write(`\n$ quorum diagnose ${playbook} ${flags.join(' ')}\n\n`);
      const report = await diagnose(config, { playbook, params: parseAssignments(params), trigger: { kind: 'cli' } });
      reports.push(report);
      write(`${options.render(report)}\n`);
    }
    return { reports };
  } finally {
    write('\nStopping etcd and the simulator…\n');
    await Promise.allSettled(stopAll.map((stop) => stop()));
  }
}
