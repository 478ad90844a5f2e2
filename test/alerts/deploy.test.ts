import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { createCheckRegistry } from '../../src/checks/all-checks.js';
import { defaultPlaybooksDir } from '../../src/playbooks/default-dir.js';
import { loadPlaybooks } from '../../src/playbooks/load-playbooks.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const amConfig = join(root, 'deploy/alertmanager/alertmanager.yaml');
const rulesFile = join(root, 'deploy/prometheus/quorum-alert-rules.yaml');
const playbooks = await loadPlaybooks(defaultPlaybooksDir(), createCheckRegistry());
const mapped = [...playbooks.values()].flatMap((playbook) => playbook.alerts);
/** Mapped alerts the example rules leave out, and why. */
const NOT_IN_EXAMPLE_RULES: Record<string, string> = {
  etcdBackendQuotaLowSpace: 'the old name of etcdDatabaseQuotaLowSpace',
  KubeAPIErrorBudgetBurn: "needs kubernetes-mixin's SLO recording rules",
};

interface PrometheusRule {
  kind: string;
  spec: { groups: { name: string; rules: { alert: string; labels?: Record<string, string> }[] }[] };
}

describe('deploy/: the Alertmanager route and the example alert rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-deploy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is a valid Alertmanager config (amtool check-config)', () => {
    expect(execFileSync('amtool', ['check-config', amConfig], { encoding: 'utf8' })).toContain('SUCCESS');
  });

  it("routes every alert a playbook lists to Quorum's webhook, with send_resolved and a token file", () => {
    const config = parse(readFileSync(amConfig, 'utf8')) as {
      route: { routes: { receiver: string; matchers: string[] }[] };
      receivers: { name: string; webhook_configs?: Record<string, unknown>[] }[];
    };
    const route = config.route.routes.find((each) => each.receiver === 'quorum');
    const names = /alertname =~ "([^"]+)"/.exec(route?.matchers[0] ?? '')?.[1]?.split('|') ?? [];
    expect([...names].sort()).toEqual([...mapped].sort());
    const webhook = config.receivers.find((receiver) => receiver.name === 'quorum')?.webhook_configs?.[0];
    expect(webhook).toMatchObject({
      url: expect.stringMatching(/\/alerts\/alertmanager$/),
      send_resolved: true,
      http_config: { authorization: { type: 'Bearer', credentials_file: expect.any(String) } },
    });
  });

  it('is a PrometheusRule whose groups promtool accepts', () => {
    const rule = parse(readFileSync(rulesFile, 'utf8')) as PrometheusRule;
    expect(rule.kind).toBe('PrometheusRule');
    const plain = join(dir, 'rules.yml');
    writeFileSync(plain, stringify({ groups: rule.spec.groups }));
    expect(execFileSync('promtool', ['check', 'rules', plain], { encoding: 'utf8' })).toContain('SUCCESS');
  });

  it('has a rule for every mapped alert but the documented exceptions, each with a severity', () => {
    const rule = parse(readFileSync(rulesFile, 'utf8')) as PrometheusRule;
    const rules = rule.spec.groups.flatMap((group) => group.rules);
    expect(rules.map((each) => each.alert).sort()).toEqual(
      mapped.filter((name) => !(name in NOT_IN_EXAMPLE_RULES)).sort(),
    );
    for (const each of rules) expect(['critical', 'warning', 'info']).toContain(each.labels?.severity);
  });
});
