import { describe, expect, it } from '@jest/globals';
import { validateBlockMessage } from '../../src/render/block-kit-limits.js';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (text: string, action_id = 'a', value = 'v') => ({
  type: 'button',
  text: { type: 'plain_text', text },
  action_id,
  value,
});

describe('validateBlockMessage', () => {
  it('accepts a valid message', () => {
    expect(validateBlockMessage({ text: 'hi', blocks: [section('hello'), { type: 'divider' }] })).toEqual([]);
  });

  it.each([
    ['a missing text fallback', { blocks: [] }, 'text', 'no_text'],
    ['a blank text fallback', { text: '  ', blocks: [] }, 'text', 'no_text'],
    [
      '51 blocks',
      { text: 't', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) },
      'blocks',
      'invalid_blocks',
    ],
    [
      'blocks over 13k characters',
      { text: 't', blocks: Array.from({ length: 5 }, () => section('x'.repeat(2900))) },
      'blocks',
      'msg_blocks_too_long',
    ],
    [
      'section text over 3000',
      { text: 't', blocks: [section('x'.repeat(3001))] },
      'blocks[0].text.text',
      'invalid_blocks',
    ],
    ['an empty section', { text: 't', blocks: [{ type: 'section' }] }, 'blocks[0]', 'invalid_blocks'],
    [
      '11 fields',
      {
        text: 't',
        blocks: [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }],
      },
      'blocks[0].fields',
      'invalid_blocks',
    ],
    [
      'a field over 2000',
      { text: 't', blocks: [{ type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2001) }] }] },
      'blocks[0].fields[0].text',
      'invalid_blocks',
    ],
    [
      'a header over 150',
      { text: 't', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] },
      'blocks[0].text.text',
      'invalid_blocks',
    ],
    [
      'a mrkdwn header',
      { text: 't', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }] },
      'blocks[0].text.type',
      'invalid_blocks',
    ],
    [
      '11 context elements',
      {
        text: 't',
        blocks: [{ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) }],
      },
      'blocks[0].elements',
      'invalid_blocks',
    ],
    [
      '26 buttons',
      {
        text: 't',
        blocks: [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button('b', `a${i}`)) }],
      },
      'blocks[0].elements',
      'invalid_blocks',
    ],
    [
      'button text over 75',
      { text: 't', blocks: [{ type: 'actions', elements: [button('b'.repeat(76))] }] },
      'blocks[0].elements[0].text.text',
      'invalid_blocks',
    ],
    [
      'button value over 2000',
      { text: 't', blocks: [{ type: 'actions', elements: [button('b', 'a', 'v'.repeat(2001))] }] },
      'blocks[0].elements[0].value',
      'invalid_blocks',
    ],
    [
      'repeated action_id',
      { text: 't', blocks: [{ type: 'actions', elements: [button('b'), button('c')] }] },
      'blocks[0].elements[1].action_id',
      'invalid_blocks',
    ],
    [
      'repeated block_id',
      {
        text: 't',
        blocks: [
          { type: 'divider', block_id: 'x' },
          { type: 'divider', block_id: 'x' },
        ],
      },
      'blocks[1].block_id',
      'invalid_blocks',
    ],
    ['an unknown block type', { text: 't', blocks: [{ type: 'video' }] }, 'blocks[0].type', 'invalid_blocks'],
  ])('reports %s', (_what, message, path, error) => {
    expect(validateBlockMessage(message)).toContainEqual(expect.objectContaining({ path, error }));
  });

  it('reports something that is not a message at all', () => {
    expect(validateBlockMessage('hello')).toEqual([expect.objectContaining({ error: 'no_text' })]);
  });
});
