import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createCheckRegistry } from '../../src/checks/all-checks.js';
import { InvalidPlaybookError, UnknownPlaybookError } from '../../src/core/errors.js';
import { findPlaybook, loadPlaybooks, parsePlaybook } from '../../src/playbooks/load-playbooks.js';

const registry = createCheckRegistry();

describe('loadPlaybooks', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'quorum-playbooks-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('loads the shipped playbooks', async () => {
    const playbooks = await loadPlaybooks(join(process.cwd(), 'playbooks'), registry);
    expect([...playbooks.keys()]).toEqual(expect.arrayContaining(['control-plane-health', 'etcd-db-growth']));
    expect(playbooks.get('etcd-db-growth')?.alerts).toContain('etcdDatabaseQuotaLowSpace');
  });

  it.each([
    { name: 'broken YAML', text: 'id: x\ntitle: [unclosed', problem: /YAML:/ },
    { name: 'a missing field', text: 'id: x\ntitle: X\ndescription: d\n', problem: /checks: / },
    {
      name: 'an unknown check',
      text: 'id: x\ntitle: X\ndescription: d\nchecks:\n  - check: etcd.nope\n',
      problem: /checks\[0\]\.check: unknown check "etcd\.nope"/,
    },
    {
      name: 'a bad argument',
      text: 'id: x\ntitle: X\ndescription: d\nchecks:\n  - check: etcd.space\n  - check: etcd.space\n    args:\n      warnRatio: 7\n',
      problem: /checks\[1\]\.args\.warnRatio: /,
    },
    {
      name: 'an unknown field',
      text: 'id: x\ntitle: X\ndescription: d\nchekcs: []\nchecks:\n  - check: etcd.alarms\n',
      problem: /chekcs/,
    },
    {
      name: 'an undeclared parameter',
      text: 'id: x\ntitle: X\ndescription: d\nchecks:\n  - check: leases.leader\n    args:\n      namespace: ${ns}\n',
      problem: /checks\[0\]\.args: \$\{ns\} is not a declared parameter/,
    },
  ])('names the file and the path for $name', async ({ text, problem }) => {
    const file = join(directory, 'x.yaml');
    await writeFile(file, text);
    const error = await loadPlaybooks(directory, registry).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidPlaybookError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(problem);
  });

  it('requires the id to match the file name', () => {
    expect(() =>
      parsePlaybook('/p/a.yaml', 'id: b\ntitle: B\ndescription: d\nchecks:\n  - check: etcd.alarms\n', registry),
    ).toThrow(/id: "b" must match the file name "a"/);
  });

  it('lists the known playbooks for an unknown one', async () => {
    const playbooks = await loadPlaybooks(join(process.cwd(), 'playbooks'), registry);
    expect(() => findPlaybook(playbooks, 'etcd')).toThrow(UnknownPlaybookError);
    expect(() => findPlaybook(playbooks, 'etcd')).toThrow(
      /Available playbooks: apiserver-latency, certificates, control-plane-health, etcd-db-growth, scheduler-pending/,
    );
  });
});
