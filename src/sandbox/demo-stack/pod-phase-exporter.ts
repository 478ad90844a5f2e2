import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Scenario } from '../simulator/index.js';

/** A loopback `/metrics` endpoint with kube-state-metrics' pod phase series for the simulated cluster. */
export interface PodPhaseExporter {
  /** `http://127.0.0.1:PORT`; Prometheus scrapes `${url}/metrics`. */
  readonly url: string;
  stop(): Promise<void>;
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * `kube_pod_status_phase{namespace,pod,phase}` as kube-state-metrics exports it (1 for the pod's phase, 0 for the
 * others), computed from the scenario the simulator serves at scrape time. The simulated API server, like a real
 * one, has no such metric: in a cluster it comes from kube-state-metrics, which the sandbox stands in for here so that
 * KubePodNotReady can page on the Pending-pods scenario.
 */
export async function startPodPhaseExporter(scenario: () => Scenario): Promise<PodPhaseExporter> {
  const phases = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
  const server = http.createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    const pods = scenario().objects.pods;
    const lines = ['# HELP kube_pod_status_phase The pods current phase.', '# TYPE kube_pod_status_phase gauge'];
    for (let index = 0; index < (pods?.size ?? 0); index++) {
      const pod = pods?.at(index) as {
        metadata?: { namespace?: string; name?: string; uid?: string };
        status?: { phase?: string };
      };
      const namespace = label(pod.metadata?.namespace ?? '');
      const name = label(pod.metadata?.name ?? '');
      const uid = label(pod.metadata?.uid ?? '');
      for (const phase of phases) {
        const value = pod.status?.phase === phase ? 1 : 0;
        lines.push(
          `kube_pod_status_phase{namespace="${namespace}",pod="${name}",uid="${uid}",phase="${phase}"} ${value}`,
        );
      }
    }
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    response.end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
