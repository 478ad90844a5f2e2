import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ReadOnlyViolationError } from '../../src/core/errors.js';
import { createKubeReader, type ClosableKubeReader } from '../../src/cluster/create-kube-reader.js';
import { connectCluster } from '../../src/cluster/kube-adapter.js';
import { RateLimiter } from '../../src/cluster/rate-limiter.js';
import { createReadOnlyTransport, type ReadOnlyTransport } from '../../src/cluster/read-only-transport.js';
import { list, startFixtureServer, type FixtureServer } from './support/fixture-server.js';
import { writeKubeconfig } from './support/kubeconfig.js';
import { createTestPki, type TestPki } from './support/test-pki.js';

const WRITE_METHODS = [
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'post',
  'put',
  'patch',
  'delete',
  'Post',
  'pAtCh',
  'Delete',
  'get',
  'Get',
  'head',
  ' GET',
  'GET ',
  'GET\r\n',
  'GET\u0000',
  'GET /x HTTP/1.1\r\nX-Evil: 1',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'MKCOL',
  '',
];

const STREAM_OR_ESCAPE_PATHS = [
  '/api/v1/namespaces/kube-system/pods/etcd-cp-1/exec?command=sh&stdin=true',
  '/api/v1/namespaces/kube-system/pods/etcd-cp-1/attach',
  '/api/v1/namespaces/kube-system/pods/etcd-cp-1/portforward?ports=2379',
  '/api/v1/namespaces/kube-system/pods/etcd-cp-1/proxy/metrics',
  '/api/v1/nodes/cp-1/proxy/run/kube-system/etcd-cp-1/etcd',
  '/api/v1/namespaces/default/services/https:kubernetes:443/proxy/',
  '/api/v1/proxy/nodes/cp-1/',
  '/api/v1/watch/namespaces/kube-system/pods/etcd-cp-1/exec',
  '/apis/example.com/v1/namespaces/ns/widgets/w/proxy',
  '/api/v1/namespaces/kube-system/pods/etcd-cp-1/%65xec',
  '/api/v1/namespaces/kube-system/pods/etcd-cp-1/EXEC',
  '/api/v1/namespaces/kube-system/pods/x/../etcd-cp-1/exec',
  '/api/v1/namespaces/kube-system/pods/x/%2e%2e/etcd-cp-1/exec',
  '/api/v1/namespaces/kube-system/pods/etcd-cp-1%2Fexec',
  '/api/v1/namespaces/kube-system/pods/%zz',
  'https://elsewhere.example/api/v1/pods',
  '//elsewhere.example/api/v1/pods',
  'api/v1/pods',
  '/api/v1/pods with space',
  '/api/v1/pods#fragment',
];

describe('read-only transport: refused requests never leave the process', () => {
  let pki: TestPki;
  let server: FixtureServer;
  let transport: ReadOnlyTransport;
  let reader: ClosableKubeReader;
  const requestOptions = jest.fn<() => Promise<never>>();

  beforeAll(async () => {
    pki = createTestPki();
    server = await startFixtureServer(pki, () => list([]));
    const kubeconfigPath = writeKubeconfig(pki.dir, [
      { name: 'guarded', server: server.url, caPath: pki.caPath, token: 't0ken' },
    ]);
    const connection = connectCluster({ kubeconfigPath }, 2);
    // Count any attempt to fetch credentials: a refusal must come before them, too.
    requestOptions.mockImplementation(() => connection.requestOptions() as Promise<never>);
    transport = createReadOnlyTransport({ connection: { ...connection, requestOptions }, limiter: new RateLimiter() });
    reader = createKubeReader({ kubeconfigPath });
  });

  afterAll(async () => {
    // The whole point: across every case below, the server saw not one connection.
    expect(server.requests).toEqual([]);
    expect(server.connections).toBe(0);
    transport.close();
    reader.close();
    await server.close();
    pki.remove();
  });

  it.each(WRITE_METHODS)('refuses method %j with ReadOnlyViolationError and sends nothing', async (method) => {
    await expect(transport.send(method, '/api/v1/namespaces/kube-system/pods')).rejects.toBeInstanceOf(
      ReadOnlyViolationError,
    );
    expect(requestOptions).not.toHaveBeenCalled();
    expect(server.requests).toHaveLength(0);
    expect(server.connections).toBe(0);
  });

  it.each(STREAM_OR_ESCAPE_PATHS)('refuses GET %s and sends nothing', async (path) => {
    await expect(transport.send('GET', path)).rejects.toBeInstanceOf(ReadOnlyViolationError);
    await expect(reader.raw(path)).rejects.toBeInstanceOf(ReadOnlyViolationError);
    expect(requestOptions).not.toHaveBeenCalled();
    expect(server.requests).toHaveLength(0);
    expect(server.connections).toBe(0);
  });

  it.each([
    '/api/v1/secrets',
    '/api/v1/namespaces/kube-system/configmaps/kubeadm-config',
    '/logs/kube-apiserver.log',
    '/metricsx',
  ])('lets raw() read only health, metrics and version, refusing GET %s before sending', async (path) => {
    await expect(reader.raw(path)).rejects.toBeInstanceOf(ReadOnlyViolationError);
    expect(server.requests).toHaveLength(0);
    expect(server.connections).toBe(0);
  });

  it('says what was refused and why', async () => {
    await expect(transport.send('DELETE', '/api/v1/namespaces/kube-system/pods/etcd-cp-1')).rejects.toThrow(
      'Refused DELETE /api/v1/namespaces/kube-system/pods/etcd-cp-1',
    );
    await expect(transport.send('GET', '/api/v1/namespaces/kube-system/pods/etcd-cp-1/exec')).rejects.toThrow(
      /exec subresource opens a stream/,
    );
    await expect(transport.send('GET', '/api/v1/namespaces/kube-system/pods/etcd-cp-1/exec')).rejects.toMatchObject({
      code: 'quorum_read_only_violation',
      retryable: false,
    });
  });
});

describe('read-only transport: reads go through', () => {
  let pki: TestPki;
  let server: FixtureServer;
  let transport: ReadOnlyTransport;

  beforeAll(async () => {
    pki = createTestPki();
    server = await startFixtureServer(pki, () => list([]));
    const kubeconfigPath = writeKubeconfig(pki.dir, [
      { name: 'reads', server: server.url, caPath: pki.caPath, token: 't0ken' },
    ]);
    transport = createReadOnlyTransport({
      connection: connectCluster({ kubeconfigPath }, 2),
      limiter: new RateLimiter(),
    });
  });

  afterAll(async () => {
    transport.close();
    await server.close();
    pki.remove();
  });

  it.each([
    ['GET', '/api/v1/namespaces/kube-system/pods/etcd-cp-1/log?tailLines=20'],
    ['GET', '/api/v1/namespaces/exec/pods/proxy'],
    ['GET', '/api/v1/namespaces/proxy'],
    ['GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/attach'],
    ['GET', '/api/v1/namespaces/kube-system/status'],
    ['GET', '/livez?verbose'],
    ['GET', '/metrics'],
    ['HEAD', '/readyz'],
  ])('sends %s %s', async (method, path) => {
    const before = server.requests.length;
    const response = await transport.send(method, path);
    expect(response.status).toBe(200);
    expect(server.requests.slice(before)).toEqual([expect.objectContaining({ method, url: path })]);
  });
});
