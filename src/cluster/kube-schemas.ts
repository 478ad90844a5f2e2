import { z } from 'zod';
import { KubeRequestError } from '../core/errors.js';
import type {
  Event,
  Lease,
  Namespace,
  Node,
  NodeMetrics,
  ObjectMetadata,
  Pod,
  PodMetrics,
} from '../ports/kube-types.js';

/**
 * Edge validation of what the API server sends, for the fields Quorum reads. Objects are loose (unknown fields pass)
 * and optional fields accept `null`, which Go's encoder writes for zero times such as `creationTimestamp: null`.
 * Each schema is typed against `kube-types.ts`, so the compiler keeps the two in step.
 */

/** Optional, with `null` read as absent. */
const opt = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);
/** Always present in real API output; a missing value reads as `fallback` rather than failing the whole page. */
const or = <T extends z.ZodType>(schema: T, fallback: z.output<T>) =>
  schema.nullish().transform((value) => value ?? fallback);

const text = z.string();
const stringMap = z.record(z.string(), z.string());
/** Times written by some clients as null rather than omitted: the types keep the null (see `eventLastSeen`). */
const time = z.string().nullish();

const ObjectMetaSchema = z.looseObject({
  name: z.string(),
  namespace: opt(text),
  uid: opt(text),
  creationTimestamp: opt(text),
  labels: opt(stringMap),
  annotations: opt(stringMap),
  resourceVersion: opt(text),
});

const TaintSchema = z.looseObject({ key: z.string(), value: opt(text), effect: z.string() });

const NodeConditionSchema = z.looseObject({
  type: z.string(),
  status: z.string(),
  reason: opt(text),
  message: opt(text),
  lastTransitionTime: opt(text),
  lastHeartbeatTime: opt(text),
});

export const NodeSchema: z.ZodType<Node> = z.looseObject({
  metadata: ObjectMetaSchema,
  spec: opt(z.looseObject({ unschedulable: opt(z.boolean()), taints: opt(z.array(TaintSchema)), podCIDR: opt(text) })),
  status: opt(
    z.looseObject({
      conditions: opt(z.array(NodeConditionSchema)),
      allocatable: opt(stringMap),
      capacity: opt(stringMap),
      nodeInfo: opt(z.looseObject({ kubeletVersion: opt(text) })),
    }),
  ),
});

const ContainerStateSchema = z.looseObject({
  running: opt(z.looseObject({ startedAt: opt(text) })),
  waiting: opt(z.looseObject({ reason: opt(text), message: opt(text) })),
  terminated: opt(
    z.looseObject({
      exitCode: opt(z.number()),
      reason: opt(text),
      message: opt(text),
      startedAt: opt(text),
      finishedAt: opt(text),
    }),
  ),
});

const ContainerStatusSchema = z.looseObject({
  name: z.string(),
  ready: or(z.boolean(), false),
  restartCount: or(z.number(), 0),
  state: opt(ContainerStateSchema),
  lastState: opt(ContainerStateSchema),
});

const ContainerSchema = z.looseObject({
  name: z.string(),
  restartPolicy: opt(text),
  resources: opt(z.looseObject({ requests: opt(stringMap), limits: opt(stringMap) })),
  ports: opt(z.array(z.looseObject({ containerPort: z.number(), hostPort: opt(z.number()), protocol: opt(text) }))),
});

const NodeSelectorRequirementSchema = z.looseObject({
  key: z.string(),
  operator: z.string(),
  values: opt(z.array(z.string())),
});

/** Only required node affinity is read: it is what rules nodes out for a Pending pod. */
const AffinitySchema = z.looseObject({
  nodeAffinity: opt(
    z.looseObject({
      requiredDuringSchedulingIgnoredDuringExecution: opt(
        z.looseObject({
          nodeSelectorTerms: or(
            z.array(
              z.looseObject({
                matchExpressions: opt(z.array(NodeSelectorRequirementSchema)),
                matchFields: opt(z.array(NodeSelectorRequirementSchema)),
              }),
            ),
            [],
          ),
        }),
      ),
    }),
  ),
});

export const PodSchema: z.ZodType<Pod> = z.looseObject({
  metadata: ObjectMetaSchema,
  spec: opt(
    z.looseObject({
      nodeName: opt(text),
      schedulerName: opt(text),
      priorityClassName: opt(text),
      nodeSelector: opt(stringMap),
      affinity: opt(AffinitySchema),
      tolerations: opt(
        z.array(z.looseObject({ key: opt(text), operator: opt(text), value: opt(text), effect: opt(text) })),
      ),
      containers: opt(z.array(ContainerSchema)),
      initContainers: opt(z.array(ContainerSchema)),
      schedulingGates: opt(z.array(z.looseObject({ name: z.string() }))),
      overhead: opt(stringMap),
    }),
  ),
  status: opt(
    z.looseObject({
      phase: opt(text),
      reason: opt(text),
      message: opt(text),
      conditions: opt(
        z.array(
          z.looseObject({
            type: z.string(),
            status: z.string(),
            reason: opt(text),
            message: opt(text),
            lastTransitionTime: opt(text),
          }),
        ),
      ),
      containerStatuses: opt(z.array(ContainerStatusSchema)),
      initContainerStatuses: opt(z.array(ContainerStatusSchema)),
      startTime: opt(text),
    }),
  ),
});

export const EventSchema: z.ZodType<Event> = z.looseObject({
  metadata: ObjectMetaSchema,
  involvedObject: z.preprocess(
    (value) => value ?? {},
    z.looseObject({ kind: opt(text), namespace: opt(text), name: opt(text), uid: opt(text), fieldPath: opt(text) }),
  ),
  reason: opt(text),
  message: opt(text),
  type: opt(text),
  count: opt(z.number()),
  firstTimestamp: time,
  lastTimestamp: time,
  eventTime: time,
  series: z.looseObject({ count: opt(z.number()), lastObservedTime: opt(text) }).nullish(),
  source: opt(z.looseObject({ component: opt(text), host: opt(text) })),
  reportingComponent: opt(text),
});

export const LeaseSchema: z.ZodType<Lease> = z.looseObject({
  metadata: ObjectMetaSchema,
  spec: opt(
    z.looseObject({
      holderIdentity: opt(text),
      leaseDurationSeconds: opt(z.number()),
      acquireTime: opt(text),
      renewTime: opt(text),
      leaseTransitions: opt(z.number()),
    }),
  ),
});

export const NamespaceSchema: z.ZodType<Namespace> = z.looseObject({
  metadata: ObjectMetaSchema,
  status: opt(z.looseObject({ phase: opt(text) })),
});

/** A `NodeMetrics` of `metrics.k8s.io/v1beta1` (metrics-server). */
export const NodeMetricsSchema: z.ZodType<NodeMetrics> = z.looseObject({
  metadata: ObjectMetaSchema,
  timestamp: opt(text),
  window: opt(text),
  usage: or(stringMap, {}),
});

/** A `PodMetrics`: one entry per running container. */
export const PodMetricsSchema: z.ZodType<PodMetrics> = z.looseObject({
  metadata: ObjectMetaSchema,
  timestamp: opt(text),
  window: opt(text),
  containers: or(z.array(z.looseObject({ name: z.string(), usage: or(stringMap, {}) })), []),
});

/** An item of a `PartialObjectMetadataList` (or of a full list, from a server that did not offer one). */
export const ObjectMetadataSchema: z.ZodType<ObjectMetadata> = z.object({ metadata: ObjectMetaSchema });

/** The envelope of every list: its items are validated one by one so an error names the item. */
export const ListEnvelopeSchema = z.looseObject({
  items: or(z.array(z.unknown()), []),
  metadata: opt(z.looseObject({ continue: opt(text), resourceVersion: opt(text) })),
});
export type ListEnvelope = z.output<typeof ListEnvelopeSchema>;

/**
 * Validates one value at the edge.
 *
 * @param field - where the value sits in the answer, e.g. `items[3]`; empty for the whole body.
 * @param source - the request, e.g. `GET /api/v1/pods?limit=500`.
 * @throws KubeRequestError (not retryable) naming the first offending field.
 */
export function validate<T>(schema: z.ZodType<T>, value: unknown, field: string, source: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = [field, ...(issue?.path ?? []).map(String)]
    .filter(Boolean)
    .join('.')
    .replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  throw new KubeRequestError(
    `Unexpected answer to ${source}: ${at || 'the body'}: ${issue?.message ?? 'invalid'}. The API server (or a proxy in front of it) sent something that is not the expected Kubernetes object.`,
    undefined,
    { cause: result.error },
  );
}
