import { describe, expect, it } from '@jest/globals';
import { describeProposal } from '../../src/render/describe-proposal.js';
import { fitExcerpt, trimExcerpt } from '../../src/render/excerpt.js';
import { escapeMrkdwn, fitMrkdwn, truncationMarker } from '../../src/render/mrkdwn.js';
import { encodeProposalRef, parseProposalRef, proposalActionId } from '../../src/render/proposal-ref.js';
import { wrapHard, wrapWords } from '../../src/render/text-wrap.js';
import { nospace } from './fixtures.js';

const numbered = (count: number) => Array.from({ length: count }, (_, index) => `line ${index + 1}`);

describe('trimExcerpt', () => {
  it('keeps a short excerpt whole', () => {
    expect(trimExcerpt(numbered(5), 12)).toEqual(numbered(5));
  });

  it('keeps the first and last lines and counts the rest', () => {
    const out = trimExcerpt(numbered(30), 12);
    expect(out).toHaveLength(12);
    expect(out.slice(0, 3)).toEqual(['line 1', 'line 2', 'line 3']);
    expect(out[3]).toBe('… 19 more lines');
    expect(out.at(-1)).toBe('line 30');
  });
});

describe('fitExcerpt', () => {
  it('keeps the newest lines within the character budget', () => {
    const out = fitExcerpt(numbered(100), 50, 60);
    expect(out.at(-1)).toBe('line 100');
    expect(out.join('\n').length).toBeLessThanOrEqual(60);
    const hidden = Number(/… (\d+) more lines/.exec(out.join('\n'))?.[1]);
    expect(hidden + out.length - 1).toBe(100);
  });

  it('measures with the given function (escaped length)', () => {
    const lines = ['<<<<', '<<<<', '<<<<'];
    const out = fitExcerpt(lines, 10, 25, (line) => escapeMrkdwn(line).length);
    expect(out.at(-1)).toBe('<<<<');
    expect(out[0]).toMatch(/more line/);
  });
});

describe('mrkdwn', () => {
  it.each([
    ['a & b', 'a &amp; b'],
    ['<@U123> <!channel>', '&lt;@U123&gt; &lt;!channel&gt;'],
    ['x > y', 'x &gt; y'],
  ])('escapes %j', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it('cuts with a marker that counts what was left out, never inside an entity', () => {
    const raw = '&'.repeat(1000);
    const out = fitMrkdwn(raw, 200);
    expect(out.length).toBeLessThanOrEqual(200);
    expect(out).toMatch(/^(&amp;)+ … \(truncated, \d+ more characters — full output in JSON\/markdown\)$/);
    const shown = (out.match(/&amp;/g) ?? []).length;
    expect(out.endsWith(truncationMarker(1000 - shown))).toBe(true);
  });
});

describe('wrapWords and wrapHard', () => {
  it('wraps with a hanging indent and never exceeds the width', () => {
    const lines = wrapWords('the quick brown fox jumps over the lazy dog '.repeat(5), 30, '→ ', '  ');
    expect(lines[0]?.startsWith('→ the quick')).toBe(true);
    expect(lines.slice(1).every((line) => line.startsWith('  ') && line.length <= 30)).toBe(true);
  });

  it('breaks words longer than a line', () => {
    expect(wrapWords('x'.repeat(50), 20, '', '').map((line) => line.length)).toEqual([20, 20, 10]);
  });

  it('breaks a log line at a space when it can', () => {
    expect(wrapHard('E0612 kubelet.go:2412] failed to sync pod', 24, '| ', '|   ')).toEqual([
      '| E0612 kubelet.go:2412]',
      '|   failed to sync pod',
    ]);
  });

  it('breaks a log line without spaces mid-word', () => {
    // 30 characters: 18 fit after '| ', the other 12 after '|   '.
    expect(wrapHard('abcdefghij'.repeat(3), 20, '| ', '|   ')).toEqual(['| abcdefghijabcdefgh', '|   ijabcdefghij']);
  });
});

describe('proposal references', () => {
  it('round-trips a compact, versioned button value that names the run and the proposal, nothing else', () => {
    const value = encodeProposalRef({ runId: 'r-mfz1k2a0-1a2b3c4d', proposal: 1, action: 'etcd.defrag' });
    expect(value).toBe('{"v":2,"runId":"r-mfz1k2a0-1a2b3c4d","proposal":1,"action":"etcd.defrag"}');
    expect(parseProposalRef(value)).toEqual({
      v: 2,
      runId: 'r-mfz1k2a0-1a2b3c4d',
      proposal: 1,
      action: 'etcd.defrag',
    });
    expect(proposalActionId('etcd.defrag')).toBe('quorum.proposal.etcd.defrag');
  });

  it.each([
    'not json',
    '{"v":2}',
    '{"v":1,"playbook":"p","check":"c","finding":0,"proposal":0,"action":"etcd.compact"}',
    '{"v":2,"runId":"r-1","proposal":0,"action":"rm -rf"}',
    '{"v":2,"runId":"r-1","proposal":0,"action":"etcd.compact","playbook":"p"}',
  ])('rejects %j', (value) => {
    expect(parseProposalRef(value)).toBeUndefined();
  });
});

describe('describeProposal', () => {
  it('lists defrag members in execution order with role, id, endpoint and reclaim', () => {
    const defrag = nospace.proposals?.[1];
    if (!defrag) throw new Error('fixture lacks a defrag proposal');
    const { label, plan } = describeProposal(defrag);
    expect(label).toBe('defragment etcd');
    expect(plan[0]).toMatch(/^one member at a time, followers first, leader last/);
    expect(plan.slice(1).map((step) => step.split(' (')[0])).toEqual(['1. etcd-b', '2. etcd-c', '3. etcd-a']);
    expect(plan[3]).toBe(
      '3. etcd-a (leader, 8e9e05c52164694d, https://10.0.0.11:2379): 2.0 GiB on disk, 600 MiB in use → reclaim ~1.4 GiB',
    );
  });
});
