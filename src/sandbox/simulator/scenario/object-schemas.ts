import { z } from 'zod';
import { isTimestampExpression } from './relative-time.js';

/** An RFC 3339 time or a relative one (`-45s`, `-3m`, `-1h30m`, `now`), resolved when served. */
export const Timestamp = z
  .string()
  .refine(
    isTimestampExpression,
    'expected an RFC 3339 time (2024-03-12T10:14:02Z) or a relative time (-45s, -3m, -2h, now)',
  );

const Name = z
  .string()
  .max(253)
  .regex(
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
    'a name is lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
  );

/** Label and annotation values are strings on the wire; YAML's bare `true` or `3` would not be. */
const StringMap = z.record(z.string(), z.string({ error: 'label and annotation values must be strings: quote them' }));

/** Resource quantities are strings on the wire (`"4"`, `16Gi`); YAML numbers are accepted and converted. */
const Quantities = z.record(z.string(), z.union([z.string(), z.number().transform(String)]));

const ObjectMeta = z.looseObject({
  name: Name,
  namespace: Name.optional(),
  uid: z.string().optional(),
  creationTimestamp: Timestamp.optional(),
  deletionTimestamp: Timestamp.optional(),
  labels: StringMap.optional(),
  annotations: StringMap.optional(),
});

const ConditionStatus = z.enum(['True', 'False', 'Unknown']);

const NodeCondition = z.looseObject({
  type: z.string(),
  status: ConditionStatus,
  reason: z.string().optional(),
  message: z.string().optional(),
  lastHeartbeatTime: Timestamp.optional(),
  lastTransitionTime: Timestamp.optional(),
});

export const NodeSchema = z.looseObject({
  metadata: ObjectMeta,
  spec: z
    .looseObject({
      unschedulable: z.boolean().optional(),
      podCIDR: z.string().optional(),
      taints: z
        .array(
          z.looseObject({
            key: z.string(),
            value: z.string().optional(),
            effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
            timeAdded: Timestamp.optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  status: z
    .looseObject({
      conditions: z.array(NodeCondition).optional(),
      addresses: z.array(z.looseObject({ type: z.string(), address: z.string() })).optional(),
      capacity: Quantities.optional(),
      allocatable: Quantities.optional(),
      nodeInfo: z.looseObject({}).optional(),
    })
    .optional(),
});

const ContainerState = z.looseObject({
  running: z.looseObject({ startedAt: Timestamp.optional() }).optional(),
  waiting: z.looseObject({ reason: z.string().optional(), message: z.string().optional() }).optional(),
  terminated: z
    .looseObject({
      exitCode: z.number().int(),
      signal: z.number().int().optional(),
      reason: z.string().optional(),
      message: z.string().optional(),
      startedAt: Timestamp.optional(),
      finishedAt: Timestamp.optional(),
    })
    .optional(),
});

const ContainerStatus = z.looseObject({
  name: z.string(),
  ready: z.boolean(),
  restartCount: z.number().int().nonnegative(),
  started: z.boolean().optional(),
  image: z.string().optional(),
  state: ContainerState.optional(),
  lastState: ContainerState.optional(),
});

const Container = z.looseObject({
  name: z.string(),
  image: z.string(),
  resources: z.looseObject({ requests: Quantities.optional(), limits: Quantities.optional() }).optional(),
});

export const PodSchema = z.looseObject({
  metadata: ObjectMeta,
  spec: z.looseObject({
    nodeName: z.string().optional(),
    schedulerName: z.string().optional(),
    hostNetwork: z.boolean().optional(),
    containers: z.array(Container).min(1),
    initContainers: z.array(Container).optional(),
  }),
  status: z.looseObject({
    phase: z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']),
    startTime: Timestamp.optional(),
    conditions: z
      .array(
        z.looseObject({
          type: z.string(),
          status: ConditionStatus,
          lastTransitionTime: Timestamp.optional(),
          lastProbeTime: Timestamp.nullable().optional(),
        }),
      )
      .optional(),
    containerStatuses: z.array(ContainerStatus).optional(),
    initContainerStatuses: z.array(ContainerStatus).optional(),
  }),
});

export const EventSchema = z.looseObject({
  // Events are usually named by the recorder (`<object>.<hex>`): the name may be left out.
  metadata: ObjectMeta.extend({ name: Name.optional() }).optional(),
  involvedObject: z.looseObject({
    kind: z.string(),
    name: z.string(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    apiVersion: z.string().optional(),
    fieldPath: z.string().optional(),
  }),
  reason: z.string(),
  message: z.string(),
  type: z.enum(['Normal', 'Warning']),
  count: z.number().int().positive().optional(),
  firstTimestamp: Timestamp.nullable().optional(),
  lastTimestamp: Timestamp.nullable().optional(),
  eventTime: Timestamp.nullable().optional(),
  series: z.looseObject({ count: z.number().int(), lastObservedTime: Timestamp }).nullable().optional(),
  source: z.looseObject({ component: z.string().optional(), host: z.string().optional() }).optional(),
  reportingComponent: z.string().optional(),
  reportingInstance: z.string().optional(),
});

export const LeaseSchema = z.looseObject({
  metadata: ObjectMeta,
  spec: z.looseObject({
    holderIdentity: z.string().optional(),
    leaseDurationSeconds: z.number().int().positive().optional(),
    acquireTime: Timestamp.optional(),
    renewTime: Timestamp.optional(),
    leaseTransitions: z.number().int().nonnegative().optional(),
  }),
});

/** A namespace is given by name, or as an object when it needs labels. */
export const NamespaceSchema = z.union([
  Name.transform((name) => ({ metadata: { name } })),
  z.looseObject({
    metadata: ObjectMeta,
    status: z.looseObject({ phase: z.enum(['Active', 'Terminating']) }).optional(),
  }),
]);
