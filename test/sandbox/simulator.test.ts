import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parse } from 'yaml';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/simulator/index.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body parsed as JSON. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- responses are checked field by field
  ms: number;
}

const AGGREGATED_DISCOVERY =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const TABLE =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

/** One HTTPS request trusting the simulator's CA, without connection pooling (so nothing stays open). */
function call(
  sim: RunningSimulator,
  path: string,
  options: { token?: string | null; accept?: string; method?: string } = {},
): Promise<Answer> {
  const token = options.token === undefined ? sim.token : options.token;
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${sim.url}${path}`,
      {
        method: options.method ?? 'GET',
        ca: sim.caPem,
        agent: false,
        headers: {
          ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
          ...(options.accept ? { Accept: options.accept } : {}),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json, ms: performance.now() - began });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const itemNames = (answer: Answer): string[] =>
  (answer.json.items as Array<{ metadata: { name: string } }>).map((item) => item.metadata.name);

/** Follows `continue` to the end; returns every page's body. */
async function walkPages(sim: RunningSimulator, path: string, limit: number): Promise<Answer[]> {
  const pages: Answer[] = [];
  let token: string | undefined;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page = await call(
      sim,
      `${path}${separator}limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
    );
    expect(page.status).toBe(200);
    pages.push(page);
    token = page.json.metadata.continue;
  } while (token);
  return pages;
}

/** `name{labels} value` lines of a Prometheus text exposition, by series. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    map.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return map;
}

const T0 = Date.parse('2025-03-01T12:00:00Z');

describe('cluster simulator (healthy)', () => {
  let sim: RunningSimulator;
  let clock = T0;

  beforeAll(async () => {
    sim = await startSimulator({ scenario: 'healthy', now: () => clock });
  });
  afterAll(async () => {
    await sim.stop();
  });

  describe('discovery', () => {
    it.each([
      ['/version', { gitVersion: 'v1.32.2', major: '1', minor: '32' }],
      ['/api', { kind: 'APIVersions', versions: ['v1'] }],
      ['/api/v1', { kind: 'APIResourceList', groupVersion: 'v1' }],
      ['/apis', { kind: 'APIGroupList', apiVersion: 'v1' }],
      ['/apis/coordination.k8s.io', { kind: 'APIGroup', name: 'coordination.k8s.io' }],
      ['/apis/coordination.k8s.io/v1', { kind: 'APIResourceList', groupVersion: 'coordination.k8s.io/v1' }],
    ])('%s', async (path, expected) => {
      const answer = await call(sim, path);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.json).toMatchObject(expected);
    });

    it('lists the served resources with their verbs and subresources', async () => {
      const core = (await call(sim, '/api/v1')).json.resources as Array<{
        name: string;
        namespaced: boolean;
        kind: string;
        verbs: string[];
      }>;
      expect(core.map((resource) => resource.name)).toEqual(
        expect.arrayContaining(['pods', 'pods/log', 'pods/status', 'nodes', 'events', 'namespaces']),
      );
      expect(core.find((resource) => resource.name === 'nodes')).toMatchObject({
        namespaced: false,
        kind: 'Node',
        verbs: expect.arrayContaining(['get', 'list', 'watch']),
      });
      const groups = (await call(sim, '/apis')).json.groups as Array<{
        name: string;
        preferredVersion: { groupVersion: string };
      }>;
      expect(groups).toContainEqual(
        expect.objectContaining({
          name: 'coordination.k8s.io',
          preferredVersion: { groupVersion: 'coordination.k8s.io/v1', version: 'v1' },
        }),
      );
    });

    it('answers aggregated-discovery requests with the legacy documents as plain JSON, which clients fall back to', async () => {
      for (const path of ['/api', '/apis']) {
        const answer = await call(sim, path, { accept: AGGREGATED_DISCOVERY });
        expect(answer.status).toBe(200);
        expect(answer.headers['content-type']).toBe('application/json');
        expect(answer.json.kind).toBe(path === '/api' ? 'APIVersions' : 'APIGroupList');
      }
    });

    it.each(['/openapi/v2', '/openapi/v3', '/nope'])('%s is not served (404)', async (path) => {
      const answer = await call(sim, path);
      expect(answer.status).toBe(404);
      expect(answer.body).toBe('404 page not found\n');
    });

    it.each([
      '/api/v2',
      '/api/v1/foos',
      '/apis/apps/v1',
      '/api/v1/namespaces/default/nodes',
      '/api/v1/pods/etcd-cp-1',
      '/api/v1/nodes/cp-1/log',
    ])('%s names nothing: 404 Status', async (path) => {
      const answer = await call(sim, path);
      expect(answer.status).toBe(404);
      expect(answer.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
    });
  });

  describe('authentication', () => {
    it.each([
      ['/api/v1/pods', null],
      ['/api/v1/pods', 'wrong-token'],
      ['/api/v1/namespaces/kube-system/pods/etcd-cp-1', null],
      ['/apis/coordination.k8s.io/v1/leases', 'wrong-token'],
      ['/api', null],
      ['/metrics', null],
      ['/metrics', 'wrong-token'],
      ['/readyz', 'wrong-token'],
    ])('%s with token %s: 401 Status', async (path, token) => {
      const answer = await call(sim, path, { token });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    });

    it.each(['/livez', '/readyz?verbose', '/healthz', '/readyz/etcd', '/version'])(
      '%s is served without a token',
      async (path) => {
        expect((await call(sim, path, { token: null })).status).toBe(200);
      },
    );

    it('refuses writes as RBAC does for read-only credentials: 403', async () => {
      const answer = await call(sim, '/api/v1/namespaces/shop/pods/web-5d8f7c6b9d-h7kqz', { method: 'DELETE' });
      expect(answer.status).toBe(403);
      expect(answer.json).toMatchObject({
        kind: 'Status',
        reason: 'Forbidden',
        message:
          'pods "web-5d8f7c6b9d-h7kqz" is forbidden: User "quorum-reader" cannot delete resource "pods" in API group "" in the namespace "shop"',
      });
      const create = await call(sim, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', { method: 'POST' });
      expect(create.json.message).toBe(
        'leases.coordination.k8s.io is forbidden: User "quorum-reader" cannot create resource "leases" in API group "coordination.k8s.io" in the namespace "kube-system"',
      );
    });
  });

  describe('objects', () => {
    it.each([
      ['/api/v1/nodes', 'NodeList', 'v1', 6],
      ['/api/v1/pods', 'PodList', 'v1', 23],
      ['/api/v1/namespaces/kube-system/pods', 'PodList', 'v1', 20],
      ['/api/v1/namespaces/shop/pods', 'PodList', 'v1', 3],
      ['/api/v1/namespaces/nowhere/pods', 'PodList', 'v1', 0],
      ['/api/v1/events', 'EventList', 'v1', 6],
      ['/api/v1/namespaces', 'NamespaceList', 'v1', 5],
      ['/apis/coordination.k8s.io/v1/leases', 'LeaseList', 'coordination.k8s.io/v1', 11],
      ['/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', 'LeaseList', 'coordination.k8s.io/v1', 5],
      // The kubelets' heartbeats: one Lease per node, named after it.
      ['/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', 'LeaseList', 'coordination.k8s.io/v1', 6],
    ])('%s lists %s with apiVersion %s (%d items), kind only on the list', async (path, kind, apiVersion, count) => {
      const answer = await call(sim, path);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({
        kind,
        apiVersion,
        metadata: { resourceVersion: expect.stringMatching(/^\d+$/) },
      });
      expect(answer.json.items).toHaveLength(count);
      for (const item of answer.json.items) {
        expect(item.kind).toBeUndefined();
        expect(item.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }
    });

    it('gets one object with its kind and apiVersion', async () => {
      const pod = await call(sim, '/api/v1/namespaces/kube-system/pods/kube-apiserver-cp-1');
      expect(pod.json).toMatchObject({
        kind: 'Pod',
        apiVersion: 'v1',
        metadata: {
          name: 'kube-apiserver-cp-1',
          namespace: 'kube-system',
          labels: { component: 'kube-apiserver', tier: 'control-plane' },
        },
        spec: { nodeName: 'cp-1', schedulerName: 'default-scheduler' },
        status: { phase: 'Running' },
      });
      const lease = await call(sim, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler');
      expect(lease.json).toMatchObject({
        kind: 'Lease',
        apiVersion: 'coordination.k8s.io/v1',
        spec: { leaseDurationSeconds: 15 },
      });
      const node = await call(sim, '/api/v1/nodes/cp-1/status');
      expect(node.json).toMatchObject({
        kind: 'Node',
        metadata: { name: 'cp-1', labels: { 'node-role.kubernetes.io/control-plane': '' } },
      });
    });

    it.each([
      ['/api/v1/namespaces/kube-system/pods/nope', 'pods "nope" not found', { name: 'nope', kind: 'pods' }],
      ['/api/v1/nodes/cp-9', 'nodes "cp-9" not found', { name: 'cp-9', kind: 'nodes' }],
      [
        '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/nope',
        'leases.coordination.k8s.io "nope" not found',
        { name: 'nope', group: 'coordination.k8s.io', kind: 'leases' },
      ],
      ['/api/v1/namespaces/shop/pods/etcd-cp-1', 'pods "etcd-cp-1" not found', { name: 'etcd-cp-1' }],
    ])('%s: 404 NotFound Status', async (path, message, details) => {
      const answer = await call(sim, path);
      expect(answer.status).toBe(404);
      expect(answer.json).toMatchObject({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message,
        details,
      });
    });

    it('resolves relative timestamps against the clock at the moment of the request', async () => {
      clock = T0;
      const first = await call(sim, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler');
      expect(first.json.spec.renewTime).toBe('2025-03-01T11:59:58.000000Z');
      expect(first.json.metadata.creationTimestamp).toBe('2024-11-01T12:00:00Z');
      clock = T0 + 60_000;
      const later = await call(sim, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler');
      // A lease renewed "2 s ago" is fresh whenever it is read; that is what -2s means.
      expect(later.json.spec.renewTime).toBe('2025-03-01T12:00:58.000000Z');
      clock = T0;
    });
  });

  describe('pagination', () => {
    it.each([
      ['/api/v1/pods', 1],
      ['/api/v1/pods', 4],
      ['/api/v1/pods', 23],
      ['/api/v1/pods', 500],
      ['/api/v1/namespaces/kube-system/pods', 3],
      ['/api/v1/nodes', 4],
      ['/api/v1/events', 2],
      ['/apis/coordination.k8s.io/v1/leases', 5],
      ['/api/v1/pods?labelSelector=tier%3Dcontrol-plane', 5],
      ['/api/v1/pods?fieldSelector=spec.nodeName%3Dcp-1', 2],
    ])('%s with limit %d: the pages add up to the full list', async (path, limit) => {
      const full = await call(sim, path);
      const pages = await walkPages(sim, path, limit);
      expect(pages.flatMap(itemNames)).toEqual(itemNames(full));
      const selective = path.includes('Selector');
      let seen = 0;
      for (const page of pages.slice(0, -1)) {
        seen += page.json.items.length;
        expect(page.json.metadata.continue).toEqual(expect.any(String));
        if (selective) expect(page.json.metadata.remainingItemCount).toBeUndefined();
        else expect(page.json.metadata.remainingItemCount).toBe(full.json.items.length - seen);
      }
      expect(pages.at(-1)?.json.metadata.continue).toBeUndefined();
      expect(new Set(pages.map((page) => page.json.metadata.resourceVersion)).size).toBe(1);
    });

    it.each(['garbage!', 'bm90LWpzb24'])('answers 400 to the continue token %j', async (token) => {
      const answer = await call(sim, `/api/v1/pods?limit=2&continue=${token}`);
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({
        kind: 'Status',
        reason: 'BadRequest',
        message: expect.stringMatching(/^invalid continue token: continue key is not valid/),
      });
    });

    it('answers 410 Expired to tokens from before a compaction, with a token to continue inconsistently', async () => {
      const first = await call(sim, '/api/v1/pods?limit=5');
      sim.compact();
      const expired = await call(sim, `/api/v1/pods?limit=5&continue=${first.json.metadata.continue}`);
      expect(expired.status).toBe(410);
      expect(expired.json).toMatchObject({
        kind: 'Status',
        reason: 'Expired',
        code: 410,
        message: expect.stringMatching(
          /^The provided continue parameter is too old to display a consistent list result/,
        ),
        metadata: { continue: expect.any(String) },
      });
      const resumed = await call(sim, `/api/v1/pods?limit=50&continue=${expired.json.metadata.continue}`);
      expect(resumed.status).toBe(200);
      expect(resumed.json.items).toHaveLength(18);
      const fresh = await walkPages(sim, '/api/v1/pods', 5);
      expect(fresh.flatMap(itemNames)).toHaveLength(23);
    });

    it('answers resourceVersion=0 as the watch cache does: every match at once, limit ignored, no continue', async () => {
      const full = await call(sim, '/api/v1/pods');
      const cached = await call(sim, '/api/v1/pods?limit=5&resourceVersion=0');
      expect(cached.status).toBe(200);
      expect(itemNames(cached)).toEqual(itemNames(full));
      expect(cached.json.metadata).toEqual({ resourceVersion: full.json.metadata.resourceVersion });
      const selected = await call(sim, '/api/v1/pods?limit=1&resourceVersion=0&fieldSelector=spec.nodeName%3Dcp-1');
      expect(selected.json.items.length).toBeGreaterThan(1);
      expect(selected.json.metadata.continue).toBeUndefined();
    });

    it('accepts resourceVersion "" or "0" with a continue token, and refuses any other (as kube-apiserver does)', async () => {
      const first = await call(sim, '/api/v1/pods?limit=5');
      const token = first.json.metadata.continue as string;
      for (const version of ['', '0']) {
        const next = await call(sim, `/api/v1/pods?limit=5&continue=${token}&resourceVersion=${version}`);
        expect(next.status).toBe(200);
        expect(next.json.items).toHaveLength(5);
      }
      const refused = await call(sim, `/api/v1/pods?limit=5&continue=${token}&resourceVersion=12`);
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({
        reason: 'BadRequest',
        message: 'specifying resource version is not allowed when using continue',
      });
    });

    it('refuses a resourceVersion that is not a number', async () => {
      const answer = await call(sim, '/api/v1/pods?limit=5&resourceVersion=latest');
      expect(answer.status).toBe(400);
      expect(answer.json.message).toMatch(/^invalid resource version: .*"latest"/);
    });

    it('rejects a malformed path escape with 400', async () => {
      expect((await call(sim, '/api/v1/namespaces/%ZZ/pods')).status).toBe(400);
    });

    it('rejects a limit that is not a number', async () => {
      expect((await call(sim, '/api/v1/pods?limit=ten')).status).toBe(400);
    });
  });

  describe('selectors', () => {
    it.each([
      [
        '/api/v1/pods?labelSelector=component%3Dkube-scheduler',
        ['kube-scheduler-cp-1', 'kube-scheduler-cp-2', 'kube-scheduler-cp-3'],
      ],
      [
        '/api/v1/pods?labelSelector=tier%3Dcontrol-plane,component%20in%20(etcd)',
        ['etcd-cp-1', 'etcd-cp-2', 'etcd-cp-3'],
      ],
      [
        '/api/v1/pods?labelSelector=app%20in%20(web,cart)',
        ['cart-7f9c4d8b5c-p9w4r', 'web-5d8f7c6b9d-h7kqz', 'web-5d8f7c6b9d-t2mxw'],
      ],
      ['/api/v1/namespaces/shop/pods?labelSelector=app%20notin%20(web)', ['cart-7f9c4d8b5c-p9w4r']],
      ['/api/v1/namespaces/shop/pods?labelSelector=app!%3Dweb', ['cart-7f9c4d8b5c-p9w4r']],
      ['/api/v1/nodes?labelSelector=node-role.kubernetes.io/control-plane', ['cp-1', 'cp-2', 'cp-3']],
      ['/api/v1/nodes?labelSelector=!node-role.kubernetes.io/control-plane', ['worker-1', 'worker-2', 'worker-3']],
      [
        '/api/v1/pods?fieldSelector=spec.nodeName%3Dcp-2,metadata.namespace%3Dkube-system',
        [
          'coredns-668d6bf9bc-9zj7k',
          'etcd-cp-2',
          'kube-apiserver-cp-2',
          'kube-controller-manager-cp-2',
          'kube-proxy-m4q9d',
          'kube-scheduler-cp-2',
        ],
      ],
      [
        '/api/v1/pods?fieldSelector=status.phase%3D%3DRunning,metadata.namespace!%3Dkube-system',
        ['cart-7f9c4d8b5c-p9w4r', 'web-5d8f7c6b9d-h7kqz', 'web-5d8f7c6b9d-t2mxw'],
      ],
      ['/api/v1/pods?fieldSelector=status.phase%3DPending', []],
      ['/api/v1/pods?fieldSelector=spec.schedulerName!%3Ddefault-scheduler', []],
      ['/api/v1/pods?fieldSelector=metadata.name%3Detcd-cp-3', ['etcd-cp-3']],
      ['/api/v1/pods?fieldSelector=spec.host%3Dworker-3', ['kube-proxy-q8f3x', 'cart-7f9c4d8b5c-p9w4r']],
      [
        '/api/v1/events?fieldSelector=involvedObject.name%3Dweb-5d8f7c6b9d-h7kqz,reason%3DStarted',
        ['web-5d8f7c6b9d-h7kqz.1759e995af7cc706'],
      ],
      [
        '/api/v1/events?fieldSelector=involvedObject.kind%3DDeployment,involvedObject.namespace%3Dshop,type%3DNormal',
        ['web.17a47fb32aa53a75'],
      ],
      ['/api/v1/events?fieldSelector=type%3DWarning', []],
      ['/api/v1/events?fieldSelector=source%3Dreplicaset-controller', ['web-5d8f7c6b9d.17108dc2aa918b54']],
      ['/api/v1/nodes?fieldSelector=spec.unschedulable%3Dfalse,metadata.name%3Dworker-1', ['worker-1']],
      [
        '/api/v1/namespaces?fieldSelector=status.phase%3DActive,metadata.name!%3Ddefault',
        ['kube-node-lease', 'kube-public', 'kube-system', 'shop'],
      ],
      [
        '/apis/coordination.k8s.io/v1/leases?fieldSelector=metadata.namespace%3Dkube-system,metadata.name%3Dkube-scheduler',
        ['kube-scheduler'],
      ],
    ])('%s', async (path, expected) => {
      const answer = await call(sim, path);
      expect(answer.status).toBe(200);
      expect(itemNames(answer)).toEqual(expected);
    });

    it.each([
      ['/api/v1/pods?fieldSelector=status.foo%3D1', 'field label not supported: status.foo'],
      ['/api/v1/nodes?fieldSelector=spec.nodeName%3Dx', 'field label not supported: spec.nodeName'],
      ['/api/v1/events?fieldSelector=message%3Dx', 'field label not supported: message'],
      [
        '/apis/coordination.k8s.io/v1/leases?fieldSelector=spec.holderIdentity%3Dx',
        '"spec.holderIdentity" is not a known field selector: only "metadata.name", "metadata.namespace"',
      ],
      ['/api/v1/pods?fieldSelector=status.phase', "invalid selector: 'status.phase'; can't understand 'status.phase'"],
      ['/api/v1/pods?labelSelector=app%20in%20(web', "unable to parse requirement: found '', expected: ',' or ')'"],
    ])('%s: 400 with the server message', async (path, message) => {
      const answer = await call(sim, path);
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400, message });
    });
  });

  describe("metadata only (what client-go's metadata client asks for)", () => {
    const LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
    const ONE = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

    it('answers a list as a PartialObjectMetadataList: the same pages, each item its metadata alone', async () => {
      const plain = await call(sim, '/api/v1/namespaces/kube-system/pods?limit=2');
      const answer = await call(sim, '/api/v1/namespaces/kube-system/pods?limit=2', {
        accept: `${LIST}, application/json`,
      });
      expect(answer.headers['content-type']).toBe(LIST);
      expect(answer.json).toEqual({
        kind: 'PartialObjectMetadataList',
        apiVersion: 'meta.k8s.io/v1',
        metadata: plain.json.metadata,
        items: plain.json.items.map((pod: { metadata: unknown }) => ({
          kind: 'PartialObjectMetadata',
          apiVersion: 'meta.k8s.io/v1',
          metadata: pod.metadata,
        })),
      });
      const next = await call(
        sim,
        `/api/v1/namespaces/kube-system/pods?limit=2&continue=${answer.json.metadata.continue}`,
        {
          accept: LIST,
        },
      );
      expect(next.json.items[0].metadata.name).not.toBe(answer.json.items[1].metadata.name);
    });

    it('answers one object as PartialObjectMetadata', async () => {
      const answer = await call(sim, '/api/v1/nodes/cp-1', { accept: ONE });
      expect(answer.headers['content-type']).toBe(ONE);
      expect(answer.json).toEqual({
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: expect.objectContaining({ name: 'cp-1', labels: expect.any(Object) }),
      });
      expect(answer.json.spec).toBeUndefined();
    });

    it('passes over a metadata kind that does not fit the endpoint: the next offer, or 406', async () => {
      const fallback = await call(sim, '/api/v1/nodes', { accept: `${ONE}, application/json` });
      expect(fallback.json.kind).toBe('NodeList');
      expect((await call(sim, '/api/v1/nodes', { accept: ONE })).status).toBe(406);
      expect((await call(sim, '/api/v1/nodes/cp-1', { accept: LIST })).status).toBe(406);
    });
  });

  describe('server-side tables (what kubectl get asks for)', () => {
    it('answers a list with a meta.k8s.io/v1 Table whose rows carry object metadata', async () => {
      const answer = await call(sim, '/api/v1/namespaces/kube-system/pods?limit=2', { accept: TABLE });
      expect(answer.headers['content-type']).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
      expect(answer.json).toMatchObject({
        kind: 'Table',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { continue: expect.any(String), remainingItemCount: 18 },
      });
      expect(answer.json.columnDefinitions.map((column: { name: string }) => column.name)).toEqual([
        'Name',
        'Ready',
        'Status',
        'Restarts',
        'Age',
        'IP',
        'Node',
        'Nominated Node',
        'Readiness Gates',
      ]);
      expect(answer.json.rows[0]).toEqual({
        cells: ['coredns-668d6bf9bc-4xq2w', '1/1', 'Running', '0', '30d', '192.168.0.2', 'cp-1', '<none>', '<none>'],
        object: {
          kind: 'PartialObjectMetadata',
          apiVersion: 'meta.k8s.io/v1',
          metadata: expect.objectContaining({ name: 'coredns-668d6bf9bc-4xq2w', namespace: 'kube-system' }),
        },
      });
    });

    it.each([
      ['/api/v1/nodes/cp-1', ['cp-1', 'Ready', 'control-plane', '120d', 'v1.32.2']],
      ['/api/v1/nodes/worker-1', ['worker-1', 'Ready', '<none>', '120d', 'v1.32.2']],
      [
        '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager',
        ['kube-controller-manager', 'cp-1_6b9e2f47-1c3d-4a85-b0e6-92f4d7c8a513', '120d'],
      ],
      ['/api/v1/namespaces/shop', ['shop', 'Active', '120d']],
    ])('%s as a one-row table', async (path, cells) => {
      const answer = await call(sim, path, { accept: TABLE });
      expect(answer.json.kind).toBe('Table');
      expect(answer.json.rows[0].cells.slice(0, cells.length)).toEqual(cells);
    });

    it('carries whole objects with includeObject=Object and none with None', async () => {
      const full = await call(sim, '/api/v1/nodes?includeObject=Object', { accept: TABLE });
      expect(full.json.rows[0].object).toMatchObject({
        kind: 'Node',
        apiVersion: 'v1',
        status: { nodeInfo: { kubeletVersion: 'v1.32.2' } },
      });
      const bare = await call(sim, '/api/v1/nodes?includeObject=None', { accept: TABLE });
      expect(bare.json.rows[0].object).toBeUndefined();
    });

    it('answers 406 when no offered representation is JSON', async () => {
      const answer = await call(sim, '/api/v1/pods', { accept: 'application/vnd.kubernetes.protobuf' });
      expect(answer.status).toBe(406);
      expect(answer.json.reason).toBe('NotAcceptable');
    });
  });

  describe('watch', () => {
    it('streams the current objects as ADDED events, then ends at timeoutSeconds', async () => {
      const answer = await call(
        sim,
        '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?watch=true&timeoutSeconds=1',
      );
      const events = answer.body
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; object: { kind: string; metadata: { name: string } } });
      expect(events).toHaveLength(5);
      expect(events.every((event) => event.type === 'ADDED' && event.object.kind === 'Lease')).toBe(true);
    });
  });

  describe('health', () => {
    it.each([
      ['/livez', 200, 'ok'],
      ['/readyz', 200, 'ok'],
      ['/healthz', 200, 'ok'],
      ['/readyz/etcd', 200, 'ok'],
      ['/livez/poststarthook/rbac/bootstrap-roles', 200, 'ok'],
      ['/readyz/nope', 404, '404 page not found\n'],
    ])('%s: %d %j', async (path, status, body) => {
      const answer = await call(sim, path);
      expect([answer.status, answer.body]).toEqual([status, body]);
    });

    it.each(['livez', 'readyz', 'healthz'])('/%s?verbose lists every check and passes', async (endpoint) => {
      const answer = await call(sim, `/${endpoint}?verbose`);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
      const lines = answer.body.split('\n');
      expect(lines[0]).toBe('[+]ping ok');
      expect(lines).toContain('[+]etcd ok');
      expect(lines.at(-2)).toBe(`${endpoint} check passed`);
      expect(lines.at(-1)).toBe('');
      expect(lines.includes('[+]shutdown ok')).toBe(endpoint === 'readyz');
    });
  });

  describe('metrics', () => {
    const GET_PODS =
      'apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="",verb="GET",version="v1"}';
    const DURATION = 'apiserver_request_duration_seconds';
    const GET_PODS_LABELS =
      'component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="",verb="GET",version="v1"';

    it('serves the Prometheus text format with the API server families', async () => {
      const answer = await call(sim, '/metrics');
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      for (const [name, type] of [
        ['apiserver_request_duration_seconds', 'histogram'],
        ['apiserver_request_total', 'counter'],
        ['apiserver_current_inflight_requests', 'gauge'],
        ['etcd_request_duration_seconds', 'histogram'],
        ['apiserver_storage_objects', 'gauge'],
      ]) {
        expect(answer.body).toMatch(new RegExp(`^# HELP ${name} \\[(STABLE|ALPHA)\\] .+$`, 'm'));
        expect(answer.body).toContain(`# TYPE ${name} ${type}\n`);
      }
      expect(answer.body).toContain('apiserver_current_inflight_requests{request_kind="readOnly"} 3\n');
      const buckets = [
        ...answer.body.matchAll(new RegExp(`^${DURATION}_bucket\\{${GET_PODS_LABELS},le="([^"]+)"\\} (\\d+)$`, 'gm')),
      ];
      expect(buckets.map((match) => match[1])).toEqual([
        '0.005',
        '0.025',
        '0.05',
        '0.1',
        '0.2',
        '0.4',
        '0.6',
        '0.8',
        '1',
        '1.25',
        '1.5',
        '2',
        '3',
        '4',
        '5',
        '6',
        '8',
        '10',
        '15',
        '20',
        '30',
        '45',
        '60',
        '+Inf',
      ]);
      const counts = buckets.map((match) => Number(match[2]));
      counts.forEach((count, index) => expect(count).toBeGreaterThanOrEqual(counts[index - 1] ?? 0));
      expect(counts.at(-1)).toBe(samples(answer.body).get(`${DURATION}_count{${GET_PODS_LABELS}}`));
    });

    it('advances counters and histograms with the clock: deltas are the declared rates', async () => {
      clock = T0 + 5_000;
      const before = samples((await call(sim, '/metrics')).body);
      clock = T0 + 15_000;
      const after = samples((await call(sim, '/metrics')).body);
      clock = T0;
      const delta = (series: string): number => (after.get(series) ?? NaN) - (before.get(series) ?? NaN);
      expect(delta(GET_PODS)).toBe(120);
      expect(delta(`${DURATION}_count{${GET_PODS_LABELS}}`)).toBe(120);
      expect(delta(`${DURATION}_bucket{${GET_PODS_LABELS},le="+Inf"}`)).toBe(120);
      // 12 GET/s with a median of 4 ms: most new observations land at or below 5 ms.
      expect(delta(`${DURATION}_bucket{${GET_PODS_LABELS},le="0.005"}`)).toBeGreaterThan(60);
      expect(delta(`${DURATION}_sum{${GET_PODS_LABELS}}`)).toBeGreaterThan(0.3);
      expect(delta('apiserver_current_inflight_requests{request_kind="readOnly"}')).toBe(0);
      for (const [series, value] of after) {
        if (series.includes('_bucket') || series.includes('_total') || series.includes('_count'))
          expect(value).toBeGreaterThanOrEqual(before.get(series) ?? 0);
      }
    });
  });

  describe('kubeconfig', () => {
    it('names the cluster, the CA, a token user and the current context', () => {
      const config = parse(readFileSync(sim.kubeconfigPath, 'utf8'));
      expect(config['current-context']).toBe('quorum-sim-healthy');
      expect(config.clusters[0]).toEqual({
        name: 'quorum-sim-healthy',
        cluster: { server: sim.url, 'certificate-authority-data': Buffer.from(sim.caPem).toString('base64') },
      });
      expect(config.users[0].user).toEqual({ token: sim.token });
      expect(config.contexts[0]).toMatchObject({
        name: 'quorum-sim-healthy',
        context: { cluster: 'quorum-sim-healthy', user: config.users[0].name },
      });
      expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    });
  });

  describe('request log', () => {
    it('records method, path and clock time of every request', async () => {
      clock = T0 + 42_000;
      await call(sim, '/api/v1/nodes?limit=1');
      clock = T0;
      const record = await sim.requests.waitFor((entry) => entry.path === '/api/v1/nodes?limit=1');
      expect(record).toMatchObject({ method: 'GET', path: '/api/v1/nodes?limit=1', time: T0 + 42_000, status: 200 });
      expect(sim.requests.total).toBeGreaterThan(10);
      expect(sim.requests.count((entry) => entry.path.startsWith('/metrics'))).toBeGreaterThanOrEqual(3);
    });
  });
});

describe('cluster simulator pod logs (control-plane-degraded)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ scenario: 'control-plane-degraded' });
  });
  afterAll(async () => {
    await sim.stop();
  });
  const logPath = '/api/v1/namespaces/kube-system/pods/kube-controller-manager-cp-2/log';

  it('serves the previous instance log as text/plain, with tailLines and limitBytes', async () => {
    const full = await call(sim, `${logPath}?previous=true&container=kube-controller-manager`);
    expect(full.status).toBe(200);
    expect(full.headers['content-type']).toBe('text/plain');
    expect(full.body).toContain('Authorization: Bearer eyJ');
    expect(full.body).toContain('"Error building controller context"');
    const tail = await call(sim, `${logPath}?previous=true&tailLines=1`);
    expect(tail.body.split('\n')).toHaveLength(2);
    expect(tail.body).toMatch(/^E\d{4} .*Error building controller context.*\n$/);
    const head = await call(sim, `${logPath}?previous=true&limitBytes=10`);
    expect(head.body).toMatch(/^I\d{4} \d\d:\d$/);
  });

  it.each([
    [
      `${logPath}`,
      400,
      'container "kube-controller-manager" in pod "kube-controller-manager-cp-2" is waiting to start: CrashLoopBackOff',
    ],
    [`${logPath}?container=etcd`, 400, 'container etcd is not valid for pod kube-controller-manager-cp-2'],
    [
      '/api/v1/namespaces/kube-system/pods/etcd-cp-1/log?previous=true',
      400,
      'previous terminated container "etcd" in pod "etcd-cp-1" not found',
    ],
    [
      '/api/v1/namespaces/shop/pods/web-5d8f7c6b9d-x9k2m/log',
      400,
      'pod web-5d8f7c6b9d-x9k2m does not have a host assigned',
    ],
    ['/api/v1/namespaces/kube-system/pods/nope/log', 404, 'pods "nope" not found'],
    [
      `${logPath}?previous=true&tailLines=-1`,
      400,
      'tailLines: Invalid value: "-1": must be greater than or equal to 0',
    ],
  ])('%s: %d %s', async (path, status, message) => {
    const answer = await call(sim, path);
    expect(answer.status).toBe(status);
    expect(answer.json).toMatchObject({ kind: 'Status', message });
  });

  it('serves an empty log for a running container without one', async () => {
    const answer = await call(sim, '/api/v1/namespaces/kube-system/pods/etcd-cp-1/log');
    expect([answer.status, answer.body]).toEqual([200, '']);
  });

  it.each([
    [
      '/readyz',
      500,
      [
        '[-]etcd failed: reason withheld',
        '[-]etcd-readiness failed: reason withheld',
        '[-]poststarthook/crd-informer-synced failed: reason withheld',
        'readyz check failed',
      ],
    ],
    ['/livez?verbose', 500, ['[-]etcd failed: reason withheld', '[+]ping ok', 'livez check failed']],
    ['/readyz?exclude=etcd&exclude=etcd-readiness&exclude=poststarthook/crd-informer-synced', 200, ['ok']],
  ])('%s answers %d with the failing checks', async (path, status, lines) => {
    const answer = await call(sim, path);
    expect(answer.status).toBe(status);
    for (const line of lines) expect(answer.body.split('\n')).toContain(line);
  });

  it('explains a failing check on its own path', async () => {
    const answer = await call(sim, '/readyz/etcd');
    expect([answer.status, answer.body]).toEqual([
      500,
      'internal server error: error getting data from etcd: context deadline exceeded\n',
    ]);
  });
});

describe('cluster simulator faults', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ scenario: 'healthy' });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('answers an injected 500 the given number of times, then serves again', async () => {
    const fault = sim.inject({ path: '/api/v1/nodes', status: 500, times: 2 });
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await call(sim, '/api/v1/nodes');
      expect(answer.status).toBe(500);
      expect(answer.json).toMatchObject({ kind: 'Status', reason: 'InternalError', code: 500 });
    }
    expect((await call(sim, '/api/v1/nodes')).status).toBe(200);
    expect(fault.hits).toBe(2);
  });

  it('answers 429 with Retry-After, as API Priority and Fairness does', async () => {
    sim.inject({ path: /\/leases/, status: 429, retryAfterSeconds: 3, times: 1 });
    const answer = await call(sim, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler');
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('3');
    expect(answer.json).toMatchObject({
      reason: 'TooManyRequests',
      message: 'Too many requests, please try again later.',
      details: { retryAfterSeconds: 3 },
    });
    sim.inject({ path: '/metrics', status: 429, times: 1 });
    expect((await call(sim, '/metrics')).headers['retry-after']).toBe('1');
  });

  it('delays matching requests by latencyMs', async () => {
    sim.inject({ path: '/api/v1/namespaces', latencyMs: 150, times: 1 });
    expect((await call(sim, '/api/v1/namespaces')).ms).toBeGreaterThanOrEqual(145);
  });

  it('matches by method and lets the newest fault win; clearFaults removes all', async () => {
    sim.inject({ path: '/version', status: 503 });
    sim.inject({ path: '/version', status: 504 });
    sim.inject({ path: '/version', status: 500, method: 'POST' });
    expect((await call(sim, '/version')).status).toBe(504);
    sim.clearFaults();
    expect((await call(sim, '/version')).status).toBe(200);
  });

  it('rejects faults it cannot mean', () => {
    expect(() => sim.inject({ path: '/', status: 200 })).toThrow(RangeError);
    expect(() => sim.inject({ path: '/', times: 0 })).toThrow(RangeError);
  });
});

describe('cluster simulator lifecycle', () => {
  it('adds the start-time latency to every request', async () => {
    const sim = await startSimulator({ scenario: 'healthy', latencyMs: 120 });
    try {
      expect((await call(sim, '/version')).ms).toBeGreaterThanOrEqual(115);
    } finally {
      await sim.stop();
    }
  });

  it('releases hanging requests on stop, removes its kubeconfig, and stops once', async () => {
    const sim = await startSimulator({ scenario: 'healthy' });
    sim.inject({ path: '/api/v1/pods', hang: true });
    const hanging = call(sim, '/api/v1/pods').then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    await sim.requests.waitFor((entry) => entry.path === '/api/v1/pods');
    expect(existsSync(sim.kubeconfigPath)).toBe(true);
    await Promise.all([sim.stop(), sim.stop()]);
    expect(await hanging).toMatch(/ECONNRESET|socket hang up/);
    expect(existsSync(sim.kubeconfigPath)).toBe(false);
    await expect(call(sim, '/version')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('ends open watches on stop', async () => {
    const sim = await startSimulator({ scenario: 'healthy' });
    const watching = call(sim, '/api/v1/nodes?watch=1').then(
      (answer) => answer.body.trim().split('\n').length,
      () => -1,
    );
    await sim.requests.waitFor((entry) => entry.path === '/api/v1/nodes?watch=1');
    await sim.stop();
    // Without stop() ending it, the watch would stay open for its 30-minute default: give it a deadline, not a sleep.
    const deadline = new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 5_000).unref());
    expect(await Promise.race([watching.then(() => 'ended'), deadline])).toBe('ended');
  });
});
