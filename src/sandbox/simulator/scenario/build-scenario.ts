import type { z } from 'zod';
import { ScenarioError } from '../../../core/errors.js';
import { DEFAULT_CHECKS } from '../health/default-checks.js';
import { resolveMetrics } from '../metrics/resolve-metrics.js';
import { RESOURCE_NAMES, type ResourceName } from '../resources/registry.js';
import { TemplateError, deepMerge, expandList } from './expand-templates.js';
import { describeIssues } from './issue-path.js';
import { ObjectNormalizer } from './normalize-objects.js';
import { EventSchema, LeaseSchema, NodeSchema, PodSchema } from './object-schemas.js';
import { arraySource, type ObjectSource, type SimObject } from './object-source.js';
import type { HealthCheck, HealthEndpoint, PodLog, Scenario } from './scenario.js';
import { ScenarioFileSchema, type ScenarioFileInput } from './scenario-schema.js';

/** Namespaces every cluster has. */
const BUILT_IN_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

const SCHEMAS = { nodes: NodeSchema, pods: PodSchema, events: EventSchema, leases: LeaseSchema } as const;

/** Collects every problem in a file before failing, so one run shows them all. */
class Problems {
  readonly list: string[] = [];
  add(...problems: string[]): void {
    this.list.push(...problems);
  }
  throwIfAny(file: string): void {
    if (this.list.length > 0) {
      throw new ScenarioError(`Scenario file ${file} is invalid:\n  - ${this.list.join('\n  - ')}`);
    }
  }
}

/** The storage key a patch names an object by, read from the raw object before validation. */
function patchKey(kind: keyof typeof SCHEMAS, object: unknown): string {
  const meta = (object as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata ?? {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (kind === 'nodes') return name;
  return `${typeof meta.namespace === 'string' ? meta.namespace : 'default'}/${name}`;
}

function validateObjects(
  kind: keyof typeof SCHEMAS,
  file: z.output<typeof ScenarioFileSchema>,
  problems: Problems,
): SimObject[] {
  let expanded;
  try {
    // A scenario that extends another with a newer cluster version gets that version in inherited templates.
    expanded = expandList(file[kind], file.templates, kind, { kubernetesVersion: file.cluster.version });
  } catch (error) {
    if (error instanceof TemplateError) {
      problems.add(error.message);
      return [];
    }
    throw error;
  }
  const patches = new Map(Object.entries(file.patches[kind] ?? {}));
  const objects: SimObject[] = [];
  for (const item of expanded) {
    const key = patchKey(kind, item.object);
    const patch = patches.get(key);
    if (patch) {
      item.object = deepMerge(item.object, patch);
      patches.delete(key);
    }
    const parsed = SCHEMAS[kind].safeParse(item.object);
    if (!parsed.success) {
      const name = (item.object as { metadata?: { name?: unknown } } | null)?.metadata?.name;
      problems.add(
        ...describeIssues(parsed.error.issues, typeof name === 'string' ? `${item.origin} (${name})` : item.origin),
      );
      continue;
    }
    objects.push(parsed.data as unknown as SimObject);
  }
  for (const key of patches.keys())
    problems.add(
      `patches.${kind}["${key}"]: no object in ${kind} has this key (use namespace/name, or name for nodes)`,
    );
  return objects;
}

function healthChecks(
  spec: { checks?: string[] | undefined; failing: Record<string, string> },
  endpoint: HealthEndpoint,
  problems: Problems,
): HealthCheck[] {
  const names = spec.checks ?? [...DEFAULT_CHECKS[endpoint]];
  for (const failing of Object.keys(spec.failing)) {
    if (!names.includes(failing))
      problems.add(`health.${endpoint}.failing.${failing}: /${endpoint} has no check "${failing}"`);
  }
  return names.map((name) => {
    const error = spec.failing[name];
    return error === undefined ? { name } : { name, error };
  });
}

/**
 * Validates a scenario's content and builds what the simulator serves: expands templates, checks every object
 * against its kind's schema and every reference (namespaces, pods of logs, failing health checks), fills defaults.
 * Throws {@link ScenarioError} naming `file` and the path of each problem.
 */
export function buildScenario(content: unknown, file: string): Scenario {
  const parsed = ScenarioFileSchema.safeParse(content);
  if (!parsed.success)
    throw new ScenarioError(
      `Scenario file ${file} is invalid:\n  - ${describeIssues(parsed.error.issues, '').join('\n  - ')}`,
    );
  const spec = parsed.data;
  const problems = new Problems();

  const objects: Record<ResourceName, SimObject[]> = {
    namespaces: spec.namespaces.map((namespace) => structuredClone(namespace) as unknown as SimObject),
    nodes: validateObjects('nodes', spec, problems),
    pods: validateObjects('pods', spec, problems),
    events: validateObjects('events', spec, problems),
    leases: validateObjects('leases', spec, problems),
  };
  const declared = new Set(objects.namespaces.map((namespace) => namespace.metadata.name));
  for (const name of BUILT_IN_NAMESPACES) {
    if (!declared.has(name)) objects.namespaces.push({ metadata: { name } });
    declared.add(name);
  }
  for (const kind of ['pods', 'events', 'leases'] as const) {
    objects[kind].forEach((object, index) => {
      const namespace =
        object.metadata?.namespace ??
        (kind === 'events' ? (object.involvedObject as { namespace?: string }).namespace : undefined) ??
        'default';
      if (!declared.has(namespace)) {
        problems.add(
          `${kind}[${index}] (${object.metadata?.name ?? '?'}).metadata.namespace: namespace "${namespace}" is not declared under namespaces`,
        );
      }
    });
  }
  const podNames = new Set(objects.pods.map((pod) => `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`));
  spec.logs.forEach((log, index) => {
    if (!podNames.has(`${log.namespace}/${log.pod}`))
      problems.add(`logs[${index}].pod: no pod "${log.pod}" in namespace "${log.namespace}"`);
    const span = log.spacing * (log.text.replace(/\n$/, '').split('\n').length - 1);
    if (log.repeat && log.repeat.every < span)
      problems.add(
        `logs[${index}].repeat.every: ${log.repeat.every} ms is shorter than the text's own span (${span} ms)`,
      );
  });
  if (spec.metricsServer) {
    const nodeNames = new Set(objects.nodes.map((node) => node.metadata.name));
    for (const name of Object.keys(spec.metricsServer.nodes))
      if (!nodeNames.has(name)) problems.add(`metricsServer.nodes.${name}: no node "${name}"`);
    for (const key of Object.keys(spec.metricsServer.pods))
      if (!podNames.has(key)) problems.add(`metricsServer.pods["${key}"]: no pod with this namespace/name`);
  }
  const health = {
    livez: healthChecks(spec.health.livez, 'livez', problems),
    readyz: healthChecks(spec.health.readyz, 'readyz', problems),
    healthz: healthChecks(spec.health.healthz, 'healthz', problems),
  };
  let metrics: Scenario['metrics'] = [];
  try {
    metrics = resolveMetrics(spec.metrics);
  } catch (error) {
    problems.add(error instanceof Error ? error.message : String(error));
  }
  problems.throwIfAny(file);

  const cluster = { name: spec.cluster.name, version: spec.cluster.version, endpoint: spec.cluster.endpoint };
  const normalizer = new ObjectNormalizer({ ...cluster, createdAt: spec.cluster.createdAt }, 1000);
  objects.namespaces.forEach((object) => normalizer.namespace(object));
  objects.nodes.forEach((object) => normalizer.node(object));
  objects.pods.forEach((object) => normalizer.pod(object));
  objects.leases.forEach((object) => normalizer.lease(object));
  const uids = new Map<string, string>();
  for (const [kind, list] of [
    ['Pod', objects.pods],
    ['Lease', objects.leases],
    ['Namespace', objects.namespaces],
  ] as const) {
    for (const object of list)
      uids.set(`${kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`, object.metadata.uid ?? '');
  }
  objects.events.forEach((object) =>
    normalizer.event(object, (kind, namespace, name) =>
      uids.get(`${kind}/${kind === 'Namespace' ? '' : (namespace ?? '')}/${name}`),
    ),
  );

  const sources = {} as Record<ResourceName, ObjectSource>;
  try {
    for (const name of RESOURCE_NAMES)
      sources[name] = arraySource(objects[name], name !== 'nodes' && name !== 'namespaces', `${file}: ${name}`);
  } catch (error) {
    throw new ScenarioError(
      `Scenario file ${file} is invalid:\n  - ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
  return {
    name: spec.name,
    description: spec.description,
    file,
    cluster,
    objects: sources,
    revision: normalizer.lastRevision,
    logs: spec.logs.map(({ namespace, pod, container, previous, text, at, spacing, repeat }): PodLog => ({
      namespace,
      pod,
      previous,
      text,
      spacingMs: spacing,
      ...(container === undefined ? {} : { container }),
      ...(at === undefined ? {} : { at }),
      ...(repeat === undefined ? {} : { repeat: { everyMs: repeat.every, from: repeat.from } }),
    })),
    health,
    metrics,
    ...(spec.metricsServer
      ? {
          metricsServer: {
            windowMs: spec.metricsServer.window,
            nodes: spec.metricsServer.nodes,
            pods: spec.metricsServer.pods,
          },
        }
      : {}),
  };
}

export type { ScenarioFileInput };
