import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ServiceStartError } from '../../../src/core/errors.js';
import { startSimulator, type RunningSimulator } from '../../../src/sandbox/simulator/index.js';
import {
  apiserverTarget,
  etcdTarget,
  isProcessAlive,
  isRemoved,
  startEtcd,
  startPrometheus,
  type EtcdService,
  type PrometheusService,
} from '../../helpers/services.js';

const RULES = `groups:
  - name: quorum-test
    rules:
      - record: cluster:apiserver_request_total:sum
        expr: sum by (cluster) (apiserver_request_total)
      - alert: EtcdHasLeader
        expr: etcd_server_has_leader == 1
`;

describe('startPrometheus', () => {
  let simulator: RunningSimulator;
  let etcd: EtcdService;
  let prometheus: PrometheusService;

  beforeAll(async () => {
    [simulator, etcd] = await Promise.all([startSimulator({ scenario: 'healthy' }), startEtcd()]);
    prometheus = await startPrometheus({
      targets: [apiserverTarget(simulator, { cluster: 'a' }), etcdTarget(etcd.metricsUrl, { cluster: 'a' })],
      rules: [RULES],
    });
  });
  afterAll(async () => {
    await Promise.allSettled([prometheus?.stop(), simulator?.stop(), etcd?.stop()]);
  });

  it('scrapes the simulator over HTTPS with its token and CA, and a real etcd, with the given labels', async () => {
    await prometheus.waitForScrapes('cluster="a"', 2, { timeoutMs: 30_000 });
    const up = await prometheus.vector('up');
    expect(up.map((element) => [element.metric.job, element.metric.cluster, element.value[1]]).sort()).toEqual([
      ['apiserver', 'a', '1'],
      ['etcd', 'a', '1'],
    ]);
    expect(await prometheus.vector('apiserver_current_inflight_requests{job="apiserver",cluster="a"}')).not.toEqual([]);
    expect((await prometheus.vector('etcd_server_has_leader{job="etcd"}'))[0]?.value[1]).toBe('1');
  });

  it('evaluates the rule files it was given', async () => {
    const recorded = await prometheus.waitForData('cluster:apiserver_request_total:sum', { timeoutMs: 30_000 });
    expect(recorded[0]?.metric.cluster).toBe('a');
    const alerts = await prometheus.waitForData('ALERTS{alertname="EtcdHasLeader"}', { timeoutMs: 30_000 });
    expect(alerts[0]?.metric.alertstate).toBe('firing');
  });

  it('keeps the targets\u2019 secrets in private files, not in the config', () => {
    const config = readFileSync(prometheus.configPath, 'utf8');
    expect(config).not.toContain(simulator.token);
    expect(config).toContain('credentials_file:');
    expect(config).toContain('ca_file:');
    const tokenFile = /credentials_file: (\S+)/.exec(config)?.[1] ?? '';
    expect(readFileSync(tokenFile, 'utf8')).toBe(simulator.token);
    expect(statSync(tokenFile).mode & 0o077).toBe(0);
  });

  it('names each target\u2019s scrape error when the scrapes do not come', async () => {
    await expect(prometheus.waitForScrapes('cluster="nowhere"', 1, { timeoutMs: 300 })).rejects.toThrow(
      /timed out after 300 ms waiting for 1 successful scrapes of every target matching up\{cluster="nowhere"\}/,
    );
  });
});

describe('startPrometheus lifecycle', () => {
  it('stop() kills Prometheus and removes its TSDB, config and secrets', async () => {
    const prometheus = await startPrometheus();
    try {
      expect(prometheus.url).toBe(`http://127.0.0.1:${prometheus.port}`);
      expect(isProcessAlive(prometheus.pid)).toBe(true);
      await prometheus.waitForData('vector(1)');
    } finally {
      await prometheus.stop();
    }
    expect(isProcessAlive(prometheus.pid)).toBe(false);
    expect(isRemoved(prometheus.dataDir)).toBe(true);
    await prometheus.stop();
  });

  it('fails to start with Prometheus\u2019 own complaint about a bad rule file, leaving nothing behind', async () => {
    const ours = () => readdirSync(tmpdir()).filter((name) => name.startsWith(`quorum-svc-prometheus-${process.pid}-`));
    const before = ours();
    const attempt = startPrometheus({
      rules: ['groups:\n  - name: broken\n    rules:\n      - record: x\n        expr: sum(\n'],
    });
    await expect(attempt).rejects.toThrow(ServiceStartError);
    await expect(attempt).rejects.toThrow(
      /prometheus .*exited with code 1[\s\S]*Last output of prometheus[\s\S]*rules-0\.yml/,
    );
    expect(ours()).toEqual(before);
  });
});
