import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.js';
import { resolveCluster } from '../../src/config/resolve-cluster.js';
import { ConfigError, UnknownClusterError } from '../../src/core/errors.js';

const directory = mkdtempSync(join(tmpdir(), 'quorum-load-config-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
function file(text: string): string {
  const path = join(directory, `quorum-${(files += 1)}.yaml`);
  writeFileSync(path, text);
  return path;
}

const TWO_CLUSTERS = [
  'clusters:',
  '  prod-eu:',
  '    kube: { kubeconfig: /etc/quorum/prod-eu.kubeconfig, context: admin@prod-eu }',
  '    etcd: { endpoints: [https://10.0.0.1:2379], quotaBytes: 8589934592 }',
  '    prometheus: { url: "http://prometheus.monitoring:9090", selector: \'cluster="prod-eu"\' }',
  '  prod-us:',
  '    kube: { inCluster: true, rateLimit: { maxConcurrent: 2 } }',
  'defaultCluster: prod-eu',
].join('\n');

describe('loadConfig', () => {
  it('reads named clusters with their defaults filled in', () => {
    const config = loadConfig({ env: {}, file: file(TWO_CLUSTERS) });
    expect(Object.keys(config.clusters)).toEqual(['prod-eu', 'prod-us']);
    expect(config.defaultCluster).toBe('prod-eu');
    expect(config.clusters['prod-eu']).toMatchObject({
      kube: { kubeconfig: '/etc/quorum/prod-eu.kubeconfig', context: 'admin@prod-eu', requestTimeoutMs: 10_000 },
      etcd: { endpoints: ['https://10.0.0.1:2379'], quotaBytes: 8589934592, requestTimeoutMs: 5_000 },
      prometheus: { url: 'http://prometheus.monitoring:9090', selector: 'cluster="prod-eu"', rangeSeconds: 300 },
    });
    expect(config.clusters['prod-us']?.kube.rateLimit).toEqual({ requestsPerSecond: 50, burst: 100, maxConcurrent: 2 });
  });

  it('lets the single-cluster flags define a cluster named "default" when the config has none', () => {
    const config = loadConfig({
      env: { QUORUM_ETCD_ENDPOINTS: 'https://10.0.0.5:2379, https://10.0.0.6:2379' },
      cluster: { settings: { kube: { kubeconfig: '/root/.kube/config' } } },
    });
    expect(config.defaultCluster).toBe('default');
    expect(config.clusters.default?.kube.kubeconfig).toBe('/root/.kube/config');
    expect(config.clusters.default?.etcd.endpoints).toEqual(['https://10.0.0.5:2379', 'https://10.0.0.6:2379']);
  });

  it('reads the default kubeconfig for an implicit cluster when nothing is configured at all', () => {
    const config = loadConfig({ env: {} });
    expect(resolveCluster(config)).toMatchObject({ name: 'default', settings: { kube: { inCluster: false } } });
    expect(config.clusters.default?.kube.kubeconfig).toBeUndefined();
  });

  it('lays the flags over the chosen cluster of the file, and over the default one without --cluster', () => {
    const path = file(TWO_CLUSTERS);
    const amended = loadConfig({ env: {}, file: path, cluster: { settings: { etcd: { quotaBytes: 1024 } } } });
    expect(amended.clusters['prod-eu']?.etcd).toMatchObject({ endpoints: ['https://10.0.0.1:2379'], quotaBytes: 1024 });
    const chosen = loadConfig({
      env: {},
      file: path,
      cluster: { name: 'prod-us', settings: { kube: { context: 'ops' } } },
    });
    expect(chosen.clusters['prod-us']?.kube).toMatchObject({ inCluster: true, context: 'ops' });
    expect(chosen.clusters['prod-eu']?.kube.context).toBe('admin@prod-eu');
  });

  it.each([
    ['an unknown top-level key', 'cluster:\n  a: {}\n', '(root): Unrecognized key: "cluster"'],
    ['an unknown cluster key', 'clusters:\n  a: { kube: {}, etc: {} }\n', 'clusters.a: Unrecognized key: "etc"'],
    [
      'an unknown key in a section',
      'clusters:\n  a: { etcd: { endpoint: [https://10.0.0.1:2379] } }\n',
      'clusters.a.etcd: Unrecognized key: "endpoint"',
    ],
    ['a bad cluster name', 'clusters:\n  Prod_EU: {}\n', 'clusters.Prod_EU: a cluster name uses lower-case letters'],
    ['a default that is not configured', 'clusters:\n  a: {}\ndefaultCluster: b\n', 'defaultCluster: names no cluster'],
    [
      'a bad endpoint',
      'clusters:\n  a: { etcd: { endpoints: [10.0.0.1] } }\n',
      'clusters.a.etcd.endpoints[0]: an etcd endpoint looks like https://10.0.0.1:2379',
    ],
  ])('refuses %s, naming its path', (_, text, problem) => {
    const attempt = () => loadConfig({ env: {}, file: file(text) });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(problem);
  });

  it('says which file it cannot read or parse', () => {
    expect(() => loadConfig({ env: {}, file: join(directory, 'missing.yaml') })).toThrow(/Cannot read the config file/);
    expect(() => loadConfig({ env: {}, file: file('clusters: [a\n') })).toThrow(/is not valid YAML/);
    expect(() => loadConfig({ env: {}, file: file('- a\n- b\n') })).toThrow(/must be a YAML mapping/);
  });
});

describe('resolveCluster', () => {
  it('picks the named cluster, else the default, else the only one', () => {
    const config = loadConfig({ env: {}, file: file(TWO_CLUSTERS) });
    expect(resolveCluster(config, 'prod-us').name).toBe('prod-us');
    expect(resolveCluster(config).name).toBe('prod-eu');
    const single = loadConfig({ env: {}, file: file('clusters:\n  lab: {}\n') });
    expect(resolveCluster(single).name).toBe('lab');
  });

  it('asks for a name when several clusters are configured and none is the default', () => {
    const config = loadConfig({ env: {}, file: file('clusters:\n  a: {}\n  b: {}\n') });
    expect(() => resolveCluster(config)).toThrow(UnknownClusterError);
    expect(() => resolveCluster(config)).toThrow('No cluster was named and the config has no defaultCluster.');
  });
});
