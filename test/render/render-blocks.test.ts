import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../src/findings/finding.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnosis-report.js';
import { BLOCK_KIT_LIMITS, validateBlockMessage } from '../../src/render/block-kit-limits.js';
import type { ActionsBlock, Block, BlockMessage, SectionBlock } from '../../src/render/block-kit-types.js';
import { parseProposalRef } from '../../src/render/proposal-ref.js';
import { renderBlocks, renderBlocksAttachment } from '../../src/render/render-blocks.js';
import { crashLog, degradedReport, healthyReport, hugeReport, staleLease, warningEvents } from './fixtures.js';

const sections = (message: BlockMessage) =>
  message.blocks.filter((block): block is SectionBlock => block.type === 'section');
const allText = (blocks: readonly Block[]) => JSON.stringify(blocks);

function expectValid(messages: readonly BlockMessage[]): void {
  for (const [index, message] of messages.entries()) {
    expect({ message: index, violations: validateBlockMessage(message) }).toEqual({ message: index, violations: [] });
  }
}

describe('renderBlocks', () => {
  const messages = renderBlocks(degradedReport());
  const [main] = messages;
  if (!main) throw new Error('no message');

  it('fits a realistic report in one valid message', () => {
    expect(messages).toHaveLength(1);
    expectValid(messages);
  });

  it('has a plain-text fallback with worst severity and counts', () => {
    expect(main.text).toBe(
      'CRITICAL: Control-plane health on prod-eu-1 (3 critical, 1 warning, 1 info, 3 ok). Several independent problems: etcd NOSPACE alarm: the database hit its 2.0 GiB quota, writes are rejected; kube-controller-manager-cp-1 is crash-looping (12 restarts)',
    );
  });

  it('starts with a header and a context line (cluster, time, counts)', () => {
    expect(main.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':red_circle: CRITICAL · Control-plane health', emoji: true },
    });
    const context = allText([main.blocks[1] as Block]);
    expect(main.blocks[1]?.type).toBe('context');
    expect(context).toContain('*prod-eu-1*');
    expect(context).toContain('<!date^1795489932^{date_short_pretty} {time}|2026-11-24T03:12:12.400Z>');
    expect(context).toContain(':red_circle: 3 critical');
  });

  it('shows problem findings in ranked order with emoji and bold title, dividers between them', () => {
    const titles = sections(main)
      .map((section) => section.text?.text ?? '')
      .filter((text) => /^(↳ )?:(red_circle|warning|information_source): \*/.test(text))
      .map((text) =>
        text
          .split('\n')
          .slice(0, text.startsWith('↳') ? 2 : 1)
          .join('\n'),
      );
    expect(titles).toEqual([
      ':red_circle: *etcd NOSPACE alarm: the database hit its 2.0 GiB quota, writes are rejected*',
      // The stale lease is a symptom of NOSPACE: right under it, marked, saying why.
      '↳ :red_circle: *kube-controller-manager has no active leader: lease last renewed 5m 12s ago by cp-1*\n_because etcd raised the NOSPACE alarm and refuses writes, so leases cannot be renewed_',
      ':red_circle: *kube-controller-manager-cp-1 is crash-looping (12 restarts)*',
      ':warning: *14 Warning events for control-plane components in the last 1h*',
      ':information_source: *No pods found for kube-scheduler in kube-system*',
    ]);
    // One after each of the 5 problems but the passed list follows: between every two of the 6 groups.
    expect(main.blocks.filter((block) => block.type === 'divider')).toHaveLength(5);
    expect(main.blocks.at(-1)?.type).not.toBe('divider');
  });

  it('puts evidence in fields, escaping &, < and > for Slack', () => {
    const lease = sections(main).find((section) => section.fields && section.text?.text.includes('no active leader'));
    expect(lease?.fields?.map((field) => field.text)).toEqual([
      '*holder*\ncp-1_6b9e1c2d-5f3a-4e8b-9c7d-0a1b2c3d4e5f',
      '*last renewed*\n5m 12s ago (2026-11-24T03:06:57Z)',
      '*lease duration*\n15s',
      '*transitions*\n3',
    ]);
    const events = sections(main).find((section) => section.text?.text.includes('Warning events'));
    expect(events?.fields?.[0]?.text).toContain('(0d3f|a&lt;b&gt;&amp;c)');
    expect(allText(main.blocks)).not.toMatch(/a<b>&c/);
  });

  it('shows an excerpt in a code block, its newest lines kept and the rest counted', () => {
    const log = sections(main).find((section) => section.text?.text.startsWith('*log (kube-controller-manager'));
    expect(log?.text?.text).toMatch(/^\*log \(kube-controller-manager, previous run\)\*\n```… \d+ more lines\n/);
    expect(log?.text?.text).toContain('connect: connection refused```');
  });

  it('shows the recommendation after an arrow', () => {
    expect(sections(main).some((section) => section.text?.text.startsWith('→ Check the kube-controller-manager'))).toBe(
      true,
    );
  });

  it('collapses passing findings into one section', () => {
    const passed = sections(main).filter((section) => section.text?.text.startsWith(':white_check_mark:'));
    expect(passed).toHaveLength(1);
    expect(passed[0]?.text?.text).toBe(
      ':white_check_mark: *Passed (3):* kube-apiserver /livez and /readyz pass · etcd: 3 members healthy, leader etcd-a · All 3 control-plane nodes Ready',
    );
  });

  it('describes each proposal and offers one "Request maintenance" button for the finding\'s whole plan', () => {
    const plan =
      sections(main).find((section) => section.text?.text.includes('Defragment all 3 members'))?.text?.text ?? '';
    expect(plan).toMatch(/^\*Proposed maintenance \(needs approval\):\* Defragment all 3 members/);
    expect(plan).toMatch(/1\. etcd-b \(follower[^\n]*\n {4}2\. etcd-c \(follower[^\n]*\n {4}3\. etcd-a \(leader/);
    const actions = main.blocks.find((block): block is ActionsBlock => block.type === 'actions');
    expect(actions?.elements.map((button) => [button.text.text, button.action_id])).toEqual([
      ['Request maintenance', 'quorum.proposal.etcd.compact'],
    ]);
    expect(actions?.elements.map((button) => parseProposalRef(button.value))).toEqual([
      { v: 2, runId: degradedReport().runId, proposal: 0, action: 'etcd.compact' },
    ]);
  });

  it('renders a healthy report as a header and the passed list', () => {
    const [healthy] = renderBlocks(healthyReport());
    expect(healthy?.text).toBe('OK: Control-plane health on prod-eu-1 (3 ok). No problem found');
    expect(healthy?.blocks.map((block) => block.type)).toEqual(['header', 'context', 'section', 'section']);
  });

  it('says so when there are no findings', () => {
    const [empty] = renderBlocks({ ...degradedReport(), findings: [] });
    expectValid(empty ? [empty] : []);
    expect(allText(empty?.blocks ?? [])).toContain('No findings');
  });

  it('cuts an overlong field with an explicit marker', () => {
    const finding: Finding = { ...staleLease, evidence: [{ label: 'holder', value: 'x'.repeat(5000) }] };
    const [message] = renderBlocks({ ...degradedReport(), findings: [finding] });
    const field = message?.blocks.flatMap((block) => (block.type === 'section' ? (block.fields ?? []) : []))[0];
    expect(field?.text).toMatch(/… \(truncated, \d+ more characters — full output in JSON\/markdown\)$/);
    const shown = (field?.text.match(/x+/)?.[0] ?? '').length;
    expect(Number(/truncated, (\d+)/.exec(field?.text ?? '')?.[1])).toBe(5000 - shown);
  });

  it('cuts a single overlong excerpt line with an explicit marker', () => {
    const finding: Finding = {
      ...warningEvents,
      evidence: [{ label: 'dump', value: `${'y'.repeat(9000)}\n${'z'.repeat(9000)}` }],
    };
    const messages = renderBlocks({ ...degradedReport(), findings: [finding] });
    expectValid(messages);
    const dump = sections(messages[0] as BlockMessage).find((block) => block.text?.text.startsWith('*dump*'));
    expect(dump?.text?.text).toMatch(
      /^\*dump\*\n```… 1 more line\nz+```\n… \(truncated, \d+ more characters — full output in JSON\/markdown\)$/,
    );
  });
});

describe('renderBlocks overflow', () => {
  function manyFindings(count: number): DiagnosisReport {
    const findings: Finding[] = Array.from({ length: count }, (_, index) => ({
      ...staleLease,
      title: `Finding ${index}: lease of component-${index} not renewed`,
      evidence: [...staleLease.evidence, { label: 'log', value: crashLog(40) }],
    }));
    return { ...degradedReport(), findings };
  }

  it('continues in thread messages marked "(continued i/n)" when the findings do not fit one', () => {
    const messages = renderBlocks(manyFindings(12));
    expect(messages.length).toBeGreaterThan(1);
    expectValid(messages);
    messages.slice(1).forEach((message, index) => {
      const label = `(continued ${index + 2}/${messages.length})`;
      expect(message.text.startsWith(label)).toBe(true);
      expect(message.blocks[0]).toEqual({
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `*${label}* · Control-plane health · prod-eu-1` }],
      });
    });
    expect(allText(messages[0]?.blocks ?? [])).toContain(`continued in ${messages.length - 1} more messages`);
  });

  it('shows every finding exactly once across the messages, in order', () => {
    const messages = renderBlocks(manyFindings(12));
    const titles = messages.flatMap((message) => allText(message.blocks).match(/Finding \d+(?=: lease)/g) ?? []);
    expect(titles).toEqual(Array.from({ length: 12 }, (_, index) => `Finding ${index}`));
  });

  it('lists findings beyond maxMessages by title instead of dropping them', () => {
    const messages = renderBlocks(manyFindings(30), { maxMessages: 2 });
    expect(messages).toHaveLength(2);
    expectValid(messages);
    const text = messages.map((message) => allText(message.blocks)).join('');
    const overflow = /(\d+) more findings not shown here/.exec(text);
    expect(overflow).not.toBeNull();
    for (let index = 0; index < 30; index += 1) expect(text).toContain(`Finding ${index}: lease`);
  });

  it('keeps every message within the limits for 60 huge findings (10+ evidence pairs, 10,000-char excerpts)', () => {
    const report = hugeReport(60);
    for (const maxMessages of [10, 100]) {
      const messages = renderBlocks(report, { maxMessages });
      expect(messages.length).toBeLessThanOrEqual(maxMessages);
      expectValid(messages);
      for (const message of messages) {
        expect(message.blocks.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.blocksPerMessage);
        expect(JSON.stringify(message.blocks).length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.messageBlocksChars);
      }
      const text = messages.map((message) => allText(message.blocks)).join('');
      expect(text).toContain('truncated,');
      // Every problem finding is shown in full or listed by title, and the rest counted.
      // Passing findings that propose maintenance are shown like problems: a proposal always needs showing.
      const problems = report.findings.filter((item) => item.severity !== 'ok' || item.proposals?.length);
      const missing = problems.filter((finding) => !text.includes(finding.title.slice(0, 40)));
      if (missing.length > 0) expect(text.includes(`… and ${missing.length} more`)).toBe(true);
      expect(missing.length).toBeLessThan(problems.length / 2);
    }
  });

  it('shows all 60 huge findings in full when messages are not capped', () => {
    const messages = renderBlocks(hugeReport(60), { maxMessages: 1000 });
    expect(allText(messages.flatMap((message) => message.blocks))).not.toContain('not shown here');
    expectValid(messages);
  });
});

describe('renderBlocksAttachment', () => {
  it('is the Markdown report with a safe file name', () => {
    const attachment = renderBlocksAttachment({ ...degradedReport(), cluster: 'prod/eu 1' });
    expect(attachment.filename).toBe('quorum-control-plane-health-prod-eu-1-20261124T031212Z.md');
    expect(attachment.content.startsWith('# 🔴 Control-plane health: prod/eu 1')).toBe(true);
  });
});
