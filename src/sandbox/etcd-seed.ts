/**
 * Writes for the sandbox, the demo and tests only: fills a private etcd with Kubernetes-shaped keys, or drives it into
 * a NOSPACE incident. Never point this at a real cluster; the diagnostics use the read-only EtcdReader instead.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { noop } from 'cockatiel';
import { Etcd3, GRPCResourceExhastedError, type IRequestOp, type IStatusResponse } from 'etcd3';
import { ServiceStartError } from '../core/errors.js';
import { readEtcdMetric } from '../etcd/etcd-metric.js';

/** How many objects of each kind to write; counts are totals spread over the namespaces. */
export interface SeedSpec {
  /** @defaultValue ['default', 'kube-system', 'team-a'] */
  namespaces?: readonly string[];
  /** @defaultValue 30 */
  pods?: number;
  /** @defaultValue 120 */
  events?: number;
  /** @defaultValue 20 */
  secrets?: number;
  /** @defaultValue 15 */
  configmaps?: number;
  /** @defaultValue 10 */
  leases?: number;
  /** CustomResourceDefinitions (`/registry/apiextensions.k8s.io/customresourcedefinitions/…`). @defaultValue 3 */
  crds?: number;
  /** Objects of the custom resource `widgets.example.com` (`/registry/example.com/widgets/…`). @defaultValue 12 */
  widgets?: number;
}

/** What {@link seedRegistry} wrote: keys per resource prefix, as `EtcdReader.prefixCounts` should report them. */
export interface SeedResult {
  keys: number;
  byPrefix: Record<string, number>;
}

/**
 * Put into every seeded Secret's value. Values are never read by the diagnostics: a test can look for this marker
 * in everything a reader received.
 */
export const SECRET_MARKER = 'quorum-test-secret-value-never-read';

/** etcd's default `--max-txn-ops`. */
const TXN_OPS = 128;

/** Client TLS for a sandbox etcd started with `tls: true` (its `tls` field). */
export interface SeedTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A write client over every endpoint (etcd3 picks one per call, so all must be up). */
function writer(endpoints: readonly string[], tls?: SeedTls): Etcd3 {
  const credentials = tls && {
    rootCertificate: readFileSync(tls.caFile),
    certChain: readFileSync(tls.certFile),
    privateKey: readFileSync(tls.keyFile),
  };
  // No retries, no circuit breaker: a NOSPACE rejection must surface at once (see REFERENCE.md).
  return new Etcd3({
    hosts: [...endpoints],
    ...(credentials ? { credentials } : {}),
    faultHandling: { host: () => noop, global: noop },
  });
}

/** A small stand-in for what kube-apiserver stores (it writes protobuf behind the `k8s\0` magic). */
function objectValue(kind: string, name: string, namespace?: string, extra: Record<string, unknown> = {}): Buffer {
  const metadata = { name, ...(namespace ? { namespace } : {}), uid: randomBytes(8).toString('hex') };
  return Buffer.from(`k8s\0${JSON.stringify({ kind, apiVersion: 'v1', metadata, ...extra })}`);
}

function seedKeys(spec: SeedSpec): Array<[string, Buffer]> {
  const {
    namespaces = ['default', 'kube-system', 'team-a'],
    pods = 30,
    events = 120,
    secrets = 20,
    configmaps = 15,
    leases = 10,
    crds = 3,
    widgets = 12,
  } = spec;
  const ns = (index: number): string => namespaces[index % namespaces.length] as string;
  const entries: Array<[string, Buffer]> = [];
  const namespaced = (count: number, resource: string, kind: string, name: (i: number) => string, extra = {}) => {
    for (let i = 0; i < count; i++) {
      entries.push([`/registry/${resource}/${ns(i)}/${name(i)}`, objectValue(kind, name(i), ns(i), extra)]);
    }
  };
  for (const namespace of namespaces)
    entries.push([`/registry/namespaces/${namespace}`, objectValue('Namespace', namespace)]);
  namespaced(pods, 'pods', 'Pod', (i) => `web-${i}-${randomBytes(3).toString('hex')}`);
  namespaced(events, 'events', 'Event', (i) => `web-${i % 7}.${randomBytes(8).toString('hex')}`);
  namespaced(secrets, 'secrets', 'Secret', (i) => `sh.helm.release.v1.web.v${i + 1}`, {
    data: { release: SECRET_MARKER },
  });
  namespaced(configmaps, 'configmaps', 'ConfigMap', (i) => `settings-${i}`);
  namespaced(leases, 'leases', 'Lease', (i) => `node-${i}`);
  for (let i = 0; i < crds; i++) {
    const name = `widgets${i === 0 ? '' : i}.example.com`;
    entries.push([
      `/registry/apiextensions.k8s.io/customresourcedefinitions/${name}`,
      objectValue('CustomResourceDefinition', name),
    ]);
  }
  namespaced(widgets, 'example.com/widgets', 'Widget', (i) => `widget-${i}`);
  return entries;
}

/** The resource prefix a seeded key counts under: `/registry/<resource>/` or `/registry/<group>/<resource>/`. */
function prefixOf(key: string): string {
  const [first = '', second = ''] = key.slice('/registry/'.length).split('/');
  return first.includes('.') ? `/registry/${first}/${second}/` : `/registry/${first}/`;
}

/**
 * Writes Kubernetes-shaped keys with small values (`/registry/pods/<ns>/<name>`, events, secrets, configmaps,
 * leases, namespaces, CRDs and objects of one custom resource), in transactions of up to 128 puts.
 */
export async function seedRegistry(
  endpoints: readonly string[],
  spec: SeedSpec = {},
  tls?: SeedTls,
): Promise<SeedResult> {
  const entries = seedKeys(spec);
  const client = writer(endpoints, tls);
  try {
    for (let start = 0; start < entries.length; start += TXN_OPS) {
      const success: IRequestOp[] = entries
        .slice(start, start + TXN_OPS)
        .map(([key, value]) => ({ request_put: { key: Buffer.from(key), value } }));
      await client.kv.txn({ compare: [], success, failure: [] }, { deadline: Date.now() + 10_000 });
    }
  } finally {
    client.close();
  }
  const byPrefix: Record<string, number> = {};
  for (const [key] of entries) byPrefix[prefixOf(key)] = (byPrefix[prefixOf(key)] ?? 0) + 1;
  return { keys: entries.length, byPrefix };
}

export interface FillToNospaceOptions {
  /**
   * Size of the values written while far from the quota, in bytes; below etcd's 1.5 MiB request limit. Near the
   * quota they shrink so that the file ends at or above it. @defaultValue 1048576 (1 MiB)
   */
  valueBytes?: number;
  /** The members' `--quota-backend-bytes`, in bytes; read from their `/metrics` when absent. */
  quotaBytes?: number;
  /** How many keys are overwritten in turn. @defaultValue 4 */
  keys?: number;
  /** Where the filler keys live; outside `/registry/` so they never show in prefix counts. @defaultValue '/quorum-sandbox/fill/' */
  keyPrefix?: string;
  /**
   * After NOSPACE, delete the filler keys and compact (but do not defragment), so the file stays at the quota while
   * almost nothing in it is in use: the usual state of a real NOSPACE incident. With `false` the history stays and
   * in-use equals the file size. @defaultValue true
   */
  compact?: boolean;
  /** Give up after this long, in ms. @defaultValue 30000 */
  timeoutMs?: number;
  /** Client TLS, for a sandbox etcd started with `tls: true`. */
  tls?: SeedTls;
}

export interface FillReport {
  puts: number;
  bytesWritten: number;
  tookMs: number;
  /** The revision compacted to, when `compact` is on. */
  compactedRevision?: string;
}

/** Every member's status, each read through its own client (a multi-endpoint client answers from any one member). */
function statuses(members: readonly Etcd3[], deadline: number): Promise<IStatusResponse[]> {
  return Promise.all(members.map((member) => member.maintenance.status({ deadline })));
}

/** True once every member reports less than half of its file in use. */
async function fragmented(members: readonly Etcd3[], deadline: number): Promise<boolean> {
  const all = await statuses(members, deadline);
  return all.every((status) => Number(status.dbSize) > 0 && Number(status.dbSizeInUse) < Number(status.dbSize) / 2);
}

/** The smallest quota the members report in `/metrics`. */
async function readQuota(endpoints: readonly string[], tls: SeedTls | undefined, timeoutMs: number): Promise<number> {
  const files = tls && {
    ca: readFileSync(tls.caFile),
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
  };
  const quotas = await Promise.all(
    endpoints.map((endpoint) => readEtcdMetric(endpoint, 'etcd_server_quota_backend_bytes', files, timeoutMs)),
  );
  const known = quotas.filter((quota): quota is number => quota !== undefined);
  if (known.length === 0) throw new ServiceStartError(`etcd at ${endpoints.join(', ')} reports no quota in /metrics`);
  return Math.min(...known);
}

/**
 * etcd refuses a put when `db size + estimated cost > quota`, where db size is bbolt's high-water mark as last
 * committed: with 1 MiB values to the end, the file stopped up to 1 MiB short of the quota (15.8 MB for 16 MiB).
 * Shrinking the values as the gap closes makes the last accepted puts carry the file to or past the quota, as in a
 * real incident. The floor is 64 KiB: below that a put often reuses free pages without growing the file, and closing
 * the gap took 1,500 puts and 14 s (measured with 2 KiB). Measured with this rule, 16 MiB quota: one member always
 * ended at or above the quota; in a 3-member cluster the member that tripped ended between -0.2 and +0.9 MiB of it.
 */
function nextValueBytes(gap: number, valueBytes: number): number {
  if (gap > 4 * valueBytes) return valueBytes;
  return Math.max(64 * 1024, Math.min(valueBytes, Math.floor(gap / 4)));
}

/**
 * bbolt keeps the pages a transaction frees "pending" until a later write transaction begins, and etcd commits its
 * batch every 100 ms: right after compaction dbSizeInUse still equals dbSize (measured here: 25 MB of 28 MB in use),
 * and it takes one or two more committed writes to drop (to 24 KiB). Deletes are allowed under NOSPACE: delete a
 * marker key, give the commits up to a second (a follower under load applies the compaction late), and repeat with
 * the next marker until every member shows the freed space.
 */
async function releaseFreedPages(
  client: Etcd3,
  members: readonly Etcd3[],
  markers: readonly Buffer[],
  deadline: number,
  where: string,
): Promise<void> {
  for (const marker of markers) {
    if (Date.now() >= deadline) break;
    await client.kv.deleteRange({ key: marker }, { deadline });
    for (const until = Math.min(deadline, Date.now() + 1_000); Date.now() < until; await sleep(50)) {
      if (await fragmented(members, deadline)) return;
    }
  }
  throw new ServiceStartError(
    `compacted etcd at ${where}, but before the fill's deadline not every member released the freed pages ` +
      '(dbSizeInUse still above half of dbSize): the host is likely too busy; try again, or give fillToNospace a ' +
      'longer timeoutMs.',
  );
}

/**
 * Status reports the size etcd last committed, and etcd commits its write batch every 100 ms: right after the last
 * put, a member can show 1–4 MB less than it has (seen here: -1.0 MB, then +1.3 MB over the quota 150 ms later). Waits
 * until two readings 120 ms apart agree on every member.
 */
async function waitForCommittedSizes(members: readonly Etcd3[], deadline: number): Promise<void> {
  const sizes = async (): Promise<string> =>
    (await statuses(members, deadline)).map((status) => status.dbSize).join(',');
  for (let previous = await sizes(); Date.now() < deadline;) {
    await sleep(120);
    const current = await sizes();
    if (current === previous) return;
    previous = current;
  }
}

function isNospace(error: unknown): boolean {
  return error instanceof GRPCResourceExhastedError || String(error).includes('database space exceeded');
}

/**
 * Drives an etcd started with a small `--quota-backend-bytes` (16–32 MiB) into NOSPACE: overwrites a few keys with
 * large values until writes fail with `etcdserver: mvcc: database space exceeded`, and resolves once the NOSPACE
 * alarm is listed. With `compact` (default), then deletes the filler keys,
 * compacts to the current revision, and deletes a marker key (allowed under NOSPACE) so that bbolt releases the freed
 * pages, until every member's status shows dbSizeInUse ≪ dbSize. The alarm stays, as in a real incident.
 * Measured here with a 16 MiB quota: 0.5–0.7 s for one member, 1.2–3.4 s for three (under parallel test load).
 *
 * @throws ServiceStartError when etcd never runs out of space (no small quota) or the alarm does not appear.
 */
export async function fillToNospace(
  endpoints: readonly string[],
  options: FillToNospaceOptions = {},
): Promise<FillReport> {
  const {
    valueBytes = 1024 * 1024,
    keys = 4,
    keyPrefix = '/quorum-sandbox/fill/',
    compact = true,
    timeoutMs = 30_000,
  } = options;
  const started = Date.now();
  const deadline = started + timeoutMs;
  const call = (): { deadline: number } => ({ deadline });
  const client = writer(endpoints, options.tls);
  // One client per member for the whole fill: a new gRPC channel per status read made each put cost three handshakes.
  const members = endpoints.map((endpoint) => writer([endpoint], options.tls));
  const markers = Array.from({ length: 10 }, (_, i) => Buffer.from(`${keyPrefix}marker-${i}`));
  const fillKey = (i: number): Buffer => Buffer.from(`${keyPrefix}bloat-${i % keys}`);
  let puts = 0;
  let bytesWritten = 0;
  try {
    const quota = options.quotaBytes ?? (await readQuota(endpoints, options.tls, timeoutMs));
    const success: IRequestOp[] = markers.map((key) => ({ request_put: { key, value: Buffer.from('1') } }));
    await client.kv.txn({ compare: [], success, failure: [] }, call());
    const roomToSpare = (cause?: unknown) =>
      new ServiceStartError(
        `etcd at ${endpoints.join(', ')} took ${puts} puts (${bytesWritten} bytes) without running out of space in ` +
          `${timeoutMs} ms: start it with a small quota, e.g. startEtcd({ quotaBytes: 16 * 1024 * 1024 }).`,
        cause,
      );
    // Status shows the size etcd last committed (every 100 ms), which trails the puts: estimate each member's size
    // as the larger of that and our previous estimate plus what we wrote since (no compaction: every value stays).
    const estimates = endpoints.map(() => 0);
    for (;;) {
      if (Date.now() >= deadline) throw roomToSpare();
      // The deadline may pass inside this read too: that is still "no space problem in time", not a gRPC error.
      const committed = (
        await statuses(members, deadline).catch((error: unknown) => {
          throw Date.now() >= deadline ? roomToSpare(error) : error;
        })
      ).map((status) => Number(status.dbSize));
      committed.forEach((bytes, index) => (estimates[index] = Math.max(estimates[index] ?? 0, bytes)));
      const size = nextValueBytes(quota - Math.max(...estimates), valueBytes);
      try {
        await client.kv.put({ key: fillKey(puts), value: Buffer.alloc(size, 'q') }, call());
        puts++;
        bytesWritten += size;
        estimates.forEach((bytes, index) => (estimates[index] = bytes + size));
      } catch (error) {
        if (isNospace(error)) break;
        throw Date.now() >= deadline ? roomToSpare(error) : error;
      }
    }
    const nospaceListed = async (): Promise<boolean> =>
      (await client.maintenance.alarm({ action: 'Get', memberID: 0, alarm: 'None' }, call())).alarms.some(
        (entry) => entry.alarm === 'Nospace',
      );
    while (!(await nospaceListed())) {
      if (Date.now() > deadline) {
        throw new ServiceStartError('writes failed with NOSPACE but the NOSPACE alarm never appeared');
      }
      await sleep(20);
    }
    await waitForCommittedSizes(members, deadline);
    let compactedRevision: string | undefined;
    if (compact) {
      // Deletes are allowed under NOSPACE; compaction frees the old revisions' pages without shrinking the file.
      // '.' sorts right after '-': [bloat-, bloat.) holds every bloat-N key and nothing else.
      await client.kv.deleteRange(
        { key: Buffer.from(`${keyPrefix}bloat-`), range_end: Buffer.from(`${keyPrefix}bloat.`) },
        call(),
      );
      const { header } = await client.kv.range({ key: markers[0], count_only: true }, call());
      await client.kv.compact({ revision: header.revision, physical: true }, call());
      compactedRevision = header.revision;
      await releaseFreedPages(client, members, markers, deadline, endpoints.join(', '));
    }
    return {
      puts,
      bytesWritten,
      tookMs: Date.now() - started,
      ...(compactedRevision ? { compactedRevision } : {}),
    };
  } finally {
    client.close();
    for (const member of members) member.close();
  }
}
