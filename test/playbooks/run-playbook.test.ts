import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { defineCheck, type CheckDefinition } from '../../src/checks/check.js';
import { CheckRegistry } from '../../src/checks/registry.js';
import { PlaybookSchema } from '../../src/playbooks/playbook-schema.js';
import { runPlaybook, type RunProgress } from '../../src/playbooks/run-playbook.js';
import { setTimeout as delay } from 'node:timers/promises';
import { FakeKubeReader } from '../checks/fake-readers.js';
import type { EtcdBasis } from '../../src/findings/finding.js';

const basis: EtcdBasis = {
  runId: 'r-test-1',
  cluster: 'test',
  etcdClusterId: 'c1',
  leaderId: 'a1',
  revision: '10',
  quotaBytes: 100,
  observedAt: new Date(0).toISOString(),
  members: [
    {
      id: 'a1',
      name: 'etcd-1',
      endpoint: 'http://10.0.0.1:2379',
      role: 'leader',
      dbSizeBytes: 95,
      dbSizeInUseBytes: 10,
      revision: '10',
      raftIndex: 5,
    },
  ],
  alarms: [{ memberId: 'a1', alarm: 'NOSPACE' }],
};

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
          { action: 'etcd.compact', summary: 'compact', revision: '10', basis },
          {
            action: 'etcd.disarm',
            summary: 'disarm',
            alarms: [{ memberId: 'a1', alarm: 'NOSPACE' }],
            condition: { description: 'x', maxDbSizeRatio: 0.9, quotaBytes: 100, belowBytes: 90 },
            basis,
          },
        ],
      },
    ];
  },
});
/** Never settles and never looks at its signal: only the runner's deadline and bound readers can stop it. */
const ignoring = defineCheck({
  id: 'test.ignoring',
  description: 'the stubborn thing',
  needs: ['kube'],
  args: z.object({}),
  run: () => new Promise(() => undefined),
});
/** Two checks share one slow piece of work; the first one gives up early. */
function sharing(id: string) {
  return defineCheck({
    id,
    description: id,
    needs: ['kube'],
    args: z.object({}),
    async run(context) {
      const value = await context.once('shared', async (scope) => {
        await scope.sleep(300, scope.signal);
        return scope.signal.aborted ? 'aborted' : 'done';
      });
      return [{ check: id, severity: 'ok', title: value, summary: '', evidence: [] }];
    },
  });
}
const needsEtcd = defineCheck({
  id: 'test.etcd',
  description: 'etcd',
  needs: ['etcd'],
  args: z.object({}),
  run: async () => [],
});
const registry = new CheckRegistry([
  fine,
  broken,
  hanging,
  proposing,
  needsEtcd,
  ignoring,
  sharing('test.share-a'),
  sharing('test.share-b'),
] as CheckDefinition[]);
const RUN = { run: { runId: 'r-test-1', cluster: 'test' } };
const realSleep = (ms: number, signal: AbortSignal) => delay(ms, undefined, { signal });

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
      { ...RUN, onProgress: (event) => progress.push(event) },
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
      { kube: new FakeKubeReader() },
      RUN,
    );
    expect(report.findings[0]?.proposals?.map((proposal) => proposal.action)).toEqual(['etcd.compact']);
  });

  it('drops proposals entirely when the playbook allows none', async () => {
    const report = await runPlaybook(
      playbook([{ check: 'test.proposing' }]),
      registry,
      { kube: new FakeKubeReader() },
      RUN,
    );
    expect(report.findings[0]).not.toHaveProperty('proposals');
  });

  it('resolves parameters into args, with operator values over defaults', async () => {
    const book = playbook([{ check: 'test.fine', args: { label: '${label}' } }], {
      parameters: [{ name: 'label', description: 'l', type: 'string', default: 'from-default' }],
    });
    const kube = new FakeKubeReader();
    expect((await runPlaybook(book, registry, { kube }, RUN)).findings[0]?.title).toBe('from-default');
    expect(
      (await runPlaybook(book, registry, { kube }, { ...RUN, params: { label: 'from-operator' } })).findings[0]?.title,
    ).toBe('from-operator');
  });

  it('skips etcd checks with a clear note when no etcd endpoints were given', async () => {
    const report = await runPlaybook(playbook([{ check: 'test.etcd' }]), registry, { kube: new FakeKubeReader() }, RUN);
    expect(report.findings[0]).toMatchObject({ severity: 'info', title: 'Skipped: etcd' });
    expect(report.findings[0]?.recommendation).toContain('clusters.test.etcd.endpoints');
  });

  it('ends a check that ignores its signal at its deadline', async () => {
    const began = performance.now();
    const report = await runPlaybook(
      playbook([{ check: 'test.ignoring', timeoutSeconds: 0.2 }, { check: 'test.fine' }]),
      registry,
      { kube: new FakeKubeReader() },
      RUN,
    );
    expect(performance.now() - began).toBeLessThan(5_000);
    expect(report.findings.map((finding) => finding.title)).toEqual(['Could not check the stubborn thing', 'fine']);
  });

  it('stops every check and rejects with the reason when the run is cancelled', async () => {
    const controller = new AbortController();
    const running = runPlaybook(
      playbook([{ check: 'test.ignoring' }, { check: 'test.hanging' }]),
      registry,
      { kube: new FakeKubeReader() },
      { ...RUN, signal: controller.signal },
    );
    controller.abort(new Error('cancelled by U123'));
    await expect(running).rejects.toThrow('cancelled by U123');
  });

  it('runs shared work under the run, so a check that gives up does not cancel it for the others', async () => {
    const report = await runPlaybook(
      playbook([
        { check: 'test.share-a', timeoutSeconds: 0.05 },
        { check: 'test.share-b', timeoutSeconds: 5 },
      ]),
      registry,
      { kube: new FakeKubeReader() },
      { ...RUN, sleep: realSleep },
    );
    const titles = Object.fromEntries(report.findings.map((finding) => [finding.check, finding.title]));
    expect(titles['test.share-a']).toBe('Could not check test.share-a');
    expect(titles['test.share-b']).toBe('done');
  });

  it('returns every parameter as the run used it, defaults filled in', async () => {
    const book = playbook([{ check: 'test.fine' }], {
      parameters: [
        { name: 'label', description: 'l', type: 'string', default: 'from-default' },
        { name: 'count', description: 'c', type: 'number', default: 3 },
      ],
    });
    const result = await runPlaybook(book, registry, { kube: new FakeKubeReader() }, { ...RUN, params: { count: 5 } });
    expect(result.params).toEqual({ label: 'from-default', count: 5 });
  });
});
