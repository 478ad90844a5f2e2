import { deepMerge } from './expand-templates.js';

type Content = Record<string, unknown>;

const LISTS = ['namespaces', 'nodes', 'pods', 'events', 'leases', 'logs'] as const;

function record(value: unknown): Content {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Content) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The content of a scenario that `extends` another: the child's name and description; the cluster, templates and
 * per-endpoint health merged with the child winning; object lists and logs concatenated; `patches` deep-merged;
 * metric families replaced by name (a child redefines a family whole, or adds new ones); metrics-server deep-merged,
 * or removed by `metricsServer: false`.
 */
export function extendScenario(base: Content, child: Content): Content {
  const merged: Content = {};
  for (const [key, value] of Object.entries(child)) if (key !== 'extends' && !key.startsWith('x-')) merged[key] = value;
  merged.cluster = { ...record(base.cluster), ...record(child.cluster) };
  merged.templates = { ...record(base.templates), ...record(child.templates) };
  merged.health = { ...record(base.health), ...record(child.health) };
  for (const key of LISTS) merged[key] = [...list(base[key]), ...list(child[key])];
  merged.patches = deepMerge(record(base.patches), record(child.patches));
  // A child keeps its parent's metrics-server unless it says otherwise; `false` takes it away, a spec merges into it.
  if (child.metricsServer === false) merged.metricsServer = false;
  else if (base.metricsServer !== undefined && base.metricsServer !== false)
    merged.metricsServer = deepMerge(record(base.metricsServer), record(child.metricsServer));
  const childMetrics = list(child.metrics);
  const redefined = new Set(childMetrics.map((family) => record(family).name));
  merged.metrics = [...list(base.metrics).filter((family) => !redefined.has(record(family).name)), ...childMetrics];
  return merged;
}
