import { createHash } from 'node:crypto';
import type { ClusterInfo } from './scenario.js';
import type { SimObject } from './object-source.js';

/** A stable UUID (v4 layout) from a seed: the same scenario always serves the same uids. */
export function stableUid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function hexDigest(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

type Loose = Record<string, unknown>;
const obj = (value: unknown): Loose => (value !== null && typeof value === 'object' ? (value as Loose) : {});

/** Fills what the API server or kubelet would have set, so scenario files only say what matters. */
export class ObjectNormalizer {
  private revision: number;

  constructor(
    private readonly cluster: ClusterInfo & { createdAt: string },
    firstRevision: number,
  ) {
    this.revision = firstRevision;
  }

  /** The revision of the last object normalised: the store's revision. */
  get lastRevision(): number {
    return this.revision;
  }

  meta(object: SimObject, kind: string): void {
    const meta = object.metadata;
    meta.uid ??= stableUid(`${kind}/${meta.namespace ?? ''}/${meta.name}`);
    meta.resourceVersion ??= String(++this.revision);
    meta.creationTimestamp ??= this.cluster.createdAt;
  }

  namespace(object: SimObject): void {
    this.meta(object, 'Namespace');
    object.metadata.labels = { 'kubernetes.io/metadata.name': object.metadata.name, ...object.metadata.labels };
    object.spec ??= { finalizers: ['kubernetes'] };
    object.status ??= { phase: 'Active' };
  }

  node(object: SimObject): void {
    this.meta(object, 'Node');
    const name = object.metadata.name;
    object.metadata.labels = {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      ...object.metadata.labels,
    };
    const status = obj((object.status ??= {}));
    status.nodeInfo = {
      machineID: hexDigest(`machine/${name}`, 32),
      systemUUID: stableUid(`system/${name}`),
      bootID: stableUid(`boot/${name}`),
      kernelVersion: '6.8.0-51-generic',
      osImage: 'Ubuntu 24.04.1 LTS',
      containerRuntimeVersion: 'containerd://1.7.24',
      kubeletVersion: this.cluster.version,
      kubeProxyVersion: this.cluster.version,
      operatingSystem: 'linux',
      architecture: 'amd64',
      ...obj(status.nodeInfo),
    };
  }

  pod(object: SimObject): void {
    this.meta(object, 'Pod');
    object.metadata.namespace ??= 'default';
    const spec = obj(object.spec);
    spec.schedulerName ??= 'default-scheduler';
    spec.restartPolicy ??= 'Always';
    spec.dnsPolicy ??= 'ClusterFirst';
    spec.terminationGracePeriodSeconds ??= 30;
    const images = new Map<string, string>();
    for (const container of [
      ...((spec.containers as Loose[] | undefined) ?? []),
      ...((spec.initContainers as Loose[] | undefined) ?? []),
    ]) {
      images.set(String(container.name), String(container.image));
    }
    const status = obj(object.status);
    for (const list of [status.containerStatuses, status.initContainerStatuses]) {
      for (const container of (list as Loose[] | undefined) ?? []) {
        const image = images.get(String(container.name)) ?? '';
        container.image ??= image;
        container.imageID ??= `${image.split(':')[0] ?? image}@sha256:${hexDigest(`image/${image}`, 64)}`;
        container.containerID ??= `containerd://${hexDigest(`container/${object.metadata.namespace}/${object.metadata.name}/${String(container.name)}/${String(container.restartCount)}`, 64)}`;
        container.started ??= obj(container.state).running !== undefined;
      }
    }
  }

  lease(object: SimObject): void {
    this.meta(object, 'Lease');
    object.metadata.namespace ??= 'default';
  }

  /**
   * Events get the recorder's name (`<object>.<16 hex>`), the namespace of what they are about, and that object's
   * uid when the scenario holds it (`uidOf`).
   */
  event(
    object: SimObject,
    uidOf: (kind: string, namespace: string | undefined, name: string) => string | undefined,
  ): void {
    const involved = obj(object.involvedObject);
    const kind = String(involved.kind);
    const name = String(involved.name);
    const meta = obj((object.metadata ??= { name: '' }));
    meta.namespace ??= involved.namespace ?? 'default';
    if (!meta.name)
      meta.name = `${name}.17${hexDigest(`event/${object.reason as string}/${name}/${object.message as string}`, 14)}`;
    involved.apiVersion ??= kind === 'Lease' ? 'coordination.k8s.io/v1' : 'v1';
    // The kubelet reports node events with the node's name as uid.
    involved.uid ??= kind === 'Node' ? name : uidOf(kind, involved.namespace as string | undefined, name);
    if (involved.uid === undefined) delete involved.uid;
    // Events recorded through events.k8s.io (eventTime, and a null lastTimestamp or a series) have no deprecated
    // count: the core/v1 view leaves it out, and repeats are counted in `series` instead.
    const viaEventsApi = Boolean(object.eventTime) && (object.lastTimestamp === null || Boolean(object.series));
    if (!viaEventsApi) object.count ??= 1;
    // An explicit null stays null: events.k8s.io events have no lastTimestamp, repeated or not.
    if (object.lastTimestamp === undefined)
      object.lastTimestamp = object.series ? null : (object.eventTime ?? this.cluster.createdAt);
    if (object.firstTimestamp === undefined) object.firstTimestamp = object.lastTimestamp;
    object.eventTime ??= null;
    const source = obj((object.source ??= {}));
    object.reportingComponent ??= source.component ?? '';
    object.reportingInstance ??= source.host ?? '';
    meta.creationTimestamp ??= object.firstTimestamp ?? object.eventTime ?? this.cluster.createdAt;
    this.meta(object as SimObject, 'Event');
  }
}
