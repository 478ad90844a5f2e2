import { describe, expect, it } from '@jest/globals';
import {
  HELP_TEXT,
  PLAYBOOK_ALIASES,
  parseQuorumCommand,
  playbookFor,
  type QuorumCommand,
} from '../../src/slack/quorum-command.js';

describe('parseQuorumCommand: what /quorum … asks for', () => {
  it.each<[string, QuorumCommand]>([
    ['', { kind: 'help' }],
    ['   ', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['HELP', { kind: 'help' }],
    ['-h', { kind: 'help' }],
    ['--help', { kind: 'help' }],
    ['playbooks', { kind: 'playbooks' }],
    ['Playbooks', { kind: 'playbooks' }],
    ['clusters', { kind: 'clusters' }],
    ['status', { kind: 'status' }],
    ['status r-lz2k9x1c-3f9a1b7e', { kind: 'status', runId: 'r-lz2k9x1c-3f9a1b7e' }],
    ['history', { kind: 'history' }],
    ['history cluster=prod-eu', { kind: 'history', cluster: 'prod-eu' }],
    ['cancel r-lz2k9x1c-3f9a1b7e', { kind: 'cancel', runId: 'r-lz2k9x1c-3f9a1b7e' }],
    ['diagnose etcd', { kind: 'diagnose', playbook: 'etcd', params: {} }],
    ['diagnose etcd cluster=prod-eu', { kind: 'diagnose', playbook: 'etcd', cluster: 'prod-eu', params: {} }],
    [
      'diagnose latency cluster=prod-eu windowSeconds=30',
      { kind: 'diagnose', playbook: 'latency', cluster: 'prod-eu', params: { windowSeconds: '30' } },
    ],
    // Parameter values keep their case and may hold "=": only the first one separates name from value.
    ['diagnose health selector=a=b', { kind: 'diagnose', playbook: 'health', params: { selector: 'a=b' } }],
    ['run pending', { kind: 'diagnose', playbook: 'pending', params: {} }],
    ['Diagnose ETCD', { kind: 'diagnose', playbook: 'etcd', params: {} }],
    ['  diagnose\tetcd   cluster=prod-eu ', { kind: 'diagnose', playbook: 'etcd', cluster: 'prod-eu', params: {} }],
    // What people type first: a playbook or alias without "diagnose".
    ['etcd cluster=prod-eu', { kind: 'diagnose', playbook: 'etcd', cluster: 'prod-eu', params: {} }],
    ['control-plane-health', { kind: 'diagnose', playbook: 'control-plane-health', params: {} }],
    // Slack keeps quotes, and some clients turn them into smart quotes.
    ['diagnose etcd cluster="prod-eu"', { kind: 'diagnose', playbook: 'etcd', cluster: 'prod-eu', params: {} }],
    ['diagnose etcd cluster=“prod-eu”', { kind: 'diagnose', playbook: 'etcd', cluster: 'prod-eu', params: {} }],
  ])('reads `/quorum %s`', (text, command) => {
    expect(parseQuorumCommand(text)).toEqual({ ok: true, command });
  });

  it.each<[string, RegExp]>([
    ['diagnose', /Which playbook\? Type `\/quorum diagnose etcd cluster=prod-eu`; `\/quorum playbooks` lists them/],
    ['diagnose cluster=prod-eu', /Which playbook\?/],
    ['diagnose etcd prod-eu', /`prod-eu` is not name=value: parameters look like `cluster=prod-eu`/],
    ['diagnose etcd =30', /`=30` is not name=value/],
    ['diagnose etcd cluster=', /`cluster=` needs a value, e\.g\. `cluster=prod-eu`/],
    ['diagnose latency windowSeconds=', /`windowSeconds=` needs a value, e\.g\. `windowSeconds=30`/],
    ['diagnose etcd cluster=prod-eu cluster=prod-us', /`cluster` is given twice: give it once/],
    ['diagnose latency windowSeconds=5 windowSeconds=9', /`windowSeconds` is given twice/],
    ['status 12345', /`12345` is not a run id: they look like `r-lz2k9x1c-3f9a1b7e`/],
    ['status r-1:2', /`r-1:2` is not a run id/],
    ['status r-abc r-def', /`r-def` is one word too many: type `\/quorum status` or `\/quorum status r-/],
    ['history prod-eu', /Type `\/quorum history` or `\/quorum history cluster=prod-eu`/],
    ['history team=sre', /Type `\/quorum history` or `\/quorum history cluster=prod-eu`/],
    ['history cluster=', /Type `\/quorum history` or `\/quorum history cluster=prod-eu`/],
    ['history cluster=a cluster=b', /`cluster=b` is one word too many/],
    ['cancel', /Which run\? Type `\/quorum cancel r-lz2k9x1c-3f9a1b7e` \(its id is under the run's message/],
    ['cancel 42', /Which run\?/],
    ['cancel r-abc r-def', /`r-def` is one word too many: type one run/],
    ['playbooks etcd', /`etcd` is one word too many: type `\/quorum playbooks`/],
    ['clusters all', /`all` is one word too many: type `\/quorum clusters`/],
  ])('refuses `/quorum %s` saying what to type instead', (text, message) => {
    const parsed = parseQuorumCommand(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it.each<[string, string | undefined]>([
    ['diagnoze', 'diagnose'],
    ['statsu', 'status'],
    ['histroy', 'history'],
    ['playbok', 'playbooks'],
    ['cluster', 'clusters'],
    ['cancle', 'cancel'],
    ['xyzzy', undefined],
  ])('suggests a near subcommand for `/quorum %s`', (typed, suggestion) => {
    const parsed = parseQuorumCommand(`${typed} etcd`);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.message).toContain(`I do not know \`${typed}\`.`);
    expect(parsed.message).toContain('Type `/quorum help` for what I can do.');
    if (suggestion) expect(parsed.message).toContain(`Did you mean \`${suggestion}\`?`);
    else expect(parsed.message).not.toContain('Did you mean');
  });

  it('takes every alias for its playbook, and other names as typed (the run preparation judges them)', () => {
    expect(PLAYBOOK_ALIASES).toMatchObject({
      etcd: 'etcd-db-growth',
      latency: 'apiserver-latency',
      pending: 'scheduler-pending',
      scheduler: 'scheduler-pending',
      health: 'control-plane-health',
    });
    for (const [alias, id] of Object.entries(PLAYBOOK_ALIASES)) {
      const parsed = parseQuorumCommand(`${alias} cluster=prod-eu`);
      expect(parsed).toMatchObject({ ok: true, command: { kind: 'diagnose', playbook: alias } });
      expect(playbookFor(alias)).toBe(id);
    }
    expect(playbookFor('etcd-db-growth')).toBe('etcd-db-growth');
    expect(playbookFor('etcd-db-grwoth')).toBe('etcd-db-grwoth');
  });

  it('lists every subcommand and the aliases in the help text', () => {
    for (const usage of [
      '/quorum diagnose <playbook> [cluster=NAME] [param=value…]',
      '/quorum playbooks',
      '/quorum clusters',
      '/quorum status [RUN]',
      '/quorum history [cluster=NAME]',
      '/quorum cancel RUN',
    ])
      expect(HELP_TEXT).toContain(usage);
    for (const alias of ['etcd', 'latency', 'pending', 'health']) expect(HELP_TEXT).toContain(`\`${alias}\``);
  });
});
