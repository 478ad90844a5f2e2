import { z } from 'zod';
import type { RawResponse } from '../ports/kube-reader.js';
import { describeError } from '../core/errors.js';
import type { Finding } from '../findings/finding.js';
import { defineCheck } from './check.js';
import { parseHealthReport, type HealthCheckLine } from './health-report.js';

/** What a failing apiserver health check usually means, in the chapter's terms. */
function adviceFor(failing: readonly HealthCheckLine[]): string {
  const names = failing.map((check) => check.name);
  if (names.some((name) => name === 'etcd' || name.startsWith('etcd'))) {
    return 'The API server cannot reach a healthy etcd: run the etcd-db-growth playbook and check every etcd member (quorum, leader, NOSPACE alarm, disk latency).';
  }
  if (names.some((name) => name.startsWith('poststarthook/'))) {
    return 'A post-start hook has not completed: read the kube-apiserver logs on the control-plane node for the failing hook; it often waits on etcd or on the aggregation layer.';
  }
  if (names.includes('shutdown')) return 'The API server is shutting down: check why it was restarted.';
  return 'Read the kube-apiserver logs for the failing checks (crictl logs on the control-plane node, or kubectl -n kube-system logs).';
}

/** Cannot even ask: for the checklist that is the finding itself, not a check that failed to run. */
function unreachable(server: string, endpoint: string, error: unknown): Finding {
  return {
    check: 'apiserver.health',
    severity: 'critical',
    about: { component: 'kube-apiserver' },
    signals: ['apiserver.unreachable'],
    title: `API server unreachable: /${endpoint} did not answer`,
    summary: describeError(error),
    evidence: [{ label: 'server', value: server }],
    recommendation:
      'Check the kube-apiserver static pods on the control-plane nodes (crictl ps -a | grep kube-apiserver, its logs), the load balancer in front of them, and whether etcd has quorum (etcd member health below).',
    data: { endpoint, unreachable: true },
  };
}

const Args = z.object({
  endpoints: z.array(z.enum(['livez', 'readyz'])).default(['livez', 'readyz']),
});

/** apiserver `/livez?verbose` and `/readyz?verbose`, one finding per endpoint. */
export const apiserverHealthCheck = defineCheck({
  id: 'apiserver.health',
  description: 'API server liveness and readiness (/livez, /readyz)',
  needs: ['kube'],
  about: 'kube-apiserver',
  args: Args,
  async run({ kube }, args) {
    const findings = await Promise.all(
      args.endpoints.map(async (endpoint): Promise<Finding> => {
        const began = performance.now();
        let response: RawResponse;
        try {
          response = await kube.raw(`/${endpoint}?verbose`);
        } catch (error) {
          return unreachable(kube.server, endpoint, error);
        }
        const tookMs = Math.round(performance.now() - began);
        if (response.status === 401 || response.status === 403) {
          throw new Error(
            `/${endpoint} answered HTTP ${response.status}: the credentials may not read it (RBAC: nonResourceURLs ["/${endpoint}"] verb get)`,
          );
        }
        const report = parseHealthReport(response.body);
        const failing = report.checks.filter((check) => !check.ok);
        const passed = response.status === 200 && failing.length === 0 && report.passed !== false;
        const evidence = [
          { label: 'HTTP status', value: String(response.status) },
          { label: 'checks', value: `${report.checks.length - failing.length}/${report.checks.length} ok` },
          { label: 'round trip', value: `${tookMs} ms` },
          ...failing.map((check) => ({ label: `[-] ${check.name}`, value: check.reason ?? 'failed' })),
        ];
        if (passed) {
          return {
            check: 'apiserver.health',
            severity: 'ok',
            about: { component: 'kube-apiserver' },
            title: `API server /${endpoint}: all ${report.checks.length} checks pass`,
            summary: `/${endpoint} passed in ${tookMs} ms.`,
            evidence,
          };
        }
        const names = failing.map((check) => check.name);
        const etcdFailing = names.some((name) => name === 'etcd' || name.startsWith('etcd'));
        const otherFailing = names.some((name) => !(name === 'etcd' || name.startsWith('etcd')));
        return {
          check: 'apiserver.health',
          severity: 'critical',
          about: { component: 'kube-apiserver' },
          signals: [
            ...(etcdFailing ? (['apiserver.etcd-check-failing'] as const) : []),
            ...(otherFailing || names.length === 0 ? (['apiserver.health-failing'] as const) : []),
          ],
          title:
            names.length > 0
              ? `API server /${endpoint} failing: ${names.join(', ')}`
              : `API server /${endpoint} failing (HTTP ${response.status})`,
          summary:
            endpoint === 'readyz'
              ? 'The API server reports itself not ready: load balancers may take it out of rotation and clients see errors.'
              : 'The API server reports itself not live: the kubelet will restart it.',
          evidence: [...evidence, { label: 'report', value: response.body.trim().split('\n').slice(-12).join('\n') }],
          recommendation: adviceFor(failing),
          data: { endpoint, status: response.status, failing: names },
        };
      }),
    );
    // One unreachable server is one problem, however many endpoints were asked.
    const unanswered = findings.filter((finding) => finding.data?.unreachable === true);
    if (unanswered.length < 2 || unanswered.length < findings.length) return findings;
    const [first] = unanswered as [Finding];
    return [{ ...first, title: 'API server unreachable', data: { ...first.data, endpoints: args.endpoints } }];
  },
});
