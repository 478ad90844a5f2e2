import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceName } from '../resources/registry.js';
import type { ResourceDefinition } from '../resources/resource-definition.js';
import type { SimObject } from '../scenario/object-source.js';
import { sendJson, sendList, sendTextStream } from '../server/respond.js';
import { badRequest, notFound } from '../server/status-error.js';
import { matchesFields, parseFieldSelector, type FieldRequirement } from './field-selector.js';
import { matchesLabels, parseLabelSelector } from './label-selector.js';
import { listPage } from './list-page.js';
import { narrowSource } from './narrow-source.js';
import type { ResourceContext } from './resource-context.js';
import { parseLogOptions, podLogChunks } from './pod-log.js';
import { serveWatch } from './serve-watch.js';
import type { ResourceRoute } from './resource-path.js';
import { tableOf, withTypeMeta, type IncludeObject } from './table.js';

const METADATA_TYPE = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const METADATA_LIST_TYPE = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

/** An object as a metadata-only answer carries it: its own kind and apiVersion are meta.k8s.io's. */
function partialObjectMetadata(object: SimObject): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

/** A request's selectors: the field requirements (aliases resolved) and the combined predicate, if any. */
export interface Selectors {
  fields: FieldRequirement[];
  predicate: ((object: SimObject) => boolean) | undefined;
}

/** Parses both selectors, answering 400 as the server does for unknown fields or bad syntax. */
export function parseSelectors(resource: ResourceDefinition, query: URLSearchParams): Selectors {
  const fieldText = query.get('fieldSelector') ?? '';
  const labelText = query.get('labelSelector') ?? '';
  const fields = parseFieldSelector(fieldText).map((requirement) => {
    const field = resource.fieldAliases?.[requirement.field] ?? requirement.field;
    if (!resource.fields[field]) {
      // Core resources register a conversion function with this wording; other groups fall back to the generic one.
      throw badRequest(
        resource.group === ''
          ? `field label not supported: ${requirement.field}`
          : `"${requirement.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
      );
    }
    return { ...requirement, field };
  });
  const labels = parseLabelSelector(labelText);
  if (fields.length === 0 && labels.length === 0) return { fields, predicate: undefined };
  return {
    fields,
    predicate: (object) =>
      matchesFields(fields, (name) => resource.fields[name]?.(object) ?? '') &&
      matchesLabels(labels, object.metadata.labels),
  };
}

function includeObject(query: URLSearchParams): IncludeObject {
  const value = query.get('includeObject');
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

function parseLimit(query: URLSearchParams): number {
  const text = query.get('limit');
  if (text === null || text === '') return 0;
  if (!/^-?\d+$/.test(text)) throw badRequest(`limit: Invalid value: "${text}": must be an integer`);
  return Math.max(0, Number(text));
}

function findObject(context: ResourceContext, route: ResourceRoute): SimObject {
  const source = context.store.source(route.resource.name as ResourceName);
  const key = route.resource.namespaced ? `${route.namespace}/${route.name}` : (route.name ?? '');
  const index = source.lowerBound(key);
  if (index >= source.size || source.keyAt(index) !== key)
    throw notFound(route.resource.name, route.name ?? '', route.resource.group);
  return source.at(index);
}

/** GET of a list, an object, or a subresource (`log`, `status`). */
export async function serveResource(
  req: IncomingMessage,
  res: ServerResponse,
  route: ResourceRoute,
  query: URLSearchParams,
  context: ResourceContext,
): Promise<void> {
  const { resource } = route;
  if (route.name !== undefined) {
    const object = findObject(context, route);
    if (route.subresource === 'log') {
      const options = parseLogOptions(query, context.nowMs);
      await sendTextStream(
        res,
        podLogChunks(object, context.store.scenario.logs, options, context.nowMs),
        'text/plain',
      );
      return;
    }
    if (context.representation === 'table') {
      const table = tableOf(
        resource,
        [object],
        { resourceVersion: object.metadata.resourceVersion },
        includeObject(query),
        context.nowMs,
      );
      sendJson(
        res,
        200,
        { ...table.head, rows: [...table.rows] },
        context.nowMs,
        'application/json;as=Table;v=v1;g=meta.k8s.io',
      );
      return;
    }
    if (context.representation === 'metadata') {
      sendJson(res, 200, partialObjectMetadata(object), context.nowMs, METADATA_TYPE);
      return;
    }
    sendJson(res, 200, withTypeMeta(resource, object), context.nowMs);
    return;
  }

  const { fields, predicate } = parseSelectors(resource, query);
  // An index on a selected field (a generated scenario's Pending pods) spares walking every object.
  const source = narrowSource(context.store.source(resource.name as ResourceName), fields);
  if (['true', '1'].includes(query.get('watch') ?? '')) {
    await serveWatch(req, res, {
      resource,
      source,
      predicate,
      query,
      context,
      ...(route.namespace === undefined ? {} : { namespace: route.namespace }),
    });
    return;
  }
  const page = listPage(
    source,
    {
      limit: parseLimit(query),
      ...(route.namespace === undefined ? {} : { namespace: route.namespace }),
      ...(query.get('continue') ? { continueToken: query.get('continue') ?? '' } : {}),
      ...(query.get('resourceVersion') ? { resourceVersion: query.get('resourceVersion') ?? '' } : {}),
      ...(predicate ? { predicate } : {}),
    },
    context.store,
  );
  const listMeta = {
    resourceVersion: page.resourceVersion,
    ...(page.continue === undefined ? {} : { continue: page.continue }),
    ...(page.remainingItemCount === undefined ? {} : { remainingItemCount: page.remainingItemCount }),
  };
  if (context.representation === 'table') {
    const table = tableOf(resource, page.items, listMeta, includeObject(query), context.nowMs);
    await sendList(res, table.head, 'rows', table.rows, context.nowMs, 'application/json;as=Table;v=v1;g=meta.k8s.io');
    return;
  }
  if (context.representation === 'metadata') {
    // The API server converts each item of the list it read (meta.AsPartialObjectMetadata): same paging, same order.
    const head = { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta };
    const items = (function* () {
      for (const object of page.items) yield partialObjectMetadata(object);
    })();
    await sendList(res, head, 'items', items, context.nowMs, METADATA_LIST_TYPE);
    return;
  }
  const head = {
    kind: `${resource.kind}List`,
    apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version,
    metadata: listMeta,
  };
  await sendList(res, head, 'items', page.items, context.nowMs);
}
