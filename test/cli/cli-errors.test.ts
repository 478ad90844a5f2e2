import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { findFreePort } from '../../src/sandbox/services/index.js';
import { runCli } from './run-cli.js';

describe('quorum CLI', () => {
  let directory: string;
  let kubeconfig: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'quorum-cli-'));
    kubeconfig = join(directory, 'kubeconfig');
    const port = await findFreePort();
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{ name: c, cluster: { server: "http://127.0.0.1:' + port + '" } }]',
        'users: [{ name: u, user: {} }]',
        'contexts: [{ name: ctx, context: { cluster: c, user: u } }]',
        'current-context: ctx',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('lists playbooks as JSON with id, title and alerts', async () => {
    const result = await runCli(['playbooks', '--format', 'json']);
    expect(result.code).toBe(0);
    const playbooks = JSON.parse(result.stdout) as Array<{ id: string; title: string; alerts: string[] }>;
    expect(playbooks.map((playbook) => playbook.id)).toEqual(
      expect.arrayContaining(['control-plane-health', 'etcd-db-growth']),
    );
    for (const playbook of playbooks) {
      expect(playbook.title).toEqual(expect.any(String));
      expect(playbook.alerts.length).toBeGreaterThan(0);
    }
  });

  it('names the available playbooks for an unknown one, with exit code 3', async () => {
    const result = await runCli(['diagnose', 'etcd', '--kubeconfig', kubeconfig]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Unknown playbook "etcd"');
    expect(result.stderr).toContain(
      'apiserver-latency, certificates, control-plane-health, etcd-db-growth, scheduler-pending',
    );
  });

  it('says which kubeconfig it cannot read, with exit code 3', async () => {
    const missing = join(directory, 'nope', 'config');
    const result = await runCli(['diagnose', 'control-plane-health', '--kubeconfig', missing]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(missing);
  });

  it('stops with exit code 3 when no etcd endpoint answers', async () => {
    const port = await findFreePort();
    const result = await runCli([
      'diagnose',
      'etcd-db-growth',
      '--kubeconfig',
      kubeconfig,
      '--etcd-endpoints',
      `http://127.0.0.1:${port}`,
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`Cannot reach etcd at http://127.0.0.1:${port}`);
    // The setting by its config path, and the flag that sets it on the command line.
    expect(result.stderr).toContain('clusters.default.etcd.endpoints (--etcd-endpoints)');
  });

  it('picks a cluster of the config file by name, and names the configured ones for an unknown name', async () => {
    const file = join(directory, 'quorum.yaml');
    await writeFile(
      file,
      [
        'clusters:',
        `  prod-eu: { kube: { kubeconfig: ${kubeconfig} } }`,
        `  prod-us: { kube: { kubeconfig: ${kubeconfig} } }`,
        'defaultCluster: prod-eu',
      ].join('\n'),
    );
    const unknown = await runCli(['diagnose', 'control-plane-health', '--config', file, '--cluster', 'prod-ue']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('Unknown cluster "prod-ue". Did you mean "prod-eu" or "prod-us"?');
    expect(unknown.stderr).toContain('Configured clusters: prod-eu, prod-us.');
  });

  it('rejects an unknown key in the config file with its path', async () => {
    const file = join(directory, 'typo.yaml');
    await writeFile(file, `clusters:\n  lab: { kube: { kubeconfig: ${kubeconfig}, contxt: admin } }\n`);
    const result = await runCli(['diagnose', 'control-plane-health', '--config', file]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/clusters\.lab\.kube: Unrecognized key: "contxt"/);
  });

  it('names the file and the path of an invalid playbook, with exit code 3', async () => {
    const playbooks = join(directory, 'playbooks');
    await rm(playbooks, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(playbooks));
    await writeFile(
      join(playbooks, 'broken.yaml'),
      'id: broken\ntitle: Broken\ndescription: d\nchecks:\n  - check: etcd.space\n    args:\n      warnRatio: high\n',
    );
    const result = await runCli(['diagnose', 'broken', '--kubeconfig', kubeconfig, '--playbooks-dir', playbooks]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(join(playbooks, 'broken.yaml'));
    expect(result.stderr).toContain('checks[0].args.warnRatio');
  });

  it.each([
    { args: ['diagnose', 'etcd-db-growth', '--etcd-quota-bytes', 'lots'], says: 'expected a positive whole number' },
    {
      args: ['diagnose', 'etcd-db-growth', '--format', 'yaml'],
      says: 'Allowed choices are text, markdown, json, blocks',
    },
    { args: ['diagnose'], says: "missing required argument 'playbook'" },
    {
      args: ['diagnose', 'etcd-db-growth', '--param', 'windowSeconds=soon'],
      says: 'Parameter windowSeconds must be a number',
    },
    {
      args: ['diagnose', 'etcd-db-growth', '--param', 'windowSeconds=700'],
      says: 'etcd.revision-growth: windowSeconds: Too big',
    },
  ])('rejects bad arguments ($says) with exit code 3', async ({ args, says }) => {
    const result = await runCli(args.includes('--param') ? [...args, '--kubeconfig', kubeconfig] : args);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(says);
  });
});
