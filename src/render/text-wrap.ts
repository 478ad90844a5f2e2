/** Width in columns of plain text (code points; no ANSI codes expected: colour is applied after wrapping). */
export function visibleLength(text: string): number {
  return [...text].length;
}

function chunks(word: string, size: number): string[] {
  const chars = [...word];
  const out: string[] = [];
  for (let start = 0; start < chars.length; start += size) out.push(chars.slice(start, start + size).join(''));
  return out;
}

/**
 * Word-wraps `text` to `width` columns. The first line starts with `firstPrefix`, the others with `restPrefix`
 * (a hanging indent). Words longer than a line are broken; newlines in `text` start new lines.
 */
export function wrapWords(text: string, width: number, firstPrefix = '', restPrefix = firstPrefix): string[] {
  const lines: string[] = [];
  let line = firstPrefix;
  let empty = true;
  const room = (prefix: string) => Math.max(8, width - visibleLength(prefix));
  const newLine = () => {
    lines.push(line.trimEnd());
    line = restPrefix;
    empty = true;
  };
  text.split(/\r?\n/).forEach((paragraph, index) => {
    if (index > 0) newLine();
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const needed = visibleLength(word) + (empty ? 0 : 1);
      if (!empty && visibleLength(line) + needed > width) newLine();
      const size = Math.min(room(line), room(restPrefix));
      const pieces = visibleLength(word) > room(line) ? chunks(word, size) : [word];
      pieces.forEach((piece, pieceIndex) => {
        if (pieceIndex > 0) newLine();
        line += `${empty ? '' : ' '}${piece}`;
        empty = false;
      });
    }
  });
  lines.push(line.trimEnd());
  return lines;
}

/**
 * Breaks one line of an excerpt (a log line) to `width` columns without reflowing it: spacing inside is kept,
 * breaks fall on a space when one is in the second half of the line (else mid-word), and continuation lines
 * start with `restPrefix` so they read as the same log line.
 */
export function wrapHard(line: string, width: number, firstPrefix: string, restPrefix: string): string[] {
  let rest = [...line.trimEnd()];
  const out: string[] = [];
  let prefix = firstPrefix;
  while (rest.length > 0 || out.length === 0) {
    const room = Math.max(8, width - visibleLength(prefix));
    let cut = rest.length <= room ? rest.length : room;
    if (cut < rest.length) {
      const space = rest.lastIndexOf(' ', room);
      if (space >= room / 2) cut = space;
    }
    out.push(`${prefix}${rest.slice(0, cut).join('')}`.trimEnd());
    rest = rest.slice(cut);
    // The space a break fell on is not carried to the next line.
    if (rest[0] === ' ' && out.length > 0) rest = rest.slice(1);
    prefix = restPrefix;
  }
  return out;
}
