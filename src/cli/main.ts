import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { QuorumError, asQuorumError } from '../core/errors.js';
import type { DiagnoseCommandOptions } from './diagnose-command.js';
import { ExitCode } from './exit-codes.js';
import { withFlagSpelling } from './flag-spelling.js';
import { packageVersion } from './package-version.js';
import { loadSandboxCommand } from './sandbox-command.js';

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidArgumentError('expected a positive whole number.');
  return value;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const FORMATS = ['text', 'markdown', 'json', 'blocks'] as const;

/**
 * The command tree. Each command's module is loaded in its action, not imported here: the Kubernetes client (about
 * 1.1 s to import) and etcd3 with gRPC (about 0.5 s) would otherwise load before `--version`, `--help` or
 * `playbooks` could answer.
 */
export function buildProgram(): Command {
  const program = new Command('quorum')
    .description('Diagnose the Kubernetes control plane: API server, etcd, scheduler and controller manager.')
    .version(packageVersion(), '-V, --version', 'print the version of Quorum')
    .showHelpAfterError('(run "quorum --help" for usage)')
    .exitOverride();

  program
    .command('playbooks')
    .description('list the diagnostic playbooks')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--playbooks-dir <dir>', 'read playbooks from this directory')
    .action(async (options: { format: 'text' | 'json'; playbooksDir?: string }) => {
      const { playbooksCommand } = await import('./playbooks-command.js');
      process.exitCode = await playbooksCommand(options);
    });

  program
    .command('diagnose')
    .description('run a playbook against a cluster and print its findings, most severe first')
    .argument('<playbook>', 'playbook id (see "quorum playbooks")')
    .option('--cluster <name>', 'a cluster of the config file (default: its defaultCluster); the flags below amend it')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('--in-cluster', 'use the pod service account instead of a kubeconfig')
    .option('--etcd-endpoints <urls>', 'comma-separated etcd client URLs, e.g. https://10.0.0.1:2379')
    .option('--etcd-cacert <file>', 'etcd CA certificate (kubeadm: /etc/kubernetes/pki/etcd/ca.crt)')
    .option('--etcd-cert <file>', 'etcd client certificate (kubeadm: /etc/kubernetes/pki/apiserver-etcd-client.crt)')
    .option('--etcd-key <file>', 'etcd client key (kubeadm: /etc/kubernetes/pki/apiserver-etcd-client.key)')
    .option('--etcd-quota-bytes <n>', "etcd's --quota-backend-bytes, when etcd cannot report it", positiveInteger)
    .option(
      '--prometheus-url <url>',
      'read latency windows from this Prometheus (PromQL) instead of scraping /metrics twice',
    )
    .option('--prometheus-selector <matchers>', 'label matchers for this cluster\'s series, e.g. cluster="prod-eu"')
    .option('--param <name=value>', 'set a playbook parameter (repeatable)', collect, [])
    .option('--check-timeout <seconds>', 'deadline per check', positiveInteger)
    .option('--config <file>', 'config file (YAML); default $QUORUM_CONFIG')
    .option('--playbooks-dir <dir>', 'read playbooks from this directory')
    .option('--no-color', 'plain text even on a terminal')
    .option('-q, --quiet', 'no progress lines on stderr')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
    .action(async (playbook: string, options: DiagnoseCommandOptions) => {
      const { diagnoseCommand } = await import('./diagnose-command.js');
      process.exitCode = await diagnoseCommand(playbook, options);
    });

  program
    .command('bot')
    .description('run the Slack bot (HTTP at /slack/events, or Socket Mode with SLACK_APP_TOKEN) until SIGTERM')
    .option('--config <file>', 'config file (YAML); default $QUORUM_CONFIG')
    .action(async (options: { config?: string }) => {
      const { botCommand } = await import('./bot-command.js');
      // A service ends when it is told to: whatever a dependency left scheduled must not keep the process up.
      process.exit(await botCommand(options));
    });

  program
    .command('worker')
    .description('run queued diagnoses and report them in Slack until SIGTERM')
    .option('--config <file>', 'config file (YAML); default $QUORUM_CONFIG')
    .action(async (options: { config?: string }) => {
      const { workerCommand } = await import('./worker-command.js');
      process.exit(await workerCommand(options));
    });

  program
    .command('executor')
    .description('run approved etcd maintenance (the only process with etcd write credentials) until SIGTERM')
    .option('--config <file>', 'config file (YAML); default $QUORUM_CONFIG')
    .option('--dry-run', 'check and show every step of each approved plan, change nothing')
    .action(async (options: { config?: string; dryRun?: boolean }) => {
      const { executorCommand } = await import('./executor-command.js');
      process.exit(await executorCommand(options));
    });

  program
    .command('audit')
    .description('print the audit trail: maintenance requests, approvals, denials, expiries and steps, newest first')
    .option('--config <file>', 'config file (YAML); default $QUORUM_CONFIG')
    .option('--cluster <name>', 'only this cluster')
    .option('--since <duration>', 'how far back, e.g. 30m, 24h, 7d', '24h')
    .option('--limit <n>', 'at most this many entries', positiveInteger, 1000)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      async (options: { config?: string; cluster?: string; since: string; limit: number; format: 'text' | 'json' }) => {
        const { auditCommand } = await import('./audit-command.js');
        process.exitCode = await auditCommand(options);
      },
    );

  program
    .command('demo')
    .description(
      'bring up the whole system on loopback (etcd, simulator, Prometheus, Alertmanager, bot, worker, executor) with a chat console in the browser; --terminal: the terminal-only walk-through',
    )
    .option(
      '--terminal',
      'diagnose a local etcd in NOSPACE and a simulated degraded cluster in the terminal, then clean up',
    )
    .option('--port <port>', 'the chat console port (default: a free one)', positiveInteger)
    .option('--no-color', 'plain text even on a terminal')
    .action(async (options: { color: boolean; terminal?: boolean; port?: number }) => {
      // The sandbox (simulator, local servers) is no part of the production build: see loadSandboxCommand.
      process.exitCode = await (await loadSandboxCommand('demo'))(options);
    });

  program
    .command('bench')
    .description(
      'benchmark start-up, diagnosis on a generated large cluster and under API latency, and the Slack path; writes bench/results/',
    )
    .option(
      '--only <sections>',
      'run only these sections (startup, scale, latency, slack, alerts, maintenance), e.g. --only slack',
    )
    .action(async (options: { only?: string }) => {
      process.exitCode = await (await loadSandboxCommand('bench'))({ color: false, ...options });
    });

  return program;
}

/** Runs the CLI; every failure of Quorum itself ends with a message saying what to fix and exit code 3. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? ExitCode.Ok : ExitCode.QuorumFailed;
      return;
    }
    const quorumError = asQuorumError(error);
    process.stderr.write(`quorum: ${withFlagSpelling(quorumError.message)}\n`);
    if (!(error instanceof QuorumError) && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    }
    process.exitCode = ExitCode.QuorumFailed;
  }
}

// `quorum diagnose … | head` closes the pipe early: that is the reader's choice, not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

await main(process.argv);
