import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { readPlaybookCatalog } from '../../src/playbooks/playbook-catalog.js';
import { writePlaybookCatalog } from '../../src/playbooks/write-playbook-catalog.js';

const directory = mkdtempSync(join(tmpdir(), 'quorum-catalog-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('the playbook catalog', () => {
  const playbooks = join(directory, 'playbooks');
  const catalog = join(directory, 'catalog.json');
  cpSync(join(process.cwd(), 'playbooks'), playbooks, { recursive: true });

  it('holds the validated playbooks and is read back while the files are unchanged', async () => {
    await writePlaybookCatalog(playbooks, catalog);
    const listed = readPlaybookCatalog(playbooks, catalog);
    expect(listed?.map((playbook) => playbook.id)).toEqual([
      'apiserver-latency',
      'certificates',
      'control-plane-health',
      'etcd-db-growth',
      'scheduler-pending',
    ]);
    expect(listed?.find((playbook) => playbook.id === 'etcd-db-growth')?.alerts).toContain('etcdDatabaseQuotaLowSpace');
    // Each alert wakes one playbook: the certificate alert moved from the checklist to its own.
    const owners = listed?.filter((playbook) => playbook.alerts.includes('KubeClientCertificateExpiration'));
    expect(owners?.map((playbook) => playbook.id)).toEqual(['certificates']);
    const alerts = listed?.flatMap((playbook) => playbook.alerts) ?? [];
    expect(new Set(alerts).size).toBe(alerts.length);
  });

  it('is ignored once a playbook changes, is added or the catalog is unreadable', async () => {
    await writePlaybookCatalog(playbooks, catalog);
    const file = join(playbooks, 'scheduler-pending.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('title: Pods stuck Pending', 'title: Pods stuck Pending!'));
    expect(readPlaybookCatalog(playbooks, catalog)).toBeUndefined();
    writeFileSync(file, original);
    expect(readPlaybookCatalog(playbooks, catalog)).toBeDefined();
    writeFileSync(join(playbooks, 'extra.yaml'), 'id: extra\n');
    expect(readPlaybookCatalog(playbooks, catalog)).toBeUndefined();
    rmSync(join(playbooks, 'extra.yaml'));
    writeFileSync(catalog, '{ not json');
    expect(readPlaybookCatalog(playbooks, catalog)).toBeUndefined();
    expect(readPlaybookCatalog(playbooks, join(directory, 'missing.json'))).toBeUndefined();
  });
});
