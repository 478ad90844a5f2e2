/** Pino's numeric levels, as the names a reader expects. */
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** Fields every pino line carries, left out of the readable form. */
const CHROME = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v']);

/**
 * One log line as the demo prints it: `bot       info  message key=value`. Pino's JSON is for machines; a newcomer
 * watching four processes in one terminal needs the role and the message first. Anything that is not JSON is shown
 * as it came.
 */
export function readableLogLine(role: string, line: string): string {
  const prefix = role.padEnd(9);
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${prefix} ${line}`;
  }
  if (typeof entry !== 'object' || entry === null) return `${prefix} ${line}`;
  const level = LEVELS[Number(entry.level)] ?? String(entry.level ?? '');
  const details = Object.entries(entry)
    .filter(([key]) => !CHROME.has(key))
    .map(([key, value]) => {
      if (key === 'err' && value && typeof value === 'object') {
        return `err=${JSON.stringify((value as { message?: unknown }).message ?? value)}`;
      }
      return `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
    })
    .join(' ');
  return `${prefix} ${level.padEnd(5)} ${String(entry.msg ?? '')}${details ? `  ${details}` : ''}`;
}

/** Splits a stream's chunks into whole lines (a chunk may end mid-line). */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  let rest = '';
  return (chunk) => {
    rest += chunk.toString();
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') onLine(line);
  };
}
