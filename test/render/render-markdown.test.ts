import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../src/findings/finding.js';
import { codeBlock, escapeMarkdown, escapeTableCell } from '../../src/render/markdown-escape.js';
import { renderMarkdown } from '../../src/render/render-markdown.js';
import { crashLog, degradedReport, warningEvents } from './fixtures.js';

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(degradedReport());
  const lines = markdown.split('\n');

  it('has a heading with the worst severity, and the counts and times under it', () => {
    expect(lines[0]).toBe('# 🔴 Control-plane health: prod-eu-1');
    expect(markdown).toContain('**CRITICAL** · 3 critical, 1 warning, 1 info, 3 ok · playbook `control-plane-health`');
  });

  it('says the diagnosis in bold under the heading, and marks a symptom with its reason', () => {
    expect(lines[4]).toMatch(/^\*\*Several independent problems: etcd NOSPACE alarm/);
    const symptom = lines.findIndex(
      (line) => line.startsWith('### ') && line.includes('↳ 🔴 CRITICAL: kube-controller-manager has no active leader'),
    );
    expect(symptom).toBeGreaterThan(
      lines.findIndex((line) => line.startsWith('### ') && line.includes('etcd NOSPACE alarm')),
    );
    expect(lines[symptom + 2]).toBe(
      '_because etcd raised the NOSPACE alarm and refuses writes, so leases cannot be renewed_',
    );
  });

  it('has a summary table of all findings in ranked order', () => {
    const start = lines.indexOf('| # | Severity | Check | Finding |');
    const rows = lines.slice(start + 2, start + 10);
    expect(rows.map((row) => row.split(' | ')[1])).toEqual([
      '🔴 critical',
      '🔴 critical',
      '🔴 critical',
      '⚠️ warning',
      'ℹ️ info',
      '✅ ok',
      '✅ ok',
      '✅ ok',
    ]);
    expect(rows[0]).toContain('`etcd.space`');
  });

  it('gives each problem a section with an evidence table, escaping pipes and HTML', () => {
    expect(markdown).toContain('### 4. ⚠️ WARNING: 14 Warning events for control-plane components in the last 1h');
    expect(markdown).toContain('| lease duration | 15s |');
    expect(markdown).toContain('kube-controller-manager-cp-1\\_kube-system(0d3f\\|a\\<b\\>\\&c) |');
  });

  it('puts excerpts, in full and redacted, in fenced code blocks', () => {
    expect(markdown).toContain('**log (kube-controller-manager, previous run)**\n\n```text\nI0612 03:14:10.926535');
    expect(markdown).toContain('(attempt 14)');
    expect(markdown).toContain('Authorization: Bearer [REDACTED]');
    expect(markdown).toContain('connect: connection refused\n```');
  });

  it('lists proposals with their plan, defrag members as an ordered list', () => {
    expect(markdown).toContain(
      '**Proposed maintenance (needs approval):** Defragment all 3 members, followers first, leader last (`etcd.defrag`)',
    );
    expect(markdown).toMatch(/\n {2}1\. etcd-b \(follower.*\n {2}2\. etcd-c \(follower.*\n {2}3\. etcd-a \(leader/);
    expect(markdown).toContain('- compact all history before revision 48211237');
  });

  it('keeps code spans the checks wrote in recommendations', () => {
    expect(markdown).toContain('`kubectl -n kube-system logs kube-controller-manager-cp-1 --previous`');
  });

  it('lists passing checks at the end', () => {
    expect(markdown.slice(markdown.indexOf('## Passed'))).toContain(
      '- ✅ **All 3 control-plane nodes Ready** (`nodes.conditions`)',
    );
  });

  it('uses a longer fence when an excerpt contains one', () => {
    const finding: Finding = { ...warningEvents, evidence: [{ label: 'readme', value: 'before\n```\ninside\n```' }] };
    const out = renderMarkdown({ ...degradedReport(), findings: [finding] });
    expect(out).toContain('````text\nbefore\n```\ninside\n```\n````');
  });

  it('does not trim long excerpts (it is the full report)', () => {
    const finding: Finding = { ...warningEvents, evidence: [{ label: 'log', value: crashLog(500) }] };
    expect(renderMarkdown({ ...degradedReport(), findings: [finding] })).toContain('(attempt 498)');
  });
});

describe('markdown escaping', () => {
  it.each([
    ['a|b', 'a\\|b'],
    ['*bold* _it_ `code`', '\\*bold\\* \\_it\\_ \\`code\\`'],
    ['<script>&', '\\<script\\>\\&'],
    ['# not a heading', '\\# not a heading'],
    ['- not a list', '\\- not a list'],
    ['1. not a list', '1\\. not a list'],
    ['2.0 GiB', '2.0 GiB'],
    ['cp-1 ready', 'cp-1 ready'],
  ])('escapeMarkdown(%j) is %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it('turns line breaks in table cells into <br>', () => {
    expect(escapeTableCell('a\nb|c')).toBe('a<br>b\\|c');
  });

  it('fences code with more backticks than it contains', () => {
    expect(codeBlock('x ```` y')).toBe('`````text\nx ```` y\n`````');
  });
});
