/**
 * Every error Quorum raises on purpose. Each has a stable `code` (for logs, JSON output and tests) and a message
 * that tells the person reading it what to do next. Anything else is wrapped by {@link asQuorumError} at the edge.
 */
export const ErrorCode = {
  Config: 'quorum_config_error',
  Usage: 'quorum_usage_error',
  UnknownPlaybook: 'quorum_unknown_playbook',
  UnknownCluster: 'quorum_unknown_cluster',
  RunAborted: 'quorum_run_aborted',
  QueueUnavailable: 'quorum_queue_unavailable',
  RunCancelled: 'quorum_run_cancelled',
  RunTimeout: 'quorum_run_timeout',
  WorkerShutdown: 'quorum_worker_shutdown',
  InvalidPlaybook: 'quorum_invalid_playbook',
  Kubeconfig: 'quorum_kubeconfig_error',
  ReadOnlyViolation: 'quorum_read_only_violation',
  KubeRequest: 'quorum_kube_request_error',
  KubeTimeout: 'quorum_kube_timeout',
  EtcdUnreachable: 'quorum_etcd_unreachable',
  EtcdRequest: 'quorum_etcd_request_error',
  CheckTimeout: 'quorum_check_timeout',
  ServiceStart: 'quorum_service_start_error',
  Scenario: 'quorum_scenario_error',
  MetricsParse: 'quorum_metrics_parse_error',
  PrometheusRequest: 'quorum_prometheus_request_error',
  AlertsToken: 'quorum_alerts_token_error',
  ApprovalRefused: 'quorum_approval_refused',
  MaintenanceStopped: 'quorum_maintenance_stopped',
  Internal: 'quorum_internal_error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class QuorumError extends Error {
  readonly code: ErrorCode;
  /** True when trying again later may succeed (timeouts, 5xx, 429); false for mistakes that need a person. */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** Bad configuration: a file or environment variable that fails validation. */
export class ConfigError extends QuorumError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.Config, message, { cause });
  }
}

/** Bad command-line arguments. */
export class UsageError extends QuorumError {
  constructor(message: string) {
    super(ErrorCode.Usage, message);
  }
}

export class UnknownPlaybookError extends QuorumError {
  constructor(
    readonly requested: string,
    readonly known: readonly string[],
    readonly suggestions: readonly string[] = [],
  ) {
    const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((id) => `"${id}"`).join(' or ')}?` : '';
    super(
      ErrorCode.UnknownPlaybook,
      `Unknown playbook "${requested}".${hint} Available playbooks: ${known.join(', ')}.`,
    );
  }
}

export class UnknownClusterError extends QuorumError {
  constructor(
    readonly requested: string | undefined,
    readonly known: readonly string[],
    readonly suggestions: readonly string[] = [],
  ) {
    const configured = known.length > 0 ? `Configured clusters: ${known.join(', ')}.` : 'No cluster is configured.';
    const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((name) => `"${name}"`).join(' or ')}?` : '';
    super(
      ErrorCode.UnknownCluster,
      requested === undefined
        ? `No cluster was named and the config has no defaultCluster. ${configured} Name one (cluster=NAME) or set defaultCluster.`
        : `Unknown cluster "${requested}".${hint} ${configured}`,
    );
  }
}

/** A run stopped because its caller cancelled it or its deadline passed; `reason` says which. */
export class RunAbortedError extends QuorumError {
  constructor(reason: string, cause?: unknown) {
    super(ErrorCode.RunAborted, reason, { cause });
  }
}

/** Someone asked to stop the run. */
export class RunCancelledError extends QuorumError {
  constructor(readonly by?: string) {
    super(ErrorCode.RunCancelled, `The run was cancelled${by ? ` by ${by}` : ''}.`);
  }
}

/** The run went past `worker.runTimeoutSeconds` and was stopped. */
export class RunTimeoutError extends QuorumError {
  constructor(readonly seconds: number) {
    super(
      ErrorCode.RunTimeout,
      `The run did not finish within ${seconds} s and was stopped. If the cluster is only slow, raise worker.runTimeoutSeconds.`,
    );
  }
}

/** The worker is stopping: the run goes back to the queue for another worker. */
export class WorkerShutdownError extends QuorumError {
  constructor() {
    super(ErrorCode.WorkerShutdown, 'The worker is shutting down: the run is handed back to the queue.', {
      retryable: true,
    });
  }
}

export class InvalidPlaybookError extends QuorumError {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(ErrorCode.InvalidPlaybook, `Playbook file ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
  }
}

export class KubeconfigError extends QuorumError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.Kubeconfig, message, { cause });
  }
}

/** A non-read request was attempted through the diagnostics' Kubernetes access: it never left the process. */
export class ReadOnlyViolationError extends QuorumError {
  constructor(
    readonly method: string,
    readonly path: string,
  ) {
    super(
      ErrorCode.ReadOnlyViolation,
      `Refused ${method} ${path}: Quorum's diagnostics are read-only and only send GET requests. This is a bug in the caller.`,
    );
  }
}

export class KubeRequestError extends QuorumError {
  constructor(
    message: string,
    readonly status: number | undefined,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(ErrorCode.KubeRequest, message, options);
  }
}

/**
 * An answer larger than the reader accepts. Its own class because one caller can do better than fail: a list asked
 * of the watch cache (`resourceVersion=0`), which API servers answer whole, is asked again page by page.
 */
export class KubeResponseTooLargeError extends KubeRequestError {
  constructor(
    message: string,
    status: number | undefined,
    /** The cap that was exceeded, in bytes. */
    readonly limitBytes: number,
  ) {
    super(message, status);
  }
}

/**
 * `metrics.k8s.io` cannot be read: the cluster does not serve it (`not-served`, 404: metrics-server is not installed
 * or its APIService not registered), or the aggregator cannot reach the server behind it (`unavailable`, 503). Not a
 * failure of the diagnosis: usage is simply not there to read, and checks say so.
 */
export class MetricsApiUnavailableError extends KubeRequestError {
  constructor(
    message: string,
    status: number,
    readonly reason: 'not-served' | 'unavailable',
  ) {
    super(message, status);
  }
}

export class KubeTimeoutError extends QuorumError {
  constructor(path: string, timeoutMs: number, where = 'the API server', setting = 'kube.requestTimeoutMs') {
    super(
      ErrorCode.KubeTimeout,
      `${where} did not answer ${path} within ${timeoutMs} ms: it may be overloaded or unreachable. If it is only slow, raise ${setting} in the config.`,
      { retryable: true },
    );
  }
}

export class EtcdUnreachableError extends QuorumError {
  /**
   * What happened, without the advice about endpoints and certificates that the message adds: a check that sees
   * other members answer with the same settings says something better.
   */
  readonly reason: string;

  constructor(
    endpoints: readonly string[],
    reason: string,
    cause?: unknown,
    setting: (path: string) => string = (path) => path,
  ) {
    super(
      ErrorCode.EtcdUnreachable,
      `Cannot reach etcd at ${endpoints.join(', ')}: ${endSentence(reason)} Check ${setting('etcd.endpoints')} and the client certificates (${setting('etcd.caFile')}, ${setting('etcd.certFile')}, ${setting('etcd.keyFile')}).`,
      { cause, retryable: true },
    );
    this.reason = reason;
  }
}

export class EtcdRequestError extends QuorumError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.EtcdRequest, message, { cause, retryable: true });
  }
}

export class CheckTimeoutError extends QuorumError {
  constructor(checkId: string, timeoutMs: number) {
    super(ErrorCode.CheckTimeout, `${checkId} did not finish within ${timeoutMs} ms`, { retryable: true });
  }
}

export class ServiceStartError extends QuorumError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.ServiceStart, message, { cause });
  }
}

export class ScenarioError extends QuorumError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.Scenario, message, { cause });
  }
}

/** A reason as a sentence: a full stop unless it already ends with one (or a question mark). */
export function endSentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[.?!]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** Wraps anything thrown at a boundary so callers only ever see a {@link QuorumError}. */
export function asQuorumError(error: unknown): QuorumError {
  if (error instanceof QuorumError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new QuorumError(ErrorCode.Internal, message, { cause: error });
}

/**
 * A short, single-line reason for a finding or a log line. Node's happy-eyeballs connect (a host name with several
 * addresses) fails with an AggregateError whose own message is empty: its inner errors say what happened.
 */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    const inner = [...new Set(error.errors.map((each: unknown) => describeError(each)))].join('; ');
    return inner || ((error as { code?: string }).code ?? error.name);
  }
  if (error instanceof Error) {
    return error.message.split('\n')[0] || ((error as { code?: string }).code ?? error.name);
  }
  return String(error);
}
