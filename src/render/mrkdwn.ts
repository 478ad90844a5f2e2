/** Slack mrkdwn text: escaping, and cutting to a limit with an explicit marker. */

/** Slack's three control characters: `&`, `<` and `>` start entities, links and mentions unless escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Control characters from logs are shown as �; tabs become spaces. */
export function sanitizeForSlack(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/\t/g, '    ').replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '\ufffd');
}

/** Says what was cut and where the rest is. */
export function truncationMarker(omittedChars: number): string {
  return `… (truncated, ${omittedChars} more characters — full output in JSON/markdown)`;
}

/** The escaped length of one character. */
function escapedLength(char: string): number {
  return char === '&' ? 5 : char === '<' || char === '>' ? 4 : char.length;
}

/**
 * The longest start of `raw` whose escaped form fits `max` characters, never cutting an entity or a surrogate
 * pair. Returns the escaped text and how many characters of `raw` were left out.
 */
export function escapedPrefix(raw: string, max: number): { text: string; omitted: number } {
  let used = 0;
  let end = 0;
  for (const char of raw) {
    const size = escapedLength(char);
    if (used + size > max) break;
    used += size;
    end += char.length;
  }
  return { text: escapeMrkdwn(raw.slice(0, end)), omitted: raw.length - end };
}

/**
 * `raw`, sanitised and escaped, in at most `max` characters: whole when it fits, otherwise cut and ended with
 * {@link truncationMarker} (the count is of characters of `raw` left out). Nothing is dropped silently.
 */
export function fitMrkdwn(raw: string, max: number): string {
  const clean = sanitizeForSlack(raw);
  const whole = escapeMrkdwn(clean);
  if (whole.length <= max) return whole;
  const room = Math.max(0, max - truncationMarker(clean.length).length - 1);
  const { text, omitted } = escapedPrefix(clean, room);
  return `${text.trimEnd()} ${truncationMarker(omitted)}`;
}

/** Backtick runs would close Slack's code block early: a zero-width space breaks them up. */
export function neutralizeFences(text: string): string {
  return text.replace(/```/g, '`\u200b`\u200b`');
}

/** Plain text (header, button) in at most `max` characters, cut with "…" when needed. */
export function fitPlainText(text: string, max: number): string {
  const chars = [...sanitizeForSlack(text)];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

/** `raw` escaped in at most `max` characters, ended with "…" when cut: for lists that already point to the full report. */
export function clipMrkdwn(raw: string, max: number): string {
  const clean = sanitizeForSlack(raw);
  const whole = escapeMrkdwn(clean);
  return whole.length <= max ? whole : `${escapedPrefix(clean, max - 1).text}…`;
}
