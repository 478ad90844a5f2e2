import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import type { EtcdConfig } from '../config/config-schema.js';
import { normalizeEndpoint } from '../etcd/etcd-endpoint.js';
import { grpcCredentials, loadEtcdTls, type EtcdTls } from '../etcd/etcd-tls.js';
import { parseAlarms, parseMember, parseStatus } from '../etcd/etcd3-parse.js';
import type { EtcdAlarm, EtcdMember, EtcdMemberStatus } from '../ports/etcd-reader.js';

/** Deadlines of the executor's etcd calls, in ms: explicit and long where etcd needs long. */
export interface MaintenanceDeadlines {
  requestMs: number;
  compactMs: number;
  defragMs: number;
}

/** The key a write check puts and deletes again: outside `/registry`, so Kubernetes never sees it. */
export const WRITE_CHECK_KEY = '/quorum/maintenance/write-check';

/**
 * The only write-capable etcd client in Quorum, used by the executor alone (see `.dependency-cruiser.mjs`).
 *
 * - One etcd3 client per member endpoint: etcd3 shuffles hosts per call, and a defragment must reach exactly the
 *   member it names.
 * - No retries and no circuit breaker (cockatiel `noop`): etcd3's default would send a timed-out defragment again
 *   while the first still runs on the server, and after NOSPACE its breaker makes even `status()` fail.
 * - Every call carries its own explicit deadline; a defragment gets minutes, not seconds.
 */
export class EtcdMaintenanceClient {
  private readonly clients = new Map<string, Etcd3>();
  private readonly tls: EtcdTls | undefined;
  /** The configured endpoints, normalized. */
  readonly endpoints: readonly string[];

  constructor(
    settings: Pick<EtcdConfig, 'endpoints' | 'caFile' | 'certFile' | 'keyFile'>,
    private readonly deadlines: MaintenanceDeadlines,
  ) {
    this.tls = loadEtcdTls({
      ...settings,
      settingName: (path) => `executor.clusters.<cluster>.${path}`,
    });
    this.endpoints = settings.endpoints.map((endpoint) => this.normalize(endpoint));
  }

  normalize(endpoint: string): string {
    return normalizeEndpoint(endpoint, this.tls !== undefined);
  }

  private client(endpoint: string): Etcd3 {
    const key = this.normalize(endpoint);
    let client = this.clients.get(key);
    if (!client) {
      client = new Etcd3({
        hosts: [key],
        ...(this.tls ? { credentials: grpcCredentials(this.tls) } : {}),
        faultHandling: { host: () => noop, global: noop },
      });
      this.clients.set(key, client);
    }
    return client;
  }

  private deadline(ms: number): { deadline: number } {
    return { deadline: Date.now() + ms };
  }

  /** The first configured endpoint that answers, for cluster-wide calls. */
  private async anyMember<T>(call: (client: Etcd3) => Promise<T>): Promise<T> {
    let last: unknown;
    for (const endpoint of this.endpoints) {
      try {
        return await call(this.client(endpoint));
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }

  async members(): Promise<EtcdMember[]> {
    const answer = await this.anyMember((client) =>
      client.cluster.memberList({}, this.deadline(this.deadlines.requestMs)),
    );
    return answer.members.map(parseMember);
  }

  async status(endpoint: string): Promise<EtcdMemberStatus> {
    return parseStatus(
      endpoint,
      await this.client(endpoint).maintenance.status(this.deadline(this.deadlines.requestMs)),
    );
  }

  /** A linearizable count-only read through this member: it answers only with a quorum behind it. */
  async health(endpoint: string): Promise<void> {
    await this.client(endpoint).kv.range(
      { key: Buffer.from('health'), count_only: true },
      this.deadline(this.deadlines.requestMs),
    );
  }

  async alarms(): Promise<EtcdAlarm[]> {
    const answer = await this.anyMember((client) =>
      client.maintenance.alarm({ action: 'Get', memberID: 0, alarm: 'None' }, this.deadline(this.deadlines.requestMs)),
    );
    return parseAlarms(answer);
  }

  /** Compacts the keyspace to `revision`, physically (returns once the compaction is applied on the member). */
  async compact(revision: string): Promise<void> {
    await this.anyMember((client) =>
      client.kv.compact({ revision, physical: true }, this.deadline(this.deadlines.compactMs)),
    );
  }

  /** Defragments exactly the member behind `endpoint`. Never retried. */
  async defragment(endpoint: string): Promise<void> {
    await this.client(endpoint).maintenance.defragment(this.deadline(this.deadlines.defragMs));
  }

  /** Deactivates the NOSPACE alarm of one member (`memberId` in hex, as etcdctl prints it). */
  async disarmNospace(memberId: string): Promise<void> {
    await this.anyMember((client) =>
      client.maintenance.alarm(
        { action: 'Deactivate', memberID: BigInt(`0x${memberId}`).toString(10), alarm: 'Nospace' },
        this.deadline(this.deadlines.requestMs),
      ),
    );
  }

  /** Proves the cluster takes writes again: puts a small key and deletes it. */
  async verifyWrite(value: string): Promise<void> {
    await this.anyMember(async (client) => {
      await client.kv.put(
        { key: Buffer.from(WRITE_CHECK_KEY), value: Buffer.from(value) },
        this.deadline(this.deadlines.requestMs),
      );
      await client.kv.deleteRange({ key: Buffer.from(WRITE_CHECK_KEY) }, this.deadline(this.deadlines.requestMs));
    });
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
