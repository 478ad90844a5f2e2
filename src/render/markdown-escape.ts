/**
 * Escapes text for GitHub-flavoured Markdown so it shows as written: emphasis, code, link and HTML characters get a
 * backslash, as do characters that would start a heading, quote or list at the beginning of a line.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]<>|~&]/g, '\\$&')
    .replace(/^(\s*)(#{1,6}(?=\s|$)|[+-](?=\s|$)|-{2,}\s*$|=+\s*$)/gm, '$1\\$2')
    .replace(/^(\s*\d+)([.)])(?=\s|$)/gm, '$1\\$2');
}

/**
 * Like {@link escapeMarkdown}, but `inline code` spans written by a check (commands in recommendations) stay code.
 */
export function escapeMarkdownProse(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, index) => (index % 2 === 1 ? part : escapeMarkdown(part)))
    .join('');
}

/** A table cell: escaped, with `|` escaped (GFM splits cells on it even in code) and line breaks as `<br>`. */
export function escapeTableCell(text: string): string {
  return escapeMarkdown(text).replace(/\r?\n/g, '<br>');
}

/** An inline code span that survives backticks inside: the fence is longer than any backtick run in the text. */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block whose fence is longer than any backtick run in the text, so an excerpt cannot close it early. */
export function codeBlock(text: string, language = 'text'): string {
  const longest = Math.max(0, ...(text.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text.replace(/\s+$/, '')}\n${fence}`;
}
