import type { ClientCertificate, ServingCertificates } from './certificates.js';

/**
 * Read-only view of an etcd cluster, as the diagnostics see it. There is deliberately no write, delete, compact,
 * defragment or alarm-disarm here, and no method returns a key's value: only keys, counts and status.
 * Member IDs are hex strings as etcdctl prints them; sizes are bytes.
 */
export interface EtcdMember {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface EtcdMemberStatus {
  endpoint: string;
  /** The cluster's identity (`header.cluster_id`), hex: the same on every member of one cluster. */
  clusterId: string;
  memberId: string;
  leaderId: string;
  isLeader: boolean;
  version: string;
  dbSizeBytes: number;
  /** Absent before etcd 3.4. */
  dbSizeInUseBytes?: number;
  /** Only from etcd 3.6. */
  dbSizeQuotaBytes?: number;
  raftIndex: number;
  raftTerm: number;
  raftAppliedIndex?: number;
  /** The store revision this member reports (decimal string: it can exceed 2^53). */
  revision: string;
  isLearner: boolean;
  /** Errors the member itself reports, e.g. "etcdserver: no leader" or an active alarm. */
  errors: string[];
}

export type EtcdAlarmType = 'NOSPACE' | 'CORRUPT';

export interface EtcdAlarm {
  memberId: string;
  alarm: EtcdAlarmType;
}

export interface EtcdEndpointHealth {
  endpoint: string;
  healthy: boolean;
  tookMs: number;
  error?: string;
}

/**
 * One round trip to one member: the time of its cheapest call, or why it did not answer. `timedOut` separates a
 * member that is slow beyond the per-call deadline from one that refused or dropped the connection.
 */
export type EtcdPing =
  | { endpoint: string; answered: true; tookMs: number }
  | { endpoint: string; answered: false; tookMs: number; timedOut: boolean; error: string };

/** How many keys live under one `/registry/<resource>` prefix. */
export interface PrefixCount {
  prefix: string;
  keys: number;
}

/** Options every call takes. */
export interface EtcdCallOptions {
  /**
   * Releases the caller when it fires (rejecting with its reason). gRPC calls through etcd3 cannot be cancelled
   * themselves: they end at their own deadline (`requestTimeoutMs`); HTTP reads are aborted at once.
   */
  signal?: AbortSignal;
}

export interface EtcdPingOptions extends EtcdCallOptions {
  /** The call's own deadline, in ms, capped at the reader's `requestTimeoutMs`. @defaultValue requestTimeoutMs */
  timeoutMs?: number;
}

export interface EtcdReader {
  /** The endpoints Quorum was given. */
  readonly endpoints: readonly string[];

  members(options?: EtcdCallOptions): Promise<EtcdMember[]>;
  /** Status of the member behind exactly this endpoint (one client per member, never a shuffled pool). */
  status(endpoint: string, options?: EtcdCallOptions): Promise<EtcdMemberStatus>;
  /** A linearizable, count-only read through this endpoint: healthy when the member can reach quorum. */
  health(endpoint: string, options?: EtcdCallOptions): Promise<EtcdEndpointHealth>;
  /**
   * One timed round trip to the member behind exactly this endpoint: a serializable, count-only read of one key,
   * which the member answers from its own state without asking the leader, so the time is the network path and the
   * member's own responsiveness, not raft's. Measured with a monotonic clock. Resolves with the failure when the
   * member does not answer; rejects only when the signal fires.
   */
  ping(endpoint: string, options?: EtcdPingOptions): Promise<EtcdPing>;
  alarms(options?: EtcdCallOptions): Promise<EtcdAlarm[]>;
  /** The quota from etcd's own metric `etcd_server_quota_backend_bytes`, when the endpoint serves `/metrics`. */
  quotaBytes(endpoint: string, options?: EtcdCallOptions): Promise<number | undefined>;
  /**
   * The member's own `/metrics` (Prometheus text) behind exactly this endpoint: its process, Go runtime and server
   * metrics. Throws when the endpoint does not answer 200 within the request deadline.
   */
  metricsText(endpoint: string, options?: EtcdCallOptions): Promise<string>;
  /** Keys under `root` grouped by resource prefix, most keys first; keys-only and count-only reads. */
  prefixCounts(root: string, options?: EtcdCallOptions & { limit?: number }): Promise<PrefixCount[]>;
  /**
   * The serving certificate chain of the member behind this endpoint, from a TLS handshake with the configured CA and
   * client certificate that sends nothing; `undefined` for an `http://` endpoint. Resolves for a certificate that
   * does not verify (expired, untrusted): `verified` and `verifyError` say so. Aborted at once by the signal.
   */
  servingCertificates(endpoint: string, options?: EtcdCallOptions): Promise<ServingCertificates | undefined>;
  /** The configured client certificate (`etcd.certFile`), never its key; `undefined` when none is configured. */
  clientCertificate(options?: EtcdCallOptions): Promise<ClientCertificate | undefined>;
  close(): Promise<void>;
}
