import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCheckRegistry } from '../../src/checks/all-checks.js';
import { createKubeReader, type ClosableKubeReader } from '../../src/cluster/create-kube-reader.js';
import { findPlaybook, loadPlaybooks } from '../../src/playbooks/load-playbooks.js';
import { runPlaybook, type PlaybookResult } from '../../src/playbooks/run-playbook.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';

describe.each(['apiserver-latency', 'apiserver-latency-v1-32'])(
  'apiserver-latency playbook on the %s scenario',
  (scenario) => {
    // The simulator's clock and the checks' clock are one: a 60 s window passes in no real time.
    let clock = Date.parse('2026-11-24T03:00:00Z');
    let simulator: RunningSimulator;
    let kube: ClosableKubeReader;
    let report: PlaybookResult;

    beforeAll(async () => {
      simulator = await startSimulator({ scenario, now: () => clock });
      kube = createKubeReader({ kubeconfigPath: simulator.kubeconfigPath });
      const registry = createCheckRegistry();
      const playbook = findPlaybook(
        await loadPlaybooks(join(process.cwd(), 'playbooks'), registry),
        'apiserver-latency',
      );
      report = await runPlaybook(
        playbook,
        registry,
        { kube },
        {
          run: { runId: 'r-latency', cluster: 'sim' },
          params: { windowSeconds: 60 },
          now: () => new Date(clock),
          sleep: async (ms) => {
            clock += ms;
          },
        },
      );
    });
    afterAll(async () => {
      kube?.close();
      await simulator?.stop();
    });

    const find = (check: string) => report.findings.find((finding) => finding.check === check);

    it('names the rejected priority level among the critical findings', () => {
      const critical = report.findings
        .filter((finding) => finding.severity === 'critical')
        .map((finding) => finding.title);
      expect(critical).toEqual(
        expect.arrayContaining([expect.stringContaining('rejecting requests at priority level workload-low')]),
      );
    });

    it('names the slow validating webhook', () => {
      expect(find('apiserver.admission-webhooks')?.title).toMatch(
        /^Slow admission webhook validation\.gatekeeper\.sh: p99 /,
      );
    });

    it('names the slow etcd resource', () => {
      expect(find('apiserver.etcd-latency')?.title).toMatch(/^Slow etcd list (events|\/events|.*events)/);
      expect(['warning', 'critical']).toContain(find('apiserver.etcd-latency')?.severity);
    });

    it('reports in-flight requests near the limit and the events pile-up', () => {
      expect(find('apiserver.inflight')?.title).toMatch(/^Read-only in-flight requests at 9\d% of the limit$/);
      expect(find('apiserver.object-counts')?.title).toMatch(/^events/);
    });

    it('measures latency over the window, not since start', () => {
      const rows = find('apiserver.request-latency')?.data?.rows as Array<{
        verb: string;
        resource: string;
        requests: number;
      }>;
      expect(find('apiserver.request-latency')?.data?.windowSeconds).toBe(60);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => row.verb !== 'WATCH' && row.verb !== 'CONNECT')).toBe(true);
    });
  },
);
