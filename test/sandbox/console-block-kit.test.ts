/** The console's Block Kit renderer (plain JavaScript, shared by the page and this test). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { renderBlocks as reportBlocks } from '../../src/render/render-blocks.js';
import { mrkdwn, renderBlocks, setUserNames } from '../../src/sandbox/slack-double/console/block-kit.js';
import { degradedReport, healthyReport, hugeReport } from '../render/fixtures.js';

describe('console Block Kit renderer', () => {
  it.each([
    ['bold', '*NOSPACE* raised', '<b>NOSPACE</b> raised'],
    ['italic', 'was _quiet_ before', '<i>quiet</i>'],
    ['strike', '~gone~', '<s>gone</s>'],
    ['inline code', 'run `etcdctl alarm list`', '<code>etcdctl alarm list</code>'],
    ['code block', '```a < b\nnext```', '<pre>a &lt; b\nnext</pre>'],
    [
      'link with label',
      '<https://etcd.io/docs|the guide>',
      '<a href="https://etcd.io/docs" target="_blank" rel="noopener">the guide</a>',
    ],
    ['emoji shortcode', ':white_check_mark: done', '✅ done'],
    ['unknown emoji kept', ':not_an_emoji:', ':not_an_emoji:'],
    ['quote', '> quoted', '<blockquote>quoted</blockquote>'],
    ['slack-escaped entities', 'a &lt; b &amp;&amp; c', 'a &lt; b &amp;&amp; c'],
  ])('mrkdwn %s', (_name, text, expected) => {
    expect(mrkdwn(text)).toContain(expected);
  });

  it('never lets text become HTML: raw angle brackets are Slack link syntax, drawn as text', () => {
    const html = mrkdwn('<b>not bold</b> & <script>alert(1)</script> "quoted"');
    expect(html).not.toMatch(/<(b|script)>/);
    expect(html).toContain('&amp;');
    expect(html).toContain('&quot;quoted&quot;');
  });

  it('never turns a javascript: link into an anchor', () => {
    const html = mrkdwn('<javascript:alert(1)|click me>');
    expect(html).not.toContain('<a ');
    expect(html).toContain('click me');
  });

  it('shows mentions by name once it knows the people', () => {
    setUserNames([{ id: 'U0ONCALL01', name: 'Dana' }]);
    expect(mrkdwn('requested by <@U0ONCALL01>')).toContain('@Dana');
    expect(mrkdwn('and <@U0SOMEONE>')).toContain('@U0SOMEONE');
  });

  it('draws every emoji shortcode the bot writes', () => {
    const sources = readdirSync('src', { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(join('src', file), 'utf8'));
    const shortcodes = new Set(
      sources.flatMap((source) => [...source.matchAll(/(?<=['"`\s]):([a-z][a-z0-9_]*):(?=[\s'"`])/g)].map((m) => m[0])),
    );
    expect(shortcodes.size).toBeGreaterThan(10);
    expect([...shortcodes].filter((shortcode) => mrkdwn(shortcode).includes(shortcode))).toEqual([]);
  });

  it('draws buttons with their style, value and confirm dialog', () => {
    const { html, unsupported } = renderBlocks([
      {
        type: 'actions',
        block_id: 'approval',
        elements: [
          {
            type: 'button',
            action_id: 'quorum.approval.approve',
            value: 'a-1',
            style: 'danger',
            text: { type: 'plain_text', text: 'Approve' },
            confirm: {
              title: { type: 'plain_text', text: 'Approve?' },
              text: { type: 'mrkdwn', text: 'This writes to etcd' },
              confirm: { type: 'plain_text', text: 'Approve' },
              deny: { type: 'plain_text', text: 'Cancel' },
            },
          },
        ],
      },
    ]);
    expect(unsupported).toEqual([]);
    expect(html).toContain('class="sk danger"');
    expect(html).toContain('data-action-id="quorum.approval.approve"');
    expect(html).toContain('data-confirm=');
  });

  it('names what it cannot draw instead of hiding it', () => {
    const { html, unsupported } = renderBlocks([
      { type: 'video' },
      { type: 'actions', elements: [{ type: 'datepicker' }] },
    ]);
    expect(unsupported).toEqual(['block video', 'element datepicker']);
    expect(html).toContain('unsupported block: video');
  });

  it.each([
    ['degraded', degradedReport()],
    ['healthy', healthyReport()],
    ['huge (continuations)', hugeReport()],
  ])('renders every message of the %s report without a fallback', (_name, report) => {
    const messages = reportBlocks(report);
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) expect(renderBlocks(message.blocks).unsupported).toEqual([]);
  });
});
