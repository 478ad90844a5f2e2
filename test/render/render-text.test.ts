import { describe, expect, it } from '@jest/globals';
import { renderText } from '../../src/render/render-text.js';
import { degradedReport, healthyReport, nospace } from './fixtures.js';

// eslint-disable-next-line no-control-regex -- ANSI escape sequences are what these tests look for
const ANSI = /\u001b\[[0-9;]*m/g;

describe('renderText', () => {
  const text = renderText(degradedReport());
  const lines = text.split('\n');

  it('starts with a header naming playbook, cluster, worst severity, counts and duration', () => {
    const header = lines.slice(0, 2).join(' ');
    expect(lines[0]).toMatch(/^Control-plane health · cluster prod-eu-1 · ✖ CRITICAL/);
    expect(header).toContain('3 critical, 1 warning, 1 info, 3 ok');
    expect(header).toContain('took 12s');
  });

  it('says the diagnosis in one line right under the header', () => {
    const first = lines.findIndex((line) => line.startsWith('Several independent problems: '));
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(lines.findIndex((line) => /^(✖ CRIT|▲ WARN)/.test(line)));
    expect(renderText(healthyReport()).split('\n')).toContain('No problem found');
  });

  it('shows a symptom under its cause, marked, with the reason', () => {
    const cause = lines.findIndex((line) => line.startsWith('✖ CRIT') && line.includes('etcd NOSPACE alarm'));
    const symptom = lines.findIndex((line) => line.includes('↳ kube-controller-manager has no active leader'));
    expect(symptom).toBeGreaterThan(cause);
    expect(lines.slice(cause + 1, symptom).some((line) => /^(✖ CRIT|▲ WARN|ℹ INFO)/.test(line))).toBe(false);
    expect(lines[symptom + 1]).toMatch(/^ +because etcd raised the NOSPACE alarm and refuses writes/);
  });

  it('keeps the ranked order, most severe first, with a badge per finding', () => {
    const badges = lines
      .filter((line) => /^(✖ CRIT|▲ WARN|ℹ INFO|✔ {3}OK) /.test(line))
      .map((line) => line.slice(0, 6));
    expect(badges).toEqual(['✖ CRIT', '✖ CRIT', '✖ CRIT', '▲ WARN', 'ℹ INFO', '✔   OK']);
    expect(text.indexOf('etcd NOSPACE alarm')).toBeLessThan(text.indexOf('has no active leader'));
    expect(text.indexOf('has no active leader')).toBeLessThan(text.indexOf('14 Warning events'));
  });

  it('aligns evidence values in a column', () => {
    const evidence = lines.filter((line) => /^ {8}(holder|last renewed|lease duration|transitions):/.test(line));
    expect(evidence).toHaveLength(4);
    const columns = new Set(evidence.map((line) => line.search(/(?<=: +)\S/)));
    expect(columns.size).toBe(1);
  });

  it('trims a long excerpt with a "more lines" marker and keeps its last (fatal) line', () => {
    expect(text).toMatch(/│ … \d+ more lines/);
    expect(text).toContain('F0612 03:15:02.118734');
    const excerpt = lines.filter((line) => line.startsWith('          │ '));
    expect(excerpt.filter((line) => !line.startsWith('          │   ')).length).toBe(12);
  });

  it('prefixes the recommendation with an arrow', () => {
    expect(lines.some((line) => line.startsWith('        → Check the kube-controller-manager static pods'))).toBe(true);
  });

  it('shows the exact maintenance plan: revision, member order with roles and reclaim, disarm condition', () => {
    const flat = text.replace(/\n\s+/g, ' ');
    expect(flat).toContain('Proposed maintenance (needs approval): Compact history up to the current revision');
    expect(flat).toContain('compact all history before revision 48211237');
    const order = ['1. etcd-b (follower', '2. etcd-c (follower', '3. etcd-a (leader'].map((item) => flat.indexOf(item));
    expect(order.every((position, index) => position > 0 && (index === 0 || position > (order[index - 1] ?? 0)))).toBe(
      true,
    );
    expect(flat).toMatch(/3\. etcd-a \(leader, 8e9e05c52164694d, https:\/\/10\.0\.0\.11:2379\).*reclaim ~1\.4 GiB/);
    expect(flat).toContain('only when: every member dbSize < 1.8 GiB (quota × 0.9) after defragmentation');
  });

  it('collapses passing findings into one "Passed" list at the end', () => {
    const passedAt = lines.findIndex((line) => line.startsWith('✔   OK  Passed (3): '));
    expect(passedAt).toBeGreaterThan(lines.findIndex((line) => line.startsWith('ℹ INFO')));
    expect(lines.slice(passedAt).join(' ')).toContain('All 3 control-plane nodes Ready');
  });

  it('shows passing findings in full when asked not to collapse them', () => {
    const full = renderText(healthyReport(), { collapseOk: false });
    expect(full).not.toContain('Passed (');
    expect(full.split('\n').filter((line) => line.startsWith('✔   OK  '))).toHaveLength(3);
  });

  it.each([60, 80, 100, 140])('wraps every line to %i columns', (width) => {
    for (const line of renderText(degradedReport(), { width }).split('\n'))
      expect([...line].length).toBeLessThanOrEqual(width);
  });

  it('has no colour unless asked, and colours badges when asked', () => {
    expect(text).not.toMatch(ANSI);
    const coloured = renderText(degradedReport(), { color: true });
    expect(coloured).toContain('\u001b[31m✖ CRIT');
    expect(coloured).toContain('\u001b[33m▲ WARN');
    expect(coloured).toContain('\u001b[32m✔   OK');
    expect(coloured.replace(ANSI, '')).toBe(text);
  });

  it('shows control characters from logs harmlessly', () => {
    const report = {
      ...degradedReport(),
      findings: [{ ...nospace, proposals: [], evidence: [{ label: 'log', value: 'a\u001b[2Jb\nc' }] }],
    };
    const out = renderText(report);
    expect(out).not.toContain('\u001b');
    expect(out).toContain('a\ufffd[2Jb');
  });

  it('says so when there are no findings', () => {
    const out = renderText({ ...degradedReport(), findings: [] });
    expect(out).toContain('no findings');
    expect(out).toContain('No findings: the playbook had nothing to report.');
  });
});
