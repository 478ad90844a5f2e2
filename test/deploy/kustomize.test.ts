import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';
import { apiserverHealthCheck } from '../../src/checks/apiserver-health.js';
import { createKubeReader, type ClosableKubeReader } from '../../src/cluster/create-kube-reader.js';
import { loadConfig } from '../../src/config/load-config.js';
import { list, startFixtureServer, status, type FixtureServer } from '../cluster/support/fixture-server.js';
import { writeKubeconfig } from '../cluster/support/kubeconfig.js';
import { createTestPki, type TestPki } from '../cluster/support/test-pki.js';
import { ROOT, envFileNames, envVariablesReadByCode, exportedMetricNames, productionSources } from './code-facts.js';
import { allows, requestAttributes, type GrantedRule, type PolicyRule, type RequestAttributes } from './rbac.js';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
  }[];
  envFrom?: unknown[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
}
interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; secret?: { secretName: string }; configMap?: { name: string }; emptyDir?: object }[];
  hostNetwork?: boolean;
  hostPID?: boolean;
}
type Deployment = Manifest & { spec: { replicas: number; template: { spec: PodSpec } } };

const OVERLAY = 'deploy/overlays/example';
const rendered = execFileSync('kubectl', ['kustomize', join(ROOT, OVERLAY)], { encoding: 'utf8' });
const manifests = parseAllDocuments(rendered).map((document) => document.toJS() as Manifest);
const ofKind = <T extends Manifest = Manifest>(kind: string) => manifests.filter((each) => each.kind === kind) as T[];
const named = <T extends Manifest = Manifest>(kind: string, name: string): T => {
  const found = ofKind<T>(kind).find((each) => each.metadata.name === name);
  if (!found) throw new Error(`${kind} ${name} is not in the rendered overlay`);
  return found;
};
const deployments = ofKind<Deployment>('Deployment');
const pod = (role: string) => named<Deployment>('Deployment', `quorum-${role}`).spec.template.spec;
const ROLES = ['bot', 'worker', 'executor'] as const;
const configFile = join(ROOT, OVERLAY, 'quorum.yaml');
const config = loadConfig({ env: {}, file: configFile });
const base = parse(readFileSync(join(ROOT, 'deploy/base/kustomization.yaml'), 'utf8')) as {
  images: { name: string; newName: string }[];
};
const baseComments = readFileSync(join(ROOT, 'deploy/base/kustomization.yaml'), 'utf8');

/** The file a path names, through the container's mounts: which volume, and where inside it. */
function volumeOf(spec: PodSpec, container: Container, file: string) {
  const mount = (container.volumeMounts ?? []).find((each) => file.startsWith(`${posix.normalize(each.mountPath)}/`));
  if (!mount) return undefined;
  return {
    volume: spec.volumes?.find((volume) => volume.name === mount.name),
    key: file.slice(mount.mountPath.length + 1),
  };
}

describe(`kubectl kustomize ${OVERLAY}`, () => {
  it('renders the three roles, their identities, policies and monitoring', () => {
    expect(deployments.map((each) => each.metadata.name).sort()).toEqual(ROLES.map((role) => `quorum-${role}`).sort());
    for (const kind of ['Service', 'ClusterRole', 'Role', 'NetworkPolicy', 'PodDisruptionBudget', 'ServiceMonitor']) {
      expect({ kind, count: ofKind(kind).length > 0 }).toEqual({ kind, count: true });
    }
    expect(ofKind('PrometheusRule').map((each) => each.metadata.name)).toEqual(['quorum-health']);
    expect(ofKind('ScaledObject').map((each) => each.metadata.name)).toEqual(['quorum-worker']);
    expect(named<Deployment>('Deployment', 'quorum-executor').spec.replicas).toBe(1);
    expect(
      named<Manifest & { spec: { strategy: { type: string } } }>('Deployment', 'quorum-executor').spec.strategy.type,
    ).toBe('Recreate');
    const serviceAccounts = ROLES.map((role) => pod(role).serviceAccountName);
    expect(new Set(serviceAccounts).size).toBe(3);
    for (const account of serviceAccounts)
      expect(ofKind('ServiceAccount').map((each) => each.metadata.name)).toContain(account);
  });

  it('runs the image the Dockerfile builds, with a role its entrypoint knows', () => {
    const main = readFileSync(join(ROOT, 'src/cli/main.ts'), 'utf8');
    const commands = [...main.matchAll(/\.command\('([a-z]+)'\)/g)].map((match) => match[1]);
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ENTRYPOINT \["quorum"\]$/m);
    const image = base.images.find((each) => each.name === 'quorum')!.newName;
    for (const role of ROLES) {
      const [container, ...others] = pod(role).containers;
      expect(others).toEqual([]);
      expect(container!.image).toMatch(new RegExp(`^${image.replace(/[.]/g, '\\.')}:[\\w.-]+$`));
      expect(container!.args).toEqual([role]);
      expect(commands).toContain(role);
    }
  });

  it("exposes the bot's configured port, and every probe, Service, ServiceMonitor and Ingress names a real port", () => {
    const bot = pod('bot').containers[0]!;
    expect(bot.ports).toEqual([{ name: 'http', containerPort: config.server.port }]);
    expect(bot.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(bot.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    // The paths are the ones the bot serves (src/slack/bot-app.ts).
    const botApp = readFileSync(join(ROOT, 'src/slack/bot-app.ts'), 'utf8');
    for (const path of ['/healthz', '/readyz', '/metrics']) expect(botApp).toContain(`path: '${path}'`);
    const service = named<Manifest & { spec: { ports: { name: string; targetPort: string }[]; selector: object } }>(
      'Service',
      'quorum-bot',
    );
    expect(service.spec.ports.map((port) => port.targetPort)).toEqual(['http']);
    expect(named('Deployment', 'quorum-bot')).toMatchObject({
      spec: { template: { metadata: { labels: service.spec.selector } } },
    });
    const monitor = named<Manifest & { spec: { endpoints: { port: string; path: string }[] } }>(
      'ServiceMonitor',
      'quorum-bot',
    );
    expect(monitor.spec.endpoints).toEqual([
      expect.objectContaining({ port: service.spec.ports[0]!.name, path: '/metrics' }),
    ]);
    const ingress = named<Manifest & { spec: { rules: { http: { paths: { path: string; backend: unknown }[] } }[] } }>(
      'Ingress',
      'quorum-bot',
    );
    expect(ingress.spec.rules[0]!.http.paths).toEqual([
      expect.objectContaining({
        path: '/slack/events',
        backend: { service: { name: 'quorum-bot', port: { name: service.spec.ports[0]!.name } } },
      }),
    ]);
    const policy = named<Manifest & { spec: { ingress: { ports: { port: number }[] }[] } }>(
      'NetworkPolicy',
      'quorum-bot',
    );
    expect(policy.spec.ingress.flatMap((rule) => rule.ports.map((port) => port.port))).toEqual([config.server.port]);
  });

  it('mounts quorum.yaml where QUORUM_CONFIG points, and every file the config names in the role that reads it', () => {
    const configMaps = ofKind<Manifest & { data: Record<string, string> }>('ConfigMap');
    for (const role of ROLES) {
      const spec = pod(role);
      const container = spec.containers[0]!;
      const path = container.env!.find((each) => each.name === 'QUORUM_CONFIG')!.value!;
      const where = volumeOf(spec, container, path)!;
      const map = configMaps.find((each) => each.metadata.name === where.volume?.configMap?.name);
      expect(map?.data[where.key]).toBe(readFileSync(configFile, 'utf8'));
    }
    const worker = pod('worker');
    for (const [name, cluster] of Object.entries(config.clusters)) {
      const files = [cluster.kube.kubeconfig, cluster.etcd.caFile, cluster.etcd.certFile, cluster.etcd.keyFile];
      for (const file of files.filter((each): each is string => each !== undefined)) {
        expect({
          name,
          file,
          secret: volumeOf(worker, worker.containers[0]!, file)?.volume?.secret !== undefined,
        }).toEqual({
          name,
          file,
          secret: true,
        });
      }
      if (!cluster.kube.kubeconfig) expect(cluster.kube.inCluster).toBe(true);
    }
    const executor = pod('executor');
    const adminSecrets = new Set<string>();
    for (const cluster of Object.values(config.executor.clusters)) {
      for (const file of [cluster.etcd.certFile, cluster.etcd.keyFile, cluster.etcd.caFile]) {
        const secret = volumeOf(executor, executor.containers[0]!, file!)?.volume?.secret?.secretName;
        expect(secret).toBeDefined();
        adminSecrets.add(secret!);
      }
    }
    expect([...adminSecrets]).toEqual(['quorum-etcd-admin']);
  });

  it('mounts the etcd write credentials in the executor alone', () => {
    for (const deployment of deployments) {
      const secrets = (deployment.spec.template.spec.volumes ?? []).flatMap((volume) =>
        volume.secret ? [volume.secret.secretName] : [],
      );
      const mountsAdmin = secrets.includes('quorum-etcd-admin');
      expect({ deployment: deployment.metadata.name, mountsAdmin }).toEqual({
        deployment: deployment.metadata.name,
        mountsAdmin: deployment.metadata.name === 'quorum-executor',
      });
    }
    expect(pod('bot').volumes!.filter((volume) => volume.secret)).toEqual([]);
  });

  it('sets only variables the code (or Node) reads, from Secrets whose keys .env.example documents', () => {
    const readByCode = envVariablesReadByCode();
    const documented = new Set(envFileNames(readFileSync(join(ROOT, '.env.example'), 'utf8')));
    for (const role of ROLES) {
      const container = pod(role).containers[0]!;
      expect(container.envFrom).toBeUndefined();
      for (const variable of container.env ?? []) {
        const known = readByCode.has(variable.name) || variable.name === 'NODE_OPTIONS';
        expect({ role, name: variable.name, known }).toEqual({ role, name: variable.name, known: true });
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref) {
          expect({ key: ref.key, documented: documented.has(ref.key) }).toEqual({ key: ref.key, documented: true });
          expect(baseComments).toContain(ref.name);
        }
      }
    }
    for (const deployment of deployments) {
      for (const volume of deployment.spec.template.spec.volumes ?? []) {
        if (volume.secret) expect(baseComments).toContain(volume.secret.secretName);
      }
    }
    const worker = pod('worker').containers[0]!;
    expect(worker.env).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-old-space-size=256' });
    const secretNames = (role: string) =>
      (pod(role).containers[0]!.env ?? []).flatMap((each) => (each.valueFrom?.secretKeyRef ? [each.name] : []));
    expect(secretNames('worker')).toEqual(['SLACK_BOT_TOKEN']);
    expect(secretNames('executor')).toEqual(['SLACK_BOT_TOKEN']);
  });

  it('runs every container non-root, read-only, without privilege, with requests and limits (Pod Security restricted)', () => {
    const namespace = named('Namespace', 'quorum');
    expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const deployment of deployments) {
      const spec = deployment.spec.template.spec;
      expect(deployment.metadata.namespace).toBe('quorum');
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(spec.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(spec.hostNetwork ?? false).toBe(false);
      expect(spec.hostPID ?? false).toBe(false);
      for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
        expect(container.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
        for (const mount of container.volumeMounts ?? []) {
          const volume = spec.volumes!.find((each) => each.name === mount.name)!;
          if (!volume.emptyDir)
            expect({ mount: mount.mountPath, readOnly: mount.readOnly }).toEqual({
              mount: mount.mountPath,
              readOnly: true,
            });
        }
      }
    }
  });

  it('keeps one bot and half the workers through drains, and no PDB blocks the single executor', () => {
    const budgets = ofKind<Manifest & { spec: { selector: { matchLabels: Record<string, string> } } }>(
      'PodDisruptionBudget',
    );
    const components = budgets.map((each) => each.spec.selector.matchLabels['app.kubernetes.io/component']).sort();
    expect(components).toEqual(['bot', 'worker']);
  });

  it("alerts on Quorum's own health with metrics the code exports, in rules promtool accepts", () => {
    const rule = named<Manifest & { spec: { groups: { rules: { alert: string; expr: string }[] }[] } }>(
      'PrometheusRule',
      'quorum-health',
    );
    const exported = exportedMetricNames();
    const rules = rule.spec.groups.flatMap((group) => group.rules);
    for (const { alert, expr } of rules) {
      for (const metric of expr.match(/\bquorum_[a-z0-9_]+/g) ?? []) {
        expect({ alert, metric, exported: exported.has(metric) }).toEqual({ alert, metric, exported: true });
      }
    }
    const metricsOf = (names: string[]) => rules.filter((each) => names.some((name) => each.expr.includes(name)));
    expect(metricsOf(['quorum_queue_jobs']).length).toBeGreaterThan(0); // backlog
    expect(metricsOf(['quorum_runs_total']).length).toBeGreaterThan(0); // failed runs
    expect(metricsOf(['quorum_maintenance_jobs']).length).toBeGreaterThan(0); // executor failures
    expect(metricsOf(['quorum_approvals_expired_total']).length).toBeGreaterThan(0); // approval expiries
    const scaled = named<Manifest & { spec: { triggers: { metadata: { query: string } }[] } }>(
      'ScaledObject',
      'quorum-worker',
    );
    for (const metric of scaled.spec.triggers[0]!.metadata.query.match(/\bquorum_[a-z0-9_]+/g) ?? []) {
      expect(exported).toContain(metric);
    }
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    const file = join(dir, 'rules.yml');
    execFileSync('sh', ['-c', `cat > ${file}`], { input: JSON.stringify({ groups: rule.spec.groups }) });
    expect(execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' })).toContain('SUCCESS');
    execFileSync('rm', ['-rf', dir]);
  });
});

/** Every rule bound to a ServiceAccount of the quorum namespace, with where it applies. */
function grantedTo(account: string): GrantedRule[] {
  const roles = new Map<string, { rules: PolicyRule[] }>();
  for (const role of [...ofKind('ClusterRole'), ...ofKind('Role')] as (Manifest & { rules: PolicyRule[] })[]) {
    roles.set(`${role.kind}/${role.metadata.namespace ?? ''}/${role.metadata.name}`, role);
  }
  const bindings = [...ofKind('ClusterRoleBinding'), ...ofKind('RoleBinding')] as (Manifest & {
    roleRef: { kind: string; name: string };
    subjects: { kind: string; name: string; namespace?: string }[];
  })[];
  return bindings.flatMap((binding) => {
    const bound = binding.subjects.some(
      (subject) => subject.kind === 'ServiceAccount' && subject.name === account && subject.namespace === 'quorum',
    );
    if (!bound) return [];
    const namespace = binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined;
    const key = `${binding.roleRef.kind}/${binding.roleRef.kind === 'Role' ? namespace : ''}/${binding.roleRef.name}`;
    const role = roles.get(key);
    if (!role) throw new Error(`${binding.kind} ${binding.metadata.name} refers to ${key}, which is not rendered`);
    return role.rules.map((rule) => ({ rule, ...(namespace ? { namespace } : {}), from: key }));
  });
}

describe('the RBAC of the rendered overlay', () => {
  const worker = grantedTo('quorum-worker');

  it('gives the workers get, list and watch only, no Secrets, no wildcard; the bot and executor nothing', () => {
    expect(worker.length).toBeGreaterThan(0);
    for (const { rule, from } of worker) {
      for (const verb of rule.verbs)
        expect({ from, verb, readOnly: ['get', 'list', 'watch'].includes(verb) }).toEqual({
          from,
          verb,
          readOnly: true,
        });
      for (const field of [rule.apiGroups, rule.resources, rule.verbs, rule.nonResourceURLs, rule.resourceNames]) {
        for (const value of field ?? [])
          expect({ from, value, wildcard: value.includes('*') && !/^\/\w+\/\*$/.test(value) }).toEqual({
            from,
            value,
            wildcard: false,
          });
      }
      for (const resource of rule.resources ?? []) {
        expect([
          'secrets',
          'configmaps',
          'serviceaccounts',
          'serviceaccounts/token',
          'pods/exec',
          'pods/attach',
          'pods/portforward',
          'nodes/proxy',
        ]).not.toContain(resource);
      }
    }
    const logs = worker.filter(({ rule }) => rule.resources?.includes('pods/log'));
    expect(logs.map(({ namespace }) => namespace)).toEqual(['kube-system']);
    expect(grantedTo('quorum-bot')).toEqual([]);
    expect(grantedTo('quorum-executor')).toEqual([]);
    expect(pod('bot').automountServiceAccountToken).toBe(false);
    expect(pod('executor').automountServiceAccountToken).toBe(false);
  });

  describe('grants every request the cluster reader sends (recorded from the real reader, not listed by hand)', () => {
    let pki: TestPki;
    let server: FixtureServer;
    let reader: ClosableKubeReader;

    beforeAll(async () => {
      pki = createTestPki();
      server = await startFixtureServer(pki);
      // Empty lists, absent objects, a short log and plain text for the health and metrics endpoints.
      server.handle((request) => {
        const attributes = requestAttributes(request.url);
        if (attributes.kind === 'nonResource') return { body: 'ok\n' };
        if (attributes.subresource === 'log') return { body: 'line\n' };
        if (attributes.verb === 'get') return status(404, 'not found', { reason: 'NotFound' });
        if (attributes.apiGroup === 'metrics.k8s.io') return list([]);
        return list([]);
      });
      const kubeconfigPath = writeKubeconfig(pki.dir, [
        { name: 'fixture', server: server.url, caPath: pki.caPath, token: 't' },
      ]);
      reader = createKubeReader({ kubeconfigPath });
    });

    afterAll(async () => {
      reader.close();
      await server.close();
      pki.remove();
    });

    /** Where the code calls raw(): literals, constants of the same file, and the health check's endpoints. */
    function rawPathsOfTheCode(): string[] {
      const paths = new Set<string>();
      for (const { text } of productionSources()) {
        for (const match of text.matchAll(/\.raw\(\s*'([^']+)'/g)) paths.add(match[1]!);
        for (const match of text.matchAll(/\.raw\(\s*([A-Z_]+)\b/g)) {
          const value = new RegExp(`const ${match[1]} = '([^']+)'`).exec(text)?.[1];
          if (!value) throw new Error(`cannot resolve raw(${match[1]})`);
          paths.add(value);
        }
        for (const match of text.matchAll(/\.raw\(\s*`([^`]+)`/g)) {
          if (match[1] !== '/${endpoint}?verbose') throw new Error(`a raw() path this test does not know: ${match[1]}`);
          const endpoints = (apiserverHealthCheck.args.parse({}) as { endpoints: string[] }).endpoints;
          for (const endpoint of endpoints) paths.add(`/${endpoint}?verbose`);
        }
      }
      return [...paths];
    }

    /** One call per reader method; a method added to the reader without a line here fails the test. */
    const calls: Record<string, (reader: ClosableKubeReader, logNamespace: string) => Promise<unknown>> = {
      nodes: (r) => drain(r.nodes()),
      pods: async (r) => {
        await drain(r.pods());
        await drain(r.pods({ namespace: 'kube-system', fieldSelector: 'status.phase=Pending' }));
      },
      podFootprints: (r) => drain(r.podFootprints()),
      podMetadata: (r) => drain(r.podMetadata({ namespace: 'kube-system' })),
      pod: (r) => r.pod('kube-system', 'kube-apiserver-cp-1'),
      events: async (r) => {
        await drain(r.events());
        await drain(r.events({ namespace: 'kube-system' }));
      },
      namespaces: (r) => drain(r.namespaces()),
      leases: (r) => drain(r.leases({ namespace: 'kube-system' })),
      lease: (r) => r.lease('kube-system', 'kube-scheduler'),
      podLog: (r, namespace) => r.podLog(namespace, 'etcd-cp-1', { container: 'etcd', tailLines: 10 }),
      nodeMetrics: (r) => r.nodeMetrics(),
      podMetrics: async (r) => {
        await r.podMetrics();
        await r.podMetrics({ namespace: 'kube-system' });
      },
      raw: async (r) => {
        for (const path of rawPathsOfTheCode()) await r.raw(path);
      },
      servingCertificates: (r) => r.servingCertificates().catch(() => undefined),
      clientCertificate: (r) => r.clientCertificate(),
    };

    it('every request of every reader method is allowed for the workers', async () => {
      const methods = Object.keys(reader).filter(
        (key) => typeof (reader as unknown as Record<string, unknown>)[key] === 'function',
      );
      const notReading = ['close', 'limiterLoad'];
      expect(methods.filter((method) => !notReading.includes(method)).sort()).toEqual(Object.keys(calls).sort());
      // Logs are read in the namespace of the control-plane pods: the playbook's parameter default.
      const playbook = parse(readFileSync(join(ROOT, 'playbooks/control-plane-health.yaml'), 'utf8')) as {
        parameters: { name: string; default?: string }[];
      };
      const logNamespace = playbook.parameters.find((each) => each.name === 'namespace')!.default!;
      const denied: { method: string; url: string; attributes: RequestAttributes }[] = [];
      for (const [method, call] of Object.entries(calls)) {
        const start = server.requests.length;
        await call(reader, logNamespace);
        for (const request of server.requests.slice(start)) {
          expect(request.method).toBe('GET');
          const attributes = requestAttributes(request.url);
          if (!worker.some((granted) => allows(granted, attributes)))
            denied.push({ method, url: request.url, attributes });
        }
      }
      expect(denied).toEqual([]);
      expect(server.requests.length).toBeGreaterThan(Object.keys(calls).length);
    });

    it('and the same requests would be refused without the grants (the evaluator is not vacuous)', async () => {
      const start = server.requests.length;
      await reader.podLog('default', 'app', { tailLines: 1 });
      await reader.raw('/metrics');
      const [log, metrics] = server.requests.slice(start).map((request) => requestAttributes(request.url));
      expect(worker.some((granted) => allows(granted, log!))).toBe(false);
      const withoutUrls = worker.filter(({ rule }) => !rule.nonResourceURLs);
      expect(withoutUrls.some((granted) => allows(granted, metrics!))).toBe(false);
    });
  });
});

async function drain(items: AsyncIterable<unknown>): Promise<void> {
  for await (const item of items) void item;
}
