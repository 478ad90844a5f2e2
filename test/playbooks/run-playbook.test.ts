import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { defineCheck, type CheckDefinition } from '../../src/checks/check.js';
import { CheckRegistry } from '../../src/checks/registry.js';
import { PlaybookSchema } from '../../src/playbooks/playbook-schema.js';
import { runPlaybook, type RunProgress } from '../../src/playbooks/run-playbook.js';
import { FakeKubeReader } from '../checks/fake-readers.js';

const fine = defineCheck({
  id: 'test.fine',
  description: 'something fine',
  needs: ['kube'],
  args: z.object({ label: z.string().default('fine') }),
  async run(_context, args) {
    return [{ check: 'test.fine', severity: 'ok', title: args.label, summary: '', evidence: [] }];
  },
});
const broken = defineCheck({
  id: 'test.broken',
  description: 'the broken thing',
  needs: ['kube'],
  args: z.object({}),
  async run() {
    throw new Error('HTTP 403: forbidden');
  },
});
const hanging = defineCheck({
  id: 'test.hanging',
  description: 'the slow thing',
  needs: ['kube'],
  args: z.object({}),
  run: (context) =>
    new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(new Error('aborted')))),
});
const proposing = defineCheck({
  id: 'test.proposing',
  description: 'a proposer',
  needs: ['kube'],
  args: z.object({}),
  async run() {
    return [
      {
        check: 'test.proposing',
        severity: 'warning',
        title: 'proposes',
        summary: '',
        evidence: [],
        proposals: [
          { action: 'etcd.compact', summary: 'compact', revision: '10' },
          { action: 'etcd.disarm', summary: 'disarm', alarms: [{ memberId: 'a1', alarm: 'NOSPACE' }], condition: 'x' },
        ],
      },
    ];
  },
});
const needsEtcd = defineCheck({
  id: 'test.etcd',
  description: 'etcd',
  needs: ['etcd'],
  args: z.object({}),
  run: async () => [],
});
const registry = new CheckRegistry([fine, broken, hanging, proposing, needsEtcd] as CheckDefinition[]);

function playbook(checks: unknown[], extra: Record<string, unknown> = {}) {
  return PlaybookSchema.parse({ id: 'test', title: 'Test', description: 'd', checks, ...extra });
}

describe('runPlaybook', () => {
  it('turns a failing and a timed-out check into "could not check" findings and still runs the rest', async () => {
    const progress: RunProgress[] = [];
    const report = await runPlaybook(
      playbook([{ check: 'test.fine' }, { check: 'test.broken' }, { check: 'test.hanging', timeoutSeconds: 0.2 }]),
      registry,
      { kube: new FakeKubeReader() },
      { onProgress: (event) => progress.push(event) },
    );
    expect(report.findings.map((finding) => finding.title)).toEqual([
      'Could not check the broken thing',
      'Could not check the slow thing',
      'fine',
    ]);
    expect(report.findings[0]?.summary).toBe('HTTP 403: forbidden');
    expect(report.findings[1]?.summary).toMatch(/^did not finish within/);
    expect(
      progress
        .filter((event) => event.kind === 'finished' && event.failed)
        .map((event) => event.check)
        .sort(),
    ).toEqual(['test.broken', 'test.hanging']);
  });

  it('keeps only the proposals the playbook allows', async () => {
    const report = await runPlaybook(
      playbook([{ check: 'test.proposing' }], { remediations: ['etcd.compact'] }),
      registry,
      {
        kube: new FakeKubeReader(),
      },
    );
    expect(report.findings[0]?.proposals?.map((proposal) => proposal.action)).toEqual(['etcd.compact']);
  });

  it('drops proposals entirely when the playbook allows none', async () => {
    const report = await runPlaybook(playbook([{ check: 'test.proposing' }]), registry, { kube: new FakeKubeReader() });
    expect(report.findings[0]).not.toHaveProperty('proposals');
  });

  it('resolves parameters into args, with operator values over defaults', async () => {
    const book = playbook([{ check: 'test.fine', args: { label: '${label}' } }], {
      parameters: [{ name: 'label', description: 'l', type: 'string', default: 'from-default' }],
    });
    const kube = new FakeKubeReader();
    expect((await runPlaybook(book, registry, { kube })).findings[0]?.title).toBe('from-default');
    expect(
      (await runPlaybook(book, registry, { kube }, { params: { label: 'from-operator' } })).findings[0]?.title,
    ).toBe('from-operator');
  });

  it('skips etcd checks with a clear note when no etcd endpoints were given', async () => {
    const report = await runPlaybook(playbook([{ check: 'test.etcd' }]), registry, { kube: new FakeKubeReader() });
    expect(report.findings[0]).toMatchObject({ severity: 'info', title: 'Skipped: etcd' });
    expect(report.findings[0]?.recommendation).toContain('--etcd-endpoints');
  });
});
