import type { Severity } from '../findings/finding.js';

/** The process exit code says how bad things are, so scripts and alerts can branch on it. */
export const ExitCode = {
  Ok: 0,
  Warning: 1,
  Critical: 2,
  /** Quorum itself could not run: bad arguments, unreadable kubeconfig, unreachable etcd. */
  QuorumFailed: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(worst: Severity): ExitCode {
  if (worst === 'critical') return ExitCode.Critical;
  if (worst === 'warning') return ExitCode.Warning;
  return ExitCode.Ok;
}
