import type { Event } from '../../../ports/kube-types.js';
import type { SimObject } from '../scenario/object-source.js';
import {
  ALL_VERBS,
  NAMESPACED_META_FIELDS,
  NAME_COLUMN,
  field,
  type ResourceDefinition,
} from './resource-definition.js';

const column = (name: string, description: string, priority = 0) =>
  ({ name, type: 'string', format: '', description, priority }) as const;

/** core/v1 events, with every field selector the events registry supports. */
export const events: ResourceDefinition = {
  name: 'events',
  singularName: 'event',
  group: '',
  version: 'v1',
  kind: 'Event',
  namespaced: true,
  verbs: ALL_VERBS,
  shortNames: ['ev'],
  storageVersionHash: 'r2yiGXH7wu8=',
  subresources: [],
  fields: {
    ...NAMESPACED_META_FIELDS,
    'involvedObject.kind': field('involvedObject.kind'),
    'involvedObject.namespace': field('involvedObject.namespace'),
    'involvedObject.name': field('involvedObject.name'),
    'involvedObject.uid': field('involvedObject.uid'),
    'involvedObject.apiVersion': field('involvedObject.apiVersion'),
    'involvedObject.resourceVersion': field('involvedObject.resourceVersion'),
    'involvedObject.fieldPath': field('involvedObject.fieldPath'),
    reason: field('reason'),
    reportingComponent: field('reportingComponent'),
    // The registry reads `source` from source.component, falling back to the reporting controller.
    source: (object) => field('source.component')(object) || field('reportingComponent')(object),
    type: field('type'),
  },
  table: {
    columns: [
      column('Last Seen', 'Time when this Event was last observed'),
      column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
      column(
        'Reason',
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
      ),
      column('Object', 'The object that this event is about.'),
      column('Subobject', 'The subobject that this event is about.', 1),
      column('Source', 'The component reporting this event.', 1),
      column('Message', 'A human-readable description of the status of this operation.'),
      column('First Seen', 'The time at which the event was first recorded.', 1),
      column('Count', 'The number of times this event has occurred.', 1),
      { ...NAME_COLUMN, priority: 1 },
    ],
    cells(object: SimObject, context) {
      const event = object as unknown as Event;
      const lastSeen =
        event.series?.lastObservedTime ?? event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp;
      const firstSeen = event.firstTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp;
      const involved = event.involvedObject;
      const source = [event.source?.component ?? event.reportingComponent, event.source?.host]
        .filter(Boolean)
        .join(', ');
      return [
        context.age(lastSeen),
        event.type ?? '',
        event.reason ?? '',
        `${(involved.kind ?? '').toLowerCase()}/${involved.name ?? ''}`,
        involved.fieldPath ?? '',
        source,
        (event.message ?? '').trim(),
        context.age(firstSeen),
        event.series?.count ?? event.count ?? 1,
        event.metadata.name,
      ];
    },
  },
};
