import { oneClusterConfig } from '../../config/one-cluster-config.js';
import { diagnose } from '../../diagnosis/diagnose.js';
import { parseAssignments } from '../../playbooks/parse-params.js';
import { worstSeverity } from '../../findings/finding.js';

/**
 * One measured diagnosis in a process of its own, so that its peak RSS is the diagnosing process's alone (the
 * simulator runs in the parent). Input: a JSON job in argv[2]; output: one JSON line on stdout.
 */
interface Job {
  kubeconfig: string;
  playbook: string;
  params?: string[];
  playbooksDir?: string;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const config = oneClusterConfig(
  { kube: { kubeconfig: job.kubeconfig, requestTimeoutMs: 60_000 } },
  { diagnose: { checkTimeoutMs: 300_000 }, ...(job.playbooksDir ? { playbooksDir: job.playbooksDir } : {}) },
  'bench',
);
// What the process holds before the first request: Node, the modules and their dependencies.
const startRssBytes = process.memoryUsage().rss;
const began = performance.now();
const cpuBefore = process.cpuUsage();
const report = await diagnose(config, {
  playbook: job.playbook,
  params: parseAssignments(job.params ?? []),
  trigger: { kind: 'cli' },
});
const wallMs = performance.now() - began;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({
    playbook: job.playbook,
    wallMs,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    startRssBytes,
    /** CPU time of the diagnosis (user and system, all threads: GC helpers count), in ms. */
    cpuMs: (cpu.user + cpu.system) / 1000,
    findings: report.findings.length,
    worst: worstSeverity(report.findings),
    couldNotCheck: report.findings
      .filter((finding) => finding.title.startsWith('Could not check'))
      .map((finding) => finding.summary),
  })}\n`,
);
