import type { ContainerState, ContainerStatus } from '../ports/kube-types.js';

export type Termination = NonNullable<ContainerState['terminated']>;

/** Exit codes 128 + n: the process died of signal n. */
const SIGNAL_EXITS: Readonly<Record<number, string>> = {
  129: 'SIGHUP',
  130: 'SIGINT',
  131: 'SIGQUIT',
  134: 'SIGABRT',
  137: 'SIGKILL',
  139: 'SIGSEGV',
  143: 'SIGTERM',
};

/** The container's last termination: the previous run's (`lastState`), or the current one's when it has ended. */
export function lastTerminationOf(status: ContainerStatus | undefined): Termination | undefined {
  return status?.lastState?.terminated ?? status?.state?.terminated;
}

export function isOomKilled(termination: Termination | undefined): boolean {
  return termination?.reason === 'OOMKilled';
}

/**
 * "OOMKilled (exit 137)", "Error (exit 1)", "Error (exit 137, SIGKILL)": the reason and exit code as the kubelet
 * reports them, with the signal a 128+n code stands for (OOMKilled already says SIGKILL).
 */
export function describeTermination(termination: Termination): string {
  const code = termination.exitCode;
  const signal = code === undefined || isOomKilled(termination) ? undefined : SIGNAL_EXITS[code];
  const exit = code === undefined ? '' : ` (exit ${code}${signal ? `, ${signal}` : ''})`;
  return `${termination.reason ?? 'terminated'}${exit}`;
}
