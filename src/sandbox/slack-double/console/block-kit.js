// Block Kit to HTML, as Slack's client draws it: pure functions from blocks to an HTML string, so that the browser
// console and the Node tests ("every message the bot sent renders without a fallback") use the same code. Interactive
// elements carry data-* attributes; console.js wires the clicks.

const EMOJI = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  warning: '⚠️',
  rotating_light: '🚨',
  red_circle: '🔴',
  large_orange_circle: '🟠',
  large_yellow_circle: '🟡',
  large_green_circle: '🟢',
  large_blue_circle: '🔵',
  white_circle: '⚪',
  information_source: 'ℹ️',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  lock: '🔒',
  unlock: '🔓',
  wrench: '🔧',
  hammer_and_wrench: '🛠️',
  mag: '🔍',
  bell: '🔔',
  no_bell: '🔕',
  fire: '🔥',
  tada: '🎉',
  stopwatch: '⏱️',
  clock1: '🕐',
  arrow_right: '➡️',
  heavy_minus_sign: '➖',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  thumbsup: '👍',
  '+1': '👍',
  thumbsdown: '👎',
  eyes: '👀',
  memo: '📝',
  page_facing_up: '📄',
  bar_chart: '📊',
  chart_with_upwards_trend: '📈',
  floppy_disk: '💾',
  zap: '⚡',
  construction: '🚧',
  repeat: '🔁',
  recycle: '♻️',
  broom: '🧹',
  scissors: '✂️',
  question: '❓',
  exclamation: '❗',
  bangbang: '‼️',
  skull: '💀',
  robot_face: '🤖',
  busts_in_silhouette: '👥',
  bust_in_silhouette: '👤',
  shield: '🛡️',
  key: '🔑',
  pushpin: '📌',
  link: '🔗',
  gear: '⚙️',
  octagonal_sign: '🛑',
  checkered_flag: '🏁',
  satellite: '📡',
  package: '📦',
  thread: '🧵',
  ballot_box_with_check: '☑️',
  black_square_button: '🔲',
  arrows_counterclockwise: '🔄',
  hourglass_done: '⌛',
  fast_forward: '⏩',
  alarm_clock: '⏰',
};

/** Display names of user ids, so `<@U0ONCALL01>` reads "@Dana" as in Slack. */
const userNames = new Map();

/** Tells the renderer the workspace's people (the console sets it from the double's state). */
export function setUserNames(users) {
  for (const user of users) userNames.set(user.id, user.name);
}

/** The block types this renderer draws; anything else shows the "unsupported block" fallback. */
export const SUPPORTED_BLOCKS = ['header', 'section', 'context', 'divider', 'actions', 'image', 'input', 'rich_text'];

export function escapeHtml(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function emoji(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] ?? whole);
}

/** Only http(s) and mailto links become anchors: a bot's text cannot inject `javascript:`. */
function safeHref(url) {
  return /^(https?:|mailto:)/i.test(url) ? url : undefined;
}

/** Inline mrkdwn of one line stretch without code: links, mentions, bold, italic, strike, emoji. */
function inline(text) {
  // Slack escapes &, < and > in text; links are <url|label>. Split links out before escaping the rest.
  const parts = [];
  let last = 0;
  const links = /<([^<>|]+)(?:\|([^<>]*))?>/g;
  for (let match; (match = links.exec(text));) {
    parts.push(styled(escapeHtml(unescapeSlack(text.slice(last, match.index)))));
    const target = unescapeSlack(match[1]);
    const label = match[2] !== undefined ? unescapeSlack(match[2]) : undefined;
    if (target.startsWith('@')) {
      const id = target.slice(1);
      parts.push(`<span class="mention">@${escapeHtml(label ?? userNames.get(id) ?? id)}</span>`);
    } else if (target.startsWith('#'))
      parts.push(`<span class="mention">#${escapeHtml(label ?? target.slice(1))}</span>`);
    else if (target.startsWith('!'))
      parts.push(`<span class="mention">@${escapeHtml(target.slice(1).split('^')[0])}</span>`);
    else {
      const href = safeHref(target);
      parts.push(
        href
          ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">${styled(escapeHtml(label ?? target))}</a>`
          : escapeHtml(label ?? target),
      );
    }
    last = match.index + match[0].length;
  }
  parts.push(styled(escapeHtml(unescapeSlack(text.slice(last)))));
  return parts.join('');
}

function unescapeSlack(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function styled(html) {
  return emoji(html)
    .replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s).,:;!?<])/g, '$1<b>$2</b>')
    .replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s).,:;!?<])/g, '$1<i>$2</i>')
    .replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s).,:;!?<])/g, '$1<s>$2</s>');
}

/** Slack's mrkdwn: ``` blocks, `code`, *bold*, _italic_, ~strike~, <links|label>, :emoji:, > quotes, newlines. */
export function mrkdwn(text) {
  const out = [];
  const fences = String(text).split('```');
  fences.forEach((chunk, index) => {
    if (index % 2 === 1) {
      out.push(`<pre>${escapeHtml(unescapeSlack(chunk.replace(/^\n/, '')))}</pre>`);
      return;
    }
    const lines = chunk.split('\n').map((line) => {
      const quote = /^(&gt;|>)\s?(.*)$/.exec(line);
      const body = quote ? quote[2] : line;
      const pieces = body.split('`');
      const html = pieces
        .map((piece, i) =>
          i % 2 === 1 && i < pieces.length - (pieces.length % 2 === 0 ? 1 : 0)
            ? `<code>${escapeHtml(unescapeSlack(piece))}</code>`
            : inline(piece),
        )
        .join('');
      return quote ? `<blockquote>${html}</blockquote>` : html;
    });
    out.push(lines.join('<br>').replace(/<\/blockquote><br><blockquote>/g, '<br>'));
  });
  return `<span class="mrkdwn">${out.join('')}</span>`;
}

/** A text object: mrkdwn or plain_text (with emoji shortcodes, as Slack's `emoji: true`). */
export function textObject(object) {
  if (!object || typeof object.text !== 'string') return '';
  return object.type === 'mrkdwn' ? mrkdwn(object.text) : emoji(escapeHtml(object.text));
}

function confirmAttribute(confirm) {
  if (!confirm) return '';
  const plain = (object) => (object && typeof object.text === 'string' ? object.text : '');
  const dialog = {
    title: plain(confirm.title),
    text: plain(confirm.text),
    confirm: plain(confirm.confirm) || 'Yes',
    deny: plain(confirm.deny) || 'Cancel',
    style: confirm.style === 'danger' ? 'danger' : 'primary',
  };
  return ` data-confirm="${escapeHtml(JSON.stringify(dialog))}"`;
}

/** An interactive element: buttons (styles, confirm, url) and images; anything else is named, not hidden. */
export function element(item, blockId, unsupported) {
  if (!item || typeof item !== 'object') return '';
  if (item.type === 'button') {
    const style = item.style === 'primary' || item.style === 'danger' ? ` ${item.style}` : '';
    const attributes =
      ` data-action-id="${escapeHtml(item.action_id ?? '')}" data-value="${escapeHtml(item.value ?? '')}"` +
      ` data-block-id="${escapeHtml(blockId ?? '')}"${item.url && safeHref(item.url) ? ` data-url="${escapeHtml(item.url)}"` : ''}` +
      confirmAttribute(item.confirm);
    return `<button type="button" class="sk${style}"${attributes}>${textObject(item.text)}</button>`;
  }
  if (item.type === 'image') {
    return `<img class="sk-image" alt="${escapeHtml(item.alt_text ?? '')}" src="${escapeHtml(safeHref(item.image_url ?? '') ?? '')}" width="48">`;
  }
  if (item.type === 'mrkdwn' || item.type === 'plain_text') return textObject(item);
  unsupported.push(`element ${item.type}`);
  return `<span class="block-unsupported">unsupported element: ${escapeHtml(item.type)}</span>`;
}

function richText(block) {
  const run = (element) => {
    if (element.type === 'text') {
      let html = escapeHtml(element.text ?? '').replace(/\n/g, '<br>');
      const style = element.style ?? {};
      if (style.code) html = `<code>${html}</code>`;
      if (style.bold) html = `<b>${html}</b>`;
      if (style.italic) html = `<i>${html}</i>`;
      return html;
    }
    if (element.type === 'link')
      return `<a href="${escapeHtml(safeHref(element.url ?? '') ?? '#')}">${escapeHtml(element.text ?? element.url ?? '')}</a>`;
    if (element.type === 'emoji') return EMOJI[element.name] ?? `:${escapeHtml(element.name)}:`;
    return escapeHtml(element.text ?? '');
  };
  return (block.elements ?? [])
    .map((section) => {
      const inner = (section.elements ?? []).map(run).join('');
      if (section.type === 'rich_text_preformatted') return `<pre>${inner}</pre>`;
      if (section.type === 'rich_text_quote') return `<blockquote>${inner}</blockquote>`;
      return `<div>${inner}</div>`;
    })
    .join('');
}

/** One block; an unknown type shows a visible fallback and is listed in `unsupported`. */
export function block(item, unsupported) {
  const id = item.block_id ?? '';
  switch (item.type) {
    case 'header':
      return `<div class="block block-header">${textObject(item.text)}</div>`;
    case 'divider':
      return '<hr class="block block-divider">';
    case 'section': {
      const fields = Array.isArray(item.fields)
        ? `<div class="fields">${item.fields.map((field) => `<div>${textObject(field)}</div>`).join('')}</div>`
        : '';
      const accessory = item.accessory
        ? `<div class="accessory">${element(item.accessory, id, unsupported)}</div>`
        : '';
      return `<div class="block block-section"><div>${textObject(item.text)}${fields}</div>${accessory}</div>`;
    }
    case 'context':
      return `<div class="block block-context">${(item.elements ?? []).map((each) => `<span>${element(each, id, unsupported)}</span>`).join('')}</div>`;
    case 'actions':
      return `<div class="block block-actions">${(item.elements ?? []).map((each) => element(each, id, unsupported)).join('')}</div>`;
    case 'image':
      return `<div class="block"><img alt="${escapeHtml(item.alt_text ?? '')}" src="${escapeHtml(safeHref(item.image_url ?? '') ?? '')}" style="max-width:100%"></div>`;
    case 'rich_text':
      return `<div class="block">${richText(item)}</div>`;
    case 'input': {
      const input = item.element ?? {};
      if (input.type !== 'plain_text_input') unsupported.push(`input element ${input.type}`);
      const limits =
        `${Number.isInteger(input.min_length) ? ` minlength="${input.min_length}"` : ''}` +
        `${Number.isInteger(input.max_length) ? ` maxlength="${input.max_length}"` : ''}${item.optional ? '' : ' required'}`;
      const field = input.multiline
        ? `<textarea rows="3"${limits} data-block-id="${escapeHtml(id)}" data-action-id="${escapeHtml(input.action_id ?? '')}" placeholder="${escapeHtml(input.placeholder?.text ?? '')}"></textarea>`
        : `<input${limits} data-block-id="${escapeHtml(id)}" data-action-id="${escapeHtml(input.action_id ?? '')}" placeholder="${escapeHtml(input.placeholder?.text ?? '')}">`;
      const hint = item.hint ? `<div class="hint">${textObject(item.hint)}</div>` : '';
      return `<div class="block block-input"><label>${textObject(item.label)}${item.optional ? ' <small>(optional)</small>' : ''}</label>${field}${hint}<div class="error" data-error-for="${escapeHtml(id)}"></div></div>`;
    }
    default:
      unsupported.push(`block ${item.type}`);
      return `<div class="block block-unsupported">unsupported block: ${escapeHtml(item.type)}</div>`;
  }
}

/** Blocks to HTML, with the list of anything drawn as the "unsupported" fallback (empty when all is supported). */
export function renderBlocks(blocks) {
  const unsupported = [];
  const html = (Array.isArray(blocks) ? blocks : []).map((item) => block(item, unsupported)).join('');
  return { html, unsupported };
}
