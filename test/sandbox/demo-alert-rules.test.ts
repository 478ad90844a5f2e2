import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { demoAlertRules } from '../../src/sandbox/demo-stack/demo-alert-rules.js';

interface Rule {
  alert: string;
  expr: string;
  for: string;
}

describe("the demo's alert rules", () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-demo-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are rules promtool accepts, with no wait (3 s for a target down) and 30-second windows', async () => {
    const text = await demoAlertRules();
    const file = join(dir, 'rules.yml');
    writeFileSync(file, text);
    expect(execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' })).toContain('SUCCESS');
    const rules = (parse(text) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((group) => group.rules);
    // One timed-out scrape must not page "down": the rules that read `up` wait three evaluations.
    const waits = Object.fromEntries(rules.filter((rule) => rule.for !== '0s').map((rule) => [rule.alert, rule.for]));
    expect(waits).toEqual({
      etcdMembersDown: '3s',
      etcdInsufficientMembers: '3s',
      KubeAPIDown: '3s',
      KubeAPIInstanceUnreachable: '3s',
    });
    expect(rules.filter((rule) => /\[(?!30s\])\d+[smh]\]/.test(rule.expr))).toEqual([]);
  });

  it('keep the shipped alerts the sandbox can trigger, and leave out those it would fire from the first second', async () => {
    const names = (parse(await demoAlertRules()) as { groups: Array<{ rules: Rule[] }> }).groups
      .flatMap((group) => group.rules)
      .map((rule) => rule.alert);
    expect(names).toEqual(
      expect.arrayContaining([
        'etcdDatabaseQuotaLowSpace',
        'etcdMembersDown',
        'etcdNoLeader',
        'KubeAPIErrorBudgetBurn',
      ]),
    );
    // Nothing scrapes a scheduler or controller manager here: their "Down" rules would page at once.
    expect(names).not.toContain('KubeSchedulerDown');
    expect(names).not.toContain('KubeControllerManagerDown');
  });
});
