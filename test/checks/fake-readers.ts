import type { CheckContext } from '../../src/checks/check.js';
import { createRunMemo } from '../../src/playbooks/run-memo.js';
import type { ClientCertificate, ServingCertificates } from '../../src/ports/certificates.js';
import type { KubeReader, ListOptions, RawResponse } from '../../src/ports/kube-reader.js';
import type {
  Event,
  Lease,
  Namespace,
  Node,
  NodeMetrics,
  ObjectMetadata,
  Pod,
  PodFootprint,
  PodMetrics,
} from '../../src/ports/kube-types.js';
import type {
  EtcdAlarm,
  EtcdEndpointHealth,
  EtcdMember,
  EtcdMemberStatus,
  EtcdPing,
  EtcdReader,
  PrefixCount,
} from '../../src/ports/etcd-reader.js';

/** A plain in-memory KubeReader for unit tests of checks; the simulator covers the wire format. */
export class FakeKubeReader implements KubeReader {
  readonly clusterName = 'fake';
  readonly server = 'https://fake.invalid';
  nodeList: Node[] = [];
  podList: Pod[] = [];
  eventList: Event[] = [];
  leaseList: Lease[] = [];
  logs = new Map<string, string>();
  /** A list answers one item per call (the last one repeats), for scrapes that must differ. */
  rawResponses = new Map<string, RawResponse | Error | Array<RawResponse | Error>>();
  /** What `servingCertificates()` answers; `undefined` is a plain-HTTP server. */
  serving: ServingCertificates | Error | undefined;
  /** What `clientCertificate()` answers; `undefined` is a token user. */
  client: ClientCertificate | Error | undefined;
  /** What metrics-server reports; an Error (MetricsApiUnavailableError: no metrics-server) is thrown by both calls. */
  nodeUsage: NodeMetrics[] | Error = [];
  podUsage: PodMetrics[] | Error = [];

  async *nodes(options: Omit<ListOptions, 'namespace'> = {}): AsyncIterable<Node> {
    // Only the selector checks use: one node by name.
    const name = /^metadata\.name=(.+)$/.exec(options.fieldSelector ?? '')?.[1];
    yield* this.nodeList.filter((node) => name === undefined || node.metadata.name === name);
  }
  async *pods(options: ListOptions = {}): AsyncIterable<Pod> {
    yield* this.podList.filter((pod) => !options.namespace || pod.metadata.namespace === options.namespace);
  }
  podFootprints(options: ListOptions = {}): AsyncIterable<PodFootprint> {
    return this.pods(options);
  }
  async *podMetadata(options: ListOptions = {}): AsyncIterable<ObjectMetadata> {
    for await (const pod of this.pods(options)) yield { metadata: pod.metadata };
  }
  async pod(namespace: string, name: string): Promise<Pod | undefined> {
    return this.podList.find((pod) => pod.metadata.namespace === namespace && pod.metadata.name === name);
  }
  async *events(options: ListOptions = {}): AsyncIterable<Event> {
    yield* this.eventList.filter((event) => !options.namespace || event.metadata.namespace === options.namespace);
  }
  async *namespaces(): AsyncIterable<Namespace> {}
  async *leases(options: ListOptions = {}): AsyncIterable<Lease> {
    yield* this.leaseList.filter((lease) => !options.namespace || lease.metadata.namespace === options.namespace);
  }
  async lease(namespace: string, name: string): Promise<Lease | undefined> {
    return this.leaseList.find((lease) => lease.metadata.namespace === namespace && lease.metadata.name === name);
  }
  async podLog(namespace: string, name: string): Promise<string> {
    const log = this.logs.get(`${namespace}/${name}`);
    if (log === undefined) throw new Error(`no log for ${namespace}/${name}`);
    return log;
  }
  async nodeMetrics(): Promise<NodeMetrics[]> {
    if (this.nodeUsage instanceof Error) throw this.nodeUsage;
    return this.nodeUsage;
  }
  async podMetrics(options: ListOptions = {}): Promise<PodMetrics[]> {
    if (this.podUsage instanceof Error) throw this.podUsage;
    return this.podUsage.filter((pod) => !options.namespace || pod.metadata.namespace === options.namespace);
  }
  async raw(path: string): Promise<RawResponse> {
    const entry = this.rawResponses.get(path);
    const response = Array.isArray(entry) ? (entry.length > 1 ? entry.shift() : entry[0]) : entry;
    if (!response) return { status: 404, body: 'not found' };
    if (response instanceof Error) throw response;
    return response;
  }
  async servingCertificates(): Promise<ServingCertificates | undefined> {
    if (this.serving instanceof Error) throw this.serving;
    return this.serving;
  }
  async clientCertificate(): Promise<ClientCertificate | undefined> {
    if (this.client instanceof Error) throw this.client;
    return this.client;
  }
}

export function memberStatus(
  overrides: Partial<EtcdMemberStatus> & Pick<EtcdMemberStatus, 'endpoint' | 'memberId'>,
): EtcdMemberStatus {
  return {
    clusterId: 'c1a2b3',
    leaderId: 'a1',
    isLeader: overrides.memberId === (overrides.leaderId ?? 'a1'),
    version: '3.4.23',
    dbSizeBytes: 20 * 1024 * 1024,
    dbSizeInUseBytes: 10 * 1024 * 1024,
    raftIndex: 1000,
    raftTerm: 2,
    revision: '5000',
    isLearner: false,
    errors: [],
    ...overrides,
  };
}

/** A fake etcd cluster: members, statuses (an Error for a member that is down), alarms, prefixes. */
export class FakeEtcdReader implements EtcdReader {
  readonly endpoints: string[];
  memberList: EtcdMember[];
  statuses = new Map<string, EtcdMemberStatus | Error>();
  alarmList: EtcdAlarm[] = [];
  prefixes: PrefixCount[] = [];
  quota?: number;
  statusCalls = 0;
  /**
   * Per endpoint: what successive pings answer (round trips in ms, or a failure), cycling; absent: 2 ms. A member
   * whose status is an Error refuses pings too.
   */
  pings = new Map<string, Array<number | { timedOut: boolean; error: string; tookMs?: number }>>();
  pingCalls = 0;
  private readonly pingIndex = new Map<string, number>();
  /** Per endpoint: what `servingCertificates()` answers (absent: `undefined`, a plain-HTTP member). */
  serving = new Map<string, ServingCertificates | Error>();
  /** What `clientCertificate()` answers; `undefined` is no client certificate configured. */
  client: ClientCertificate | Error | undefined;
  /** Per endpoint: what `metricsText()` answers; a list answers one item per call (the last one repeats). */
  metricTexts = new Map<string, string | Error | Array<string | Error>>();

  constructor(memberCount = 3) {
    this.memberList = Array.from({ length: memberCount }, (_, index) => ({
      id: `a${index + 1}`,
      name: `etcd-${index + 1}`,
      peerURLs: [`http://10.0.0.${index + 1}:2380`],
      clientURLs: [`http://10.0.0.${index + 1}:2379`],
      isLearner: false,
    }));
    this.endpoints = this.memberList.map((member) => member.clientURLs[0] as string);
    for (const member of this.memberList) {
      this.statuses.set(
        member.clientURLs[0] as string,
        memberStatus({ endpoint: member.clientURLs[0] as string, memberId: member.id }),
      );
    }
  }

  async members(): Promise<EtcdMember[]> {
    return this.memberList;
  }
  async status(endpoint: string): Promise<EtcdMemberStatus> {
    this.statusCalls += 1;
    const status = this.statuses.get(endpoint);
    if (!status) throw new Error(`unknown endpoint ${endpoint}`);
    if (status instanceof Error) throw status;
    return status;
  }
  async health(endpoint: string): Promise<EtcdEndpointHealth> {
    const status = this.statuses.get(endpoint);
    return status instanceof Error || !status
      ? { endpoint, healthy: false, tookMs: 1, error: status?.message ?? 'unknown' }
      : { endpoint, healthy: true, tookMs: 1 };
  }
  async ping(endpoint: string): Promise<EtcdPing> {
    this.pingCalls += 1;
    const index = this.pingIndex.get(endpoint) ?? 0;
    this.pingIndex.set(endpoint, index + 1);
    const status = this.statuses.get(endpoint);
    if (status instanceof Error || !status) {
      return { endpoint, answered: false, tookMs: 0, timedOut: false, error: status?.message ?? 'unknown' };
    }
    const answers = this.pings.get(endpoint) ?? [2];
    const answer = answers[index % answers.length] ?? 2;
    return typeof answer === 'number'
      ? { endpoint, answered: true, tookMs: answer }
      : { endpoint, answered: false, tookMs: answer.tookMs ?? 0, timedOut: answer.timedOut, error: answer.error };
  }
  async alarms(): Promise<EtcdAlarm[]> {
    return this.alarmList;
  }
  async quotaBytes(): Promise<number | undefined> {
    return this.quota;
  }
  async metricsText(endpoint: string): Promise<string> {
    const entry = this.metricTexts.get(endpoint);
    const answer = Array.isArray(entry) ? (entry.length > 1 ? entry.shift() : entry[0]) : entry;
    if (answer === undefined) throw new Error(`GET ${endpoint}/metrics answered HTTP 404`);
    if (answer instanceof Error) throw answer;
    return answer;
  }
  async prefixCounts(): Promise<PrefixCount[]> {
    return this.prefixes;
  }
  async servingCertificates(endpoint: string): Promise<ServingCertificates | undefined> {
    const answer = this.serving.get(endpoint);
    if (answer instanceof Error) throw answer;
    return answer;
  }
  async clientCertificate(): Promise<ClientCertificate | undefined> {
    if (this.client instanceof Error) throw this.client;
    return this.client;
  }
  async close(): Promise<void> {}
}

/** The run identity unit tests use. */
export const TEST_RUN = { runId: 'r-test-1', cluster: 'test' } as const;

/** A whole check context over fakes; tests override what they exercise. Shared work runs on the same readers. */
export function checkContext(overrides: Partial<Omit<CheckContext, 'once'>> = {}): CheckContext {
  const base = {
    kube: new FakeKubeReader(),
    run: TEST_RUN,
    signal: new AbortController().signal,
    now: () => new Date(),
    sleep: async () => {},
    ...overrides,
  };
  return { ...base, once: createRunMemo(base) };
}
