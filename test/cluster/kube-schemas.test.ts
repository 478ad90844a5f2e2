import { describe, expect, it } from '@jest/globals';
import { KubeRequestError } from '../../src/core/errors.js';
import { EventSchema, LeaseSchema, NodeSchema, PodSchema, validate } from '../../src/cluster/kube-schemas.js';

describe('edge validation of Kubernetes objects', () => {
  it.each([
    { name: 'a pod without metadata', schema: PodSchema, value: {}, at: 'items[0].metadata' },
    {
      name: 'a container status without name',
      schema: PodSchema,
      value: { metadata: { name: 'p' }, status: { containerStatuses: [{ ready: true }] } },
      at: 'items[0].status.containerStatuses[0].name',
    },
    {
      name: 'a taint without effect',
      schema: NodeSchema,
      value: { metadata: { name: 'n' }, spec: { taints: [{ key: 'k' }] } },
      at: 'items[0].spec.taints[0].effect',
    },
    {
      name: 'a lease duration as text',
      schema: LeaseSchema,
      value: { metadata: { name: 'l' }, spec: { leaseDurationSeconds: '15' } },
      at: 'items[0].spec.leaseDurationSeconds',
    },
    {
      name: 'an overhead that is not quantities (the scheduler counts it)',
      schema: PodSchema,
      value: { metadata: { name: 'p' }, spec: { overhead: { cpu: 0.25 } } },
      at: 'items[0].spec.overhead.cpu',
    },
    {
      name: "a sidecar's restartPolicy that is not text",
      schema: PodSchema,
      value: { metadata: { name: 'p' }, spec: { initContainers: [{ name: 'proxy', restartPolicy: true }] } },
      at: 'items[0].spec.initContainers[0].restartPolicy',
    },
    {
      name: 'a node affinity requirement without operator (the capacity check judges nodes by it)',
      schema: PodSchema,
      value: {
        metadata: { name: 'p' },
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: 'k' }] }],
              },
            },
          },
        },
      },
      at: 'items[0].spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator',
    },
    {
      name: 'labels that are not strings',
      schema: NodeSchema,
      value: { metadata: { name: 'n', labels: { a: 1 } } },
      at: 'items[0].metadata.labels.a',
    },
  ])('names the field of $name', ({ schema, value, at }) => {
    expect(() => validate(schema as typeof PodSchema, value, 'items[0]', 'GET /x')).toThrow(KubeRequestError);
    expect(() => validate(schema as typeof PodSchema, value, 'items[0]', 'GET /x')).toThrow(
      `Unexpected answer to GET /x: ${at}: `,
    );
  });

  it('reads required node affinity, with nulls where Go writes them, and leaves preferences and pod affinity alone', () => {
    const pod = validate(
      PodSchema,
      {
        metadata: { name: 'p' },
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a'] }],
                    matchFields: null,
                  },
                  { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-1'] }] },
                ],
              },
              preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }],
            },
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }],
            },
          },
        },
      },
      '',
      'GET /api/v1/pods',
    );
    expect(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual(
      [
        { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a'] }] },
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-1'] }] },
      ],
    );
  });

  it('reads scheduler events with null timestamps and no involvedObject', () => {
    const event = validate(
      EventSchema,
      {
        metadata: { name: 'e' },
        reason: 'FailedScheduling',
        lastTimestamp: null,
        eventTime: '2026-01-01T00:00:00.000000Z',
        series: null,
      },
      '',
      'GET /api/v1/events',
    );
    expect(event).toMatchObject({
      involvedObject: {},
      lastTimestamp: null,
      series: null,
      eventTime: '2026-01-01T00:00:00.000000Z',
    });
  });
});
