import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeRequestError, KubeTimeoutError } from '../../src/core/errors.js';
import { type ClosableKubeReader, createKubeReader } from '../../src/cluster/create-kube-reader.js';
import {
  list,
  type FixtureHandler,
  type RecordedRequest,
  startFixtureServer,
  status,
  type FixtureServer,
} from './support/fixture-server.js';
import { writeKubeconfig } from './support/kubeconfig.js';
import { createTestPki, type TestPki } from './support/test-pki.js';

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name, namespace: 'kube-system', uid: `uid-${name}` },
  ...extra,
});

/** Serves `pages` of pods in order, following `continue` tokens `page-2`, `page-3`, … */
function pagedPods(pages: string[][]): FixtureHandler {
  return (request) => {
    const token = query(request).get('continue');
    const index = token ? Number(token.replace('page-', '')) - 1 : 0;
    const names = pages[index] ?? [];
    return list(
      names.map((name) => pod(name)),
      index + 1 < pages.length ? `page-${index + 2}` : undefined,
    );
  };
}

function query(request: RecordedRequest): URLSearchParams {
  return new URL(request.url, 'http://x').searchParams;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('KubeReader over a fixture API server', () => {
  let pki: TestPki;
  let server: FixtureServer;
  let kubeconfigPath: string;
  let reader: ClosableKubeReader;
  const extraReaders: ClosableKubeReader[] = [];

  beforeAll(async () => {
    pki = createTestPki();
    server = await startFixtureServer(pki);
    kubeconfigPath = writeKubeconfig(pki.dir, [
      { name: 'fixture', server: server.url, caPath: pki.caPath, token: 't' },
    ]);
    reader = createKubeReader({ kubeconfigPath, pageSize: 2 });
  });

  afterAll(async () => {
    reader.close();
    for (const extra of extraReaders) extra.close();
    await server.close();
    pki.remove();
  });

  /** Requests made from here on. */
  function mark(): () => RecordedRequest[] {
    const start = server.requests.length;
    return () => server.requests.slice(start);
  }

  it('names the cluster as the kubeconfig does', () => {
    expect(reader.clusterName).toBe('fixture-cluster');
    expect(reader.server).toBe(server.url);
  });

  it('asks for each page once, in order, with limit and continue (one page ahead: see list-pager.test.ts)', async () => {
    server.handle(pagedPods([['a', 'b'], ['c', 'd'], ['e']]));
    const since = mark();
    const names: string[] = [];
    for await (const item of reader.pods()) names.push(item.metadata.name);
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(since().map((request) => [query(request).get('limit'), query(request).get('continue')])).toEqual([
      ['2', null],
      ['2', 'page-2'],
      ['2', 'page-3'],
    ]);
  });

  it('stops listing when the consumer stops: nothing beyond the page ahead is asked for', async () => {
    server.handle(pagedPods([['a', 'b'], ['c', 'd'], ['e', 'f'], ['g']]));
    const since = mark();
    for await (const item of reader.pods()) if (item.metadata.name === 'b') break;
    expect(since().map((request) => query(request).get('continue'))).not.toContain('page-3');
    expect(since().length).toBeLessThanOrEqual(2);
  });

  it('does nothing until iterated', async () => {
    server.handle(pagedPods([['a']]));
    const since = mark();
    const iterable = reader.nodes();
    expect(since()).toHaveLength(0);
    await collect(iterable);
    expect(since()).toHaveLength(1);
  });

  it.each([
    {
      name: 'pods in a namespace with both selectors',
      run: (r: ClosableKubeReader) =>
        r.pods({
          namespace: 'kube-system',
          fieldSelector: 'status.phase=Pending',
          labelSelector: 'component in (etcd,kube-apiserver)',
        }),
      path: '/api/v1/namespaces/kube-system/pods',
      params: {
        fieldSelector: 'status.phase=Pending',
        labelSelector: 'component in (etcd,kube-apiserver)',
        limit: '2',
      },
    },
    {
      name: 'pods cluster-wide',
      run: (r: ClosableKubeReader) => r.pods(),
      path: '/api/v1/pods',
      params: { limit: '2' },
    },
    {
      name: 'Pending pods from the watch cache',
      run: (r: ClosableKubeReader) => r.pods({ fieldSelector: 'status.phase=Pending', resourceVersion: '0' }),
      path: '/api/v1/pods',
      params: { fieldSelector: 'status.phase=Pending', limit: '2', resourceVersion: '0' },
    },
    {
      name: 'pod footprints of bound pods',
      run: (r: ClosableKubeReader) => r.podFootprints({ fieldSelector: 'spec.nodeName!=' }),
      path: '/api/v1/pods',
      params: { fieldSelector: 'spec.nodeName!=', limit: '2' },
    },
    {
      name: 'nodes by label',
      run: (r: ClosableKubeReader) => r.nodes({ labelSelector: 'node-role.kubernetes.io/control-plane' }),
      path: '/api/v1/nodes',
      params: { labelSelector: 'node-role.kubernetes.io/control-plane', limit: '2' },
    },
    {
      name: 'events by field',
      run: (r: ClosableKubeReader) =>
        r.events({ namespace: 'team a&b', fieldSelector: 'involvedObject.kind=Pod,reason=FailedScheduling' }),
      path: '/api/v1/namespaces/team%20a%26b/events',
      params: { fieldSelector: 'involvedObject.kind=Pod,reason=FailedScheduling', limit: '2' },
    },
    {
      name: 'namespaces',
      run: (r: ClosableKubeReader) => r.namespaces(),
      path: '/api/v1/namespaces',
      params: { limit: '2' },
    },
    {
      name: 'leases in kube-system',
      run: (r: ClosableKubeReader) => r.leases({ namespace: 'kube-system' }),
      path: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases',
      params: { limit: '2' },
    },
  ])('lists $name at the right path with the right parameters', async ({ run, path, params }) => {
    server.handle(() => list([]));
    const since = mark();
    await collect(run(reader) as AsyncIterable<unknown>);
    const [request] = since();
    expect(request?.url.split('?')[0]).toBe(path);
    expect(Object.fromEntries(query(request as RecordedRequest))).toEqual(params);
  });

  it('restarts a list once from the beginning when its continue token expired (items may repeat)', async () => {
    let firstPages = 0;
    server.handle((request) => {
      const token = query(request).get('continue');
      if (!token) return list([pod('a'), pod('b')], ++firstPages === 1 ? 'stale' : 'fresh');
      if (token === 'stale') return status(410, 'The provided continue parameter is too old', { reason: 'Expired' });
      return list([pod('c')]);
    });
    const since = mark();
    const names = (await collect(reader.pods())).map((item) => item.metadata.name);
    expect(names).toEqual(['a', 'b', 'a', 'b', 'c']);
    expect(since().map((request) => query(request).get('continue'))).toEqual([null, 'stale', null, 'fresh']);
  });

  it('continues with the token an expired-continue Status offers, without repeating items', async () => {
    server.handle((request) => {
      const token = query(request).get('continue');
      if (!token) return list([pod('a'), pod('b')], 'stale');
      if (token === 'stale')
        return status(410, 'inconsistent continue', { reason: 'Expired', metadata: { continue: 'at-latest' } });
      return list([pod('c')]);
    });
    const names = (await collect(reader.pods())).map((item) => item.metadata.name);
    expect(names).toEqual(['a', 'b', 'c']);
  });

  it('gives up when the continue token expires again after the restart', async () => {
    server.handle((request) =>
      query(request).get('continue') ? status(410, 'too old') : list([pod('a'), pod('b')], 'stale'),
    );
    const since = mark();
    const names: string[] = [];
    await expect(
      (async () => {
        for await (const item of reader.pods()) names.push(item.metadata.name);
      })(),
    ).rejects.toMatchObject({ constructor: KubeRequestError, status: 410 });
    expect(names).toEqual(['a', 'b', 'a', 'b']);
    expect(since()).toHaveLength(4);
  });

  it('validates items at the edge, naming the offending field, and lets unknown fields through', async () => {
    server.handle(() =>
      list([
        pod('ok', {
          metadata: { name: 'ok', creationTimestamp: null, managedFields: [{}] },
          spec: { nodeName: 'cp-1', somethingNew: { nested: true } },
          status: { phase: 'Running', containerStatuses: [{ name: 'etcd', image: 'etcd:3.5' }] },
        }),
        { metadata: { namespace: 'kube-system' } },
      ]),
    );
    const seen: unknown[] = [];
    const failure = await (async () => {
      for await (const item of reader.pods()) seen.push(item);
    })().catch((error: unknown) => error);
    expect(seen).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({ name: 'ok', creationTimestamp: undefined, managedFields: [{}] }),
        spec: expect.objectContaining({ somethingNew: { nested: true } }),
        status: expect.objectContaining({
          containerStatuses: [expect.objectContaining({ name: 'etcd', ready: false, restartCount: 0 })],
        }),
      }),
    ]);
    expect(failure).toBeInstanceOf(KubeRequestError);
    expect((failure as Error).message).toMatch(
      /Unexpected answer to GET \/api\/v1\/pods\?limit=2: items\[1\]\.metadata\.name: /,
    );
  });

  it('checks pod footprints on the fields they read only, keeping them as sent, and names a bad one', async () => {
    const bound = {
      metadata: { name: 'web-1', namespace: null },
      spec: {
        nodeName: 'worker-1',
        containers: [{ name: 'web', resources: { requests: { cpu: '250m' } } }],
        initContainers: null,
        tolerations: 'not read, so not checked',
      },
      status: { phase: 42 },
    };
    server.handle(() => list([bound]));
    expect(await collect(reader.podFootprints())).toEqual([bound]);
    server.handle(() =>
      list([bound, { ...bound, spec: { containers: [{ resources: { requests: { memory: 512 } } }] } }]),
    );
    await expect(collect(reader.podFootprints())).rejects.toThrow(
      /Unexpected answer to GET \/api\/v1\/pods\?limit=2: items\[1\]\.spec\.containers\[0\]\.resources\.requests\.memory: Invalid input: expected string, received number/,
    );
  });

  it('asks for pod metadata only, and reads it from whole objects too (a server that cannot convert)', async () => {
    const partial = {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'etcd-cp-1', labels: { component: 'etcd' } },
    };
    server.handle(() => list([partial, pod('kube-proxy-x', { spec: { nodeName: 'w-1' } })]));
    const since = mark();
    const items = await collect(reader.podMetadata({ namespace: 'kube-system' }));
    expect(since()[0]?.headers.accept).toBe(
      'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json',
    );
    expect(items.map((item) => item.metadata.name)).toEqual(['etcd-cp-1', 'kube-proxy-x']);
    expect(items[1]).toEqual({ metadata: expect.objectContaining({ name: 'kube-proxy-x' }) });
  });

  it('reads one pod, and returns undefined for a missing one', async () => {
    server.handle((request) =>
      request.url.endsWith('/gone') ? status(404, 'pods "gone" not found') : { body: pod('etcd-cp-1') },
    );
    expect((await reader.pod('kube-system', 'etcd-cp-1'))?.metadata.uid).toBe('uid-etcd-cp-1');
    expect(await reader.pod('kube-system', 'gone')).toBeUndefined();
  });

  it('rejects an answer that is not a Kubernetes list', async () => {
    server.handle(() => ({ body: '<html>login page</html>' }));
    await expect(collect(reader.nodes())).rejects.toThrow(/not JSON: <html>login page/);
    server.handle(() => ({ body: { items: 'nope' } }));
    await expect(collect(reader.nodes())).rejects.toThrow(
      /Unexpected answer to GET \/api\/v1\/nodes\?limit=2: items: /,
    );
  });

  it('turns a 403 on a list into the RBAC the diagnostics need', async () => {
    server.handle(() =>
      status(403, 'nodes is forbidden: User "system:serviceaccount:quorum:diag" cannot list resource "nodes"'),
    );
    await expect(collect(reader.nodes())).rejects.toThrow(
      /cannot list resource "nodes".*need RBAC get, list and watch on nodes, pods, pods\/log, events, namespaces and leases/,
    );
  });

  it('reads a lease, and returns undefined for a missing one', async () => {
    const lease = {
      metadata: { name: 'kube-scheduler', namespace: 'kube-system' },
      spec: { holderIdentity: 'cp-1_abc', leaseDurationSeconds: 15, renewTime: '2026-01-01T00:00:00.000000Z' },
    };
    server.handle((request) =>
      request.url.endsWith('/kube-scheduler')
        ? { body: lease }
        : status(404, 'leases.coordination.k8s.io "x" not found'),
    );
    const since = mark();
    expect(await reader.lease('kube-system', 'kube-scheduler')).toEqual(lease);
    expect(await reader.lease('kube-system', 'odd:name?x')).toBeUndefined();
    expect(since().map((request) => request.url)).toEqual([
      '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler',
      '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/odd%3Aname%3Fx',
    ]);
    server.handle(() => status(500, 'etcdserver: leader changed'));
    await expect(reader.lease('kube-system', 'kube-scheduler')).rejects.toMatchObject({ status: 500, retryable: true });
  });

  it('reads a container log with its parameters', async () => {
    server.handle(() => ({ body: 'E0101 panic: boom\n' }));
    const since = mark();
    const log = await reader.podLog('kube-system', 'etcd-cp-1', {
      container: 'etcd',
      previous: true,
      tailLines: 50,
      limitBytes: 2048,
    });
    expect(log).toBe('E0101 panic: boom\n');
    const [request] = since();
    expect(request?.url.split('?')[0]).toBe('/api/v1/namespaces/kube-system/pods/etcd-cp-1/log');
    expect(Object.fromEntries(query(request as RecordedRequest))).toEqual({
      container: 'etcd',
      previous: 'true',
      tailLines: '50',
      limitBytes: '2048',
    });
    await reader.podLog('kube-system', 'etcd-cp-1', { sinceSeconds: 600, timestamps: true });
    expect(Object.fromEntries(query(since().at(-1) as RecordedRequest))).toEqual({
      sinceSeconds: '600',
      timestamps: 'true',
    });
    expect(request?.headers.accept).toMatch(/^text\/plain/);

    server.handle(() => status(400, 'previous terminated container "etcd" in pod "etcd-cp-1" not found'));
    await expect(reader.podLog('kube-system', 'etcd-cp-1', { previous: true })).rejects.toThrow(
      /HTTP 400: previous terminated container/,
    );
  });

  it('refuses a log longer than the limitBytes it asked for, when the server ignores it', async () => {
    server.handle(() => ({ body: 'E0101 00:00:00.000000       1 x.go:1] spam\n'.repeat(40_000) }));
    await expect(reader.podLog('kube-system', 'etcd-cp-1', { limitBytes: 4096 })).rejects.toThrow(
      /answered more than the 4096 bytes it asked for: refused to read on/,
    );
    // Without a limit the same answer is read whole: the cap is the request's own.
    expect(await reader.podLog('kube-system', 'etcd-cp-1')).toHaveLength(1_720_000);
    server.handle(() => ({ body: 'E0101 00:00:00.000000       1 x.go:1] short\n' }));
    expect(await reader.podLog('kube-system', 'etcd-cp-1', { limitBytes: 4096 })).toBe(
      'E0101 00:00:00.000000       1 x.go:1] short\n',
    );
  });

  it('returns raw answers whatever their status', async () => {
    server.handle(() => ({ status: 500, body: '[-]etcd failed: reason withheld\nreadyz check failed\n' }));
    expect(await reader.raw('/readyz?verbose', { accept: 'text/plain' })).toEqual({
      status: 500,
      body: '[-]etcd failed: reason withheld\nreadyz check failed\n',
      contentType: 'text/plain; charset=utf-8',
      durationMs: expect.any(Number),
    });
    expect(server.requests.at(-1)).toMatchObject({
      url: '/readyz?verbose',
      headers: expect.objectContaining({ accept: 'text/plain' }),
    });
  });

  it('still throws on a timeout in raw()', async () => {
    server.handle(() => 'hang');
    const quick = createKubeReader({ kubeconfigPath, requestTimeoutMs: 300 });
    extraReaders.push(quick);
    await expect(quick.raw('/metrics')).rejects.toBeInstanceOf(KubeTimeoutError);
  });

  it.each([
    [{ pageSize: 0 }, /pageSize must be a whole number/],
    [{ requestTimeoutMs: -1 }, /requestTimeoutMs must be a positive number/],
    [{ rateLimit: { burst: 0 } }, /rateLimit.burst/],
  ])('rejects options %j', (options, message) => {
    expect(() => createKubeReader({ kubeconfigPath, ...options })).toThrow(message);
  });
});
