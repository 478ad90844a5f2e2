import type { Etcd3 } from 'etcd3';
import { EtcdPermissionDeniedError, GRPCDeadlineExceededError } from 'etcd3';
import { raceAbort, throwIfAborted } from '../core/abort.js';
import { bareSettingName } from '../core/setting-name.js';
import { ConfigError, EtcdRequestError, EtcdUnreachableError, QuorumError } from '../core/errors.js';
import { countByPrefix, type KeyspaceProbe } from './count-by-prefix.js';
import { configuredClientCertificate, memberServingCertificates } from './etcd-certificates.js';
import { normalizeEndpoint } from './etcd-endpoint.js';
import { fetchEtcdMetrics, readEtcdMetric } from './etcd-metric.js';
import type { EtcdReaderOptions } from './etcd-reader-options.js';
import type {
  EtcdCallOptions,
  EtcdEndpointHealth,
  EtcdPing,
  EtcdPingOptions,
  EtcdReader,
} from '../ports/etcd-reader.js';
import { loadEtcdTls } from './etcd-tls.js';
import { classifyEtcdFailure, toEtcdError } from './etcd3-errors.js';
import { createMemberClient } from './etcd3-member-client.js';
import { parseAlarms, parseMember, parseStatus } from './etcd3-parse.js';
import { MemberClients } from './member-clients.js';

/** The key etcdctl's `endpoint health` reads; whether it exists does not matter. */
const HEALTH_KEY = Buffer.from('health');

/**
 * The diagnostics' read-only view of etcd, over etcd3 1.1.2 (see {@link EtcdReader}).
 *
 * - Per-member calls (`status`, `health`) go through one client per member endpoint, created on first use.
 * - Cluster-wide calls (`members`, `alarms`, `prefixCounts`) try the configured endpoints in turn, starting with the
 *   last one that answered.
 * - Nothing is retried and no circuit breaker can open (after NOSPACE, status still works); every call has a gRPC
 *   deadline of `requestTimeoutMs`.
 * - The returned object holds only the port's methods: no client, write, delete, compact, defragment, disarm or
 *   value read is reachable from it. Ranges are keys-only or count-only.
 *
 * @throws ConfigError for no endpoints, a malformed endpoint or unreadable TLS files.
 */
export function createEtcdReader(options: EtcdReaderOptions): EtcdReader {
  const { requestTimeoutMs = 5_000, settingName = bareSettingName } = options;
  if (options.endpoints.length === 0) {
    throw new ConfigError(
      `No etcd endpoints configured: set ${settingName('etcd.endpoints')}, e.g. https://10.0.0.1:2379.`,
    );
  }
  if (!Number.isFinite(requestTimeoutMs) || requestTimeoutMs <= 0) {
    throw new ConfigError(`etcd requestTimeoutMs must be a positive number of ms, got ${requestTimeoutMs}.`);
  }
  const tls = loadEtcdTls(options);
  const normalize = (endpoint: string): string => normalizeEndpoint(endpoint, tls !== undefined);
  const endpoints = Object.freeze(options.endpoints.map(normalize));
  const clients = new MemberClients((endpoint) => createMemberClient(endpoint, tls));
  const callOptions = (): { deadline: number } => ({ deadline: Date.now() + requestTimeoutMs });
  let preferred = 0;

  /** One call to the member behind `endpoint`, with its failure explained. */
  async function onMember<T>(
    endpoint: string,
    what: string,
    call: (client: Etcd3) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    try {
      throwIfAborted(signal);
      return await raceAbort(call(clients.get(endpoint)), signal);
    } catch (error) {
      throw error instanceof QuorumError ? error : toEtcdError(endpoint, what, error, requestTimeoutMs, settingName);
    }
  }

  /** One call to whichever configured member answers first, trying them in turn. */
  async function onAnyMember<T>(
    what: string,
    call: (client: Etcd3) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const failures: Array<{ endpoint: string; answered: boolean; reason: string; error: unknown }> = [];
    for (let attempt = 0; attempt < endpoints.length; attempt++) {
      const index = (preferred + attempt) % endpoints.length;
      const endpoint = endpoints[index] as string;
      throwIfAborted(signal);
      try {
        const result = await raceAbort(call(clients.get(endpoint)), signal);
        preferred = index;
        return result;
      } catch (error) {
        if (error instanceof QuorumError || signal?.aborted) throw error;
        failures.push({ endpoint, error, ...classifyEtcdFailure(error, requestTimeoutMs, settingName) });
      }
    }
    const reasons = failures.map((failure) => `${failure.endpoint}: ${failure.reason}`).join('; ');
    const cause = failures[failures.length - 1]?.error;
    if (failures.some((failure) => failure.answered)) {
      throw new EtcdRequestError(`No etcd member served ${what}. ${reasons}`, cause);
    }
    throw new EtcdUnreachableError(endpoints, `${what} failed on every endpoint (${reasons})`, cause, settingName);
  }

  // Serializable: counts from one member's local state need no quorum, so they still come during an incident and
  // cost the leader nothing. They may trail the leader by a few writes, which does not matter for counting.
  const keyspace = (signal: AbortSignal | undefined): KeyspaceProbe => ({
    firstKey: (from, end) =>
      onAnyMember(
        'a keys-only range read',
        async (client) => {
          const request = { key: from, range_end: end, limit: 1, keys_only: true, serializable: true };
          return (await client.kv.range(request, callOptions())).kvs[0]?.key;
        },
        signal,
      ),
    count: (from, end) =>
      onAnyMember(
        'a count-only range read',
        async (client) => {
          const request = { key: from, range_end: end, count_only: true, serializable: true };
          return Number((await client.kv.range(request, callOptions())).count);
        },
        signal,
      ),
  });

  const reader: EtcdReader = {
    endpoints,

    async members({ signal }: EtcdCallOptions = {}) {
      const response = await onAnyMember(
        'the member list',
        (client) => client.cluster.memberList({}, callOptions()),
        signal,
      );
      return response.members.map(parseMember);
    },

    async status(endpoint, { signal }: EtcdCallOptions = {}) {
      const target = normalize(endpoint);
      const response = await onMember(target, 'status', (client) => client.maintenance.status(callOptions()), signal);
      return parseStatus(endpoint, response);
    },

    async health(endpoint, { signal }: EtcdCallOptions = {}): Promise<EtcdEndpointHealth> {
      const started = performance.now();
      const took = (): number => Math.round(performance.now() - started);
      throwIfAborted(signal);
      try {
        const client = clients.get(normalize(endpoint));
        // Linearizable (the default): only a member in contact with a quorum can answer.
        await raceAbort(client.kv.range({ key: HEALTH_KEY, count_only: true }, callOptions()), signal);
        return { endpoint, healthy: true, tookMs: took() };
      } catch (error) {
        if (error instanceof QuorumError || signal?.aborted) throw error;
        // As etcdctl: "permission denied" came through raft, so the member reached quorum.
        if (error instanceof EtcdPermissionDeniedError) return { endpoint, healthy: true, tookMs: took() };
        return {
          endpoint,
          healthy: false,
          tookMs: took(),
          error: classifyEtcdFailure(error, requestTimeoutMs, settingName).reason,
        };
      }
    },

    async ping(endpoint, { signal, timeoutMs = requestTimeoutMs }: EtcdPingOptions = {}): Promise<EtcdPing> {
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
        throw new EtcdRequestError(`An etcd ping needs a positive timeoutMs, got ${timeoutMs} (a bug in the caller).`);
      }
      const deadlineMs = Math.min(timeoutMs, requestTimeoutMs);
      throwIfAborted(signal);
      const client = clients.get(normalize(endpoint));
      const started = performance.now();
      const took = (): number => performance.now() - started;
      try {
        // Serializable: the member answers from its own store, so a slow leader or a slow peer link does not make
        // every member look slow; count-only on one key: nothing to read, nothing to send back.
        const request = { key: HEALTH_KEY, count_only: true, serializable: true };
        await raceAbort(client.kv.range(request, { deadline: Date.now() + deadlineMs }), signal);
        return { endpoint, answered: true, tookMs: took() };
      } catch (error) {
        if (error instanceof QuorumError || signal?.aborted) throw error;
        const tookMs = took();
        // It answered, with a refusal: the round trip happened all the same.
        if (error instanceof EtcdPermissionDeniedError) return { endpoint, answered: true, tookMs };
        const failure = classifyEtcdFailure(error, deadlineMs, settingName);
        if (failure.answered) return { endpoint, answered: true, tookMs };
        const timedOut = error instanceof GRPCDeadlineExceededError;
        return { endpoint, answered: false, tookMs, timedOut, error: failure.reason };
      }
    },

    async alarms({ signal }: EtcdCallOptions = {}) {
      const response = await onAnyMember(
        'the alarm list',
        (client) => client.maintenance.alarm({ action: 'Get', memberID: 0, alarm: 'None' }, callOptions()),
        signal,
      );
      return parseAlarms(response);
    },

    async quotaBytes(endpoint, { signal }: EtcdCallOptions = {}) {
      try {
        return await readEtcdMetric(
          normalize(endpoint),
          'etcd_server_quota_backend_bytes',
          tls,
          requestTimeoutMs,
          signal,
        );
      } catch (error) {
        if (signal?.aborted) throw error;
        // The port promises "undefined when unavailable": the caller falls back to config or etcd's default.
        return undefined;
      }
    },

    metricsText: (endpoint, { signal }: EtcdCallOptions = {}) =>
      fetchEtcdMetrics(normalize(endpoint), tls, requestTimeoutMs, signal),

    async prefixCounts(root, { limit, signal } = {}) {
      try {
        return await countByPrefix(keyspace(signal), root, limit === undefined ? {} : { limit });
      } catch (error) {
        if (error instanceof QuorumError || signal?.aborted) throw error;
        throw new EtcdRequestError(`Cannot count keys under ${root}: ${(error as Error).message}`, error);
      }
    },

    servingCertificates: (endpoint, { signal }: EtcdCallOptions = {}) =>
      memberServingCertificates(normalize(endpoint), tls, requestTimeoutMs, settingName, signal),

    async clientCertificate({ signal }: EtcdCallOptions = {}) {
      throwIfAborted(signal);
      return configuredClientCertificate(tls, options.certFile, settingName);
    },

    async close() {
      clients.close();
    },
  };
  return Object.freeze(reader);
}
