import { loadConfig } from '../config/load-config.js';
import { createLogger } from '../core/logger.js';
import { diagnose } from '../diagnosis/diagnose.js';
import { worstSeverity } from '../findings/finding.js';
import { parseAssignments } from '../playbooks/parse-params.js';
import { renderReport, type ReportFormat } from '../render/index.js';
import { exitCodeFor, type ExitCode } from './exit-codes.js';
import { reportWithFlagSpelling } from './flag-spelling.js';
import { progressPrinter } from './progress.js';

export interface DiagnoseCommandOptions {
  cluster?: string;
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
  etcdEndpoints?: string;
  etcdCacert?: string;
  etcdCert?: string;
  etcdKey?: string;
  etcdQuotaBytes?: number;
  prometheusUrl?: string;
  prometheusSelector?: string;
  param: string[];
  checkTimeout?: number;
  config?: string;
  playbooksDir?: string;
  color: boolean;
  quiet?: boolean;
  format: ReportFormat;
}

/** The current Unix user, for the report's trigger; nothing when the environment does not say. */
function invoker(): string | undefined {
  return process.env.SUDO_USER || process.env.USER || process.env.LOGNAME || undefined;
}

/** `quorum diagnose <playbook>`: findings on stdout, progress on stderr, the worst severity as the exit code. */
export async function diagnoseCommand(playbookId: string, options: DiagnoseCommandOptions): Promise<ExitCode> {
  const config = loadConfig({
    env: process.env,
    ...(options.config ? { file: options.config } : {}),
    overrides: {
      diagnose: options.checkTimeout ? { checkTimeoutMs: options.checkTimeout * 1000 } : undefined,
      playbooksDir: options.playbooksDir,
    },
    cluster: {
      ...(options.cluster ? { name: options.cluster } : {}),
      settings: {
        kube: { kubeconfig: options.kubeconfig, context: options.context, inCluster: options.inCluster },
        etcd: {
          endpoints: options.etcdEndpoints
            ?.split(',')
            .map((endpoint) => endpoint.trim())
            .filter(Boolean),
          caFile: options.etcdCacert,
          certFile: options.etcdCert,
          keyFile: options.etcdKey,
          quotaBytes: options.etcdQuotaBytes,
        },
        prometheus: { url: options.prometheusUrl, selector: options.prometheusSelector },
      },
    },
  });
  const write = (line: string) => process.stderr.write(`${line}\n`);
  const log = createLogger(config.logLevel ?? 'warn');
  const print = options.quiet ? undefined : progressPrinter(write);
  const by = invoker();
  const report = await diagnose(
    config,
    {
      playbook: playbookId,
      ...(options.cluster ? { cluster: options.cluster } : {}),
      params: parseAssignments(options.param),
      trigger: { kind: 'cli', ...(by ? { by } : {}) },
    },
    {
      onProgress: (progress) => {
        print?.(progress);
        if (progress.kind === 'finished') log.debug({ playbook: playbookId, ...progress }, 'check finished');
      },
    },
  );
  const color = options.color && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  process.stdout.write(`${renderReport(reportWithFlagSpelling(report), options.format, { color })}\n`);
  return exitCodeFor(worstSeverity(report.findings));
}
