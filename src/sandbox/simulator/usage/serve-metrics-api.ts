import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchesFields, parseFieldSelector } from '../api/field-selector.js';
import { matchesLabels, parseLabelSelector } from '../api/label-selector.js';
import type { ObjectStore } from '../api/object-store.js';
import { negotiate } from '../server/media-type.js';
import { sendJson } from '../server/respond.js';
import { StatusError, badRequest, noSuchResource } from '../server/status-error.js';
import { UsageModel } from './usage-model.js';

/**
 * `metrics.k8s.io/v1beta1` as kube-apiserver proxies it to metrics-server (an APIService): discovery of the group and
 * its two resources, `NodeMetrics` and `PodMetrics` lists and gets with label and name/namespace field selectors.
 * Only GET, only JSON: metrics-server serves no tables, and kubectl top asks for none.
 */

export const METRICS_GROUP = 'metrics.k8s.io';
const VERSION = 'v1beta1';
const GROUP_VERSION = `${METRICS_GROUP}/${VERSION}`;

/** The group as `/apis` lists it. */
export function metricsGroupEntry(): Record<string, unknown> {
  const version = { groupVersion: GROUP_VERSION, version: VERSION };
  return { name: METRICS_GROUP, versions: [version], preferredVersion: version };
}

function resourceList(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: GROUP_VERSION,
    resources: [
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ],
  };
}

/** metrics-server's own wording for a missing object (`podmetrics.metrics.k8s.io "kube-system/x" not found`). */
function notFound(kind: 'nodemetrics' | 'podmetrics', name: string, resource: string): StatusError {
  return new StatusError(404, `${kind}.${METRICS_GROUP} "${name}" not found`, {
    details: { name, group: METRICS_GROUP, kind: resource },
  });
}

function filter(
  items: Array<Record<string, unknown>>,
  query: URLSearchParams,
  namespaced: boolean,
): Array<Record<string, unknown>> {
  const labels = parseLabelSelector(query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(query.get('fieldSelector') ?? '');
  const allowed = namespaced ? ['metadata.name', 'metadata.namespace'] : ['metadata.name'];
  for (const requirement of fields) {
    if (!allowed.includes(requirement.field))
      throw badRequest(`"${requirement.field}" is not a known field selector: only "${allowed.join('", "')}"`);
  }
  return items.filter((item) => {
    const metadata = item.metadata as { name: string; namespace?: string; labels?: Record<string, string> };
    return (
      matchesLabels(labels, metadata.labels) &&
      matchesFields(fields, (field) => (field === 'metadata.name' ? metadata.name : (metadata.namespace ?? '')))
    );
  });
}

function list(kind: string, items: Array<Record<string, unknown>>): Record<string, unknown> {
  return { kind, apiVersion: GROUP_VERSION, metadata: {}, items };
}

/**
 * Answers a request under `/apis/metrics.k8s.io` (segments after `apis`). The caller routes here only when the
 * scenario runs metrics-server; otherwise the group is unknown and the generic 404 applies.
 */
export function serveMetricsApi(
  req: IncomingMessage,
  res: ServerResponse,
  segments: readonly string[],
  query: URLSearchParams,
  context: { store: ObjectStore; nowMs: number },
): void {
  const spec = context.store.scenario.metricsServer;
  if (!spec) throw noSuchResource();
  negotiate(req.headers.accept, { tables: false });
  const model = new UsageModel(context.store, spec);
  const [, , version, ...rest] = segments;
  if (version === undefined) {
    sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...metricsGroupEntry() }, context.nowMs);
    return;
  }
  if (version !== VERSION) throw noSuchResource();
  if (rest.length === 0) {
    sendJson(res, 200, resourceList(), context.nowMs);
    return;
  }
  if (rest[0] === 'nodes' && rest.length <= 2) {
    const items = model.nodeMetrics(context.nowMs);
    const name = rest[1];
    if (name === undefined) {
      sendJson(res, 200, list('NodeMetricsList', filter(items, query, false)), context.nowMs);
      return;
    }
    const item = items.find((entry) => (entry.metadata as { name: string }).name === name);
    if (!item) throw notFound('nodemetrics', name, 'nodes');
    sendJson(res, 200, { kind: 'NodeMetrics', apiVersion: GROUP_VERSION, ...item }, context.nowMs);
    return;
  }
  const namespace = rest[0] === 'namespaces' && rest[2] === 'pods' ? rest[1] : undefined;
  const podRest = namespace === undefined ? rest : rest.slice(2);
  if (podRest[0] === 'pods' && podRest.length <= 2 && (namespace !== undefined || podRest.length === 1)) {
    const items = model.podMetrics(context.nowMs, namespace);
    const name = podRest[1];
    if (name === undefined) {
      sendJson(res, 200, list('PodMetricsList', filter(items, query, true)), context.nowMs);
      return;
    }
    const item = items.find((entry) => (entry.metadata as { name: string }).name === name);
    if (!item) throw notFound('podmetrics', `${namespace}/${name}`, 'pods');
    sendJson(res, 200, { kind: 'PodMetrics', apiVersion: GROUP_VERSION, ...item }, context.nowMs);
    return;
  }
  throw noSuchResource();
}
