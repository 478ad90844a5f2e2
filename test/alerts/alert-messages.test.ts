import { describe, expect, it } from '@jest/globals';
import type { DiagnosisReport } from '../../src/diagnosis/diagnosis-report.js';
import { degradedReport } from '../render/fixtures.js';
import type { RunTrigger } from '../../src/diagnosis/run-request.js';
import { stillFiringMessage, triggerAlertsBlock } from '../../src/render/alert-blocks.js';
import { validateBlockMessage } from '../../src/render/block-kit-limits.js';
import { renderMarkdown } from '../../src/render/render-markdown.js';
import { runningMessage, summaryMessage, type RunMeta } from '../../src/render/run-status-blocks.js';

const trigger: RunTrigger = {
  kind: 'alert',
  by: 'etcdDatabaseQuotaLowSpace',
  alertCount: 14,
  alerts: Array.from({ length: 10 }, (_, index) => ({
    name: 'etcdDatabaseQuotaLowSpace',
    severity: index === 0 ? 'critical' : 'warning',
    summary: `etcd cluster database is running full (member ${index}) <script>`,
    generatorURL: `http://prometheus:9090/graph?g0.expr=${'x'.repeat(50)}|>&g0.tab=${index}`,
    fingerprint: index.toString(16).padStart(16, '0'),
  })),
};
const meta: RunMeta = { runId: 'r-1', cluster: 'prod-eu', playbook: 'etcd-db-growth', trigger };

const report: DiagnosisReport = { ...degradedReport(), trigger };

describe('alert runs in messages', () => {
  it('lists the alerts with severity, summary and a link that cannot break out of its <…|…>', () => {
    const block = triggerAlertsBlock(trigger);
    const text = (block as { text: { text: string } }).text.text;
    expect(text).toMatch(/^\*Started by 14 alerts:\*/);
    expect(text).toContain(':red_circle: <http://prometheus:9090/graph?g0.expr=');
    expect(text).toContain(
      '%7C%3E&g0.tab=0|etcdDatabaseQuotaLowSpace> critical — etcd cluster database is running full (member 0) &lt;script&gt;',
    );
    expect(text).toMatch(/…and 4 more$/);
  });

  it('shows the same rule firing for several members once, with a count', () => {
    const member = {
      name: 'etcdDatabaseQuotaLowSpace',
      severity: 'critical',
      summary: 'etcd cluster database is running full.',
    };
    const three: RunTrigger = {
      kind: 'alert',
      alertCount: 4,
      alerts: [member, member, { ...member, severity: 'warning' }, member],
    };
    const text = (triggerAlertsBlock(three) as { text: { text: string } }).text.text;
    expect(text.split('\n')).toEqual([
      '*Started by 4 alerts:*',
      ':red_circle: *etcdDatabaseQuotaLowSpace* ×3 critical — etcd cluster database is running full.',
      ':large_orange_circle: *etcdDatabaseQuotaLowSpace* warning — etcd cluster database is running full.',
    ]);
    expect(renderMarkdown({ ...report, trigger: three })).toContain(
      '- etcdDatabaseQuotaLowSpace ×3 (critical) — etcd cluster database is running full.',
    );
  });

  it("shows nothing for a run nobody's alert started", () => {
    expect(triggerAlertsBlock({ kind: 'slack', by: 'U1' })).toBeUndefined();
  });

  it('puts the resolution first and the alerts above the findings, within Block Kit limits', () => {
    const resolved = {
      ...meta,
      resolution: { resolvedAt: '2026-12-02T06:40:12Z', firingSince: '2026-12-02T06:37:00Z' },
    };
    for (const message of [runningMessage(resolved), summaryMessage(report, resolved)]) {
      const text = JSON.stringify(message.blocks);
      expect(text).toContain('Alert resolved* at 2026-12-02 06:40:12 UTC, after firing for 3m 12s.');
      expect(text.indexOf('Alert resolved')).toBeLessThan(text.indexOf('Started by 14 alerts'));
      expect(validateBlockMessage(message)).toEqual([]);
    }
    const summary = JSON.stringify(summaryMessage(report, resolved).blocks);
    expect(summary.indexOf('Started by 14 alerts')).toBeLessThan(summary.indexOf('Several independent problems'));
  });

  it("keeps the Markdown report's alert list too", () => {
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('Started by 14 alerts:');
    expect(markdown).toContain('- …and 4 more');
  });

  it('words notes for repeats', () => {
    expect(stillFiringMessage(3, ['a', 'b', 'a'], false).text).toBe(
      'Still firing (3 alerts): a, b. No new run: this one covers the window.',
    );
    expect(stillFiringMessage(1, ['a'], true).text).toMatch(/^Firing again \(1 alert\): a\./);
    expect(stillFiringMessage(2, ['a'], false, 'r-next-1').text).toBe(
      "Still firing (2 alerts): a past this run's window: a new diagnosis started, run `r-next-1` (`/quorum status r-next-1`).",
    );
  });
});
