import type { PodLog } from '../scenario/scenario.js';
import { timestampMs } from '../scenario/relative-time.js';

/** One line of a container's log and when the runtime received it (ms since the epoch). */
export interface TimedLine {
  time: number;
  text: string;
}

/**
 * One scenario log entry laid out in time: `count` lines whose times never decrease, built on demand, so a
 * component that "printed megabytes a minute" for an hour costs nothing until a request reaches its lines.
 */
interface Run {
  count: number;
  time(index: number): number;
  text(index: number): string;
}

const KLOG_HEADER = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}\.\d{6}/;
const CAPNSLOG_HEADER = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}(?= [CEWNID] \| )/;
const JSON_TS_TEXT = /^(\{[^\n]*?"ts":)"[^"]*"/;
const JSON_TS_NUMBER = /^(\{[^\n]*?"ts":)\d+(?:\.\d+)?/;
const PLACEHOLDER = /\{\{(line-time|time ([^}]+))\}\}/g;

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/**
 * The line as if written at `ms`: its klog (`E1124 02:41:58.118734`), capnslog (`2017-05-18 07:47:06.357980`) or JSON
 * (`"ts":…`) header carries that time (UTC, as in containers), and `{{line-time}}` / `{{time -9m}}` are filled in.
 */
export function stampLine(text: string, ms: number, nowMs: number): string {
  const date = new Date(ms);
  const micros = `${pad(date.getUTCMilliseconds(), 3)}000`;
  const clock = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${micros}`;
  const iso = date.toISOString().replace(/\.(\d{3})Z$/, `.$1000Z`);
  let out = text
    .replace(
      KLOG_HEADER,
      (_match, level: string) => `${level}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())} ${clock}`,
    )
    .replace(CAPNSLOG_HEADER, `${iso.slice(0, 10)} ${clock}`)
    .replace(JSON_TS_TEXT, `$1"${iso}"`)
    .replace(JSON_TS_NUMBER, `$1${(ms / 1000).toFixed(6)}`);
  if (out.includes('{{')) {
    out = out.replace(PLACEHOLDER, (match, _all: string, expression: string | undefined) => {
      // Go's x509 errors print times as RFC 3339 to the second.
      if (expression === undefined) return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
      const at = timestampMs(expression.trim(), nowMs);
      return at === undefined ? match : new Date(Math.floor(at / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    });
  }
  return out;
}

function runOf(entry: PodLog, endMs: number, nowMs: number): Run {
  const lines = entry.text.replace(/\n$/, '').split('\n');
  const span = entry.spacingMs * (lines.length - 1);
  const from = entry.repeat ? timestampMs(entry.repeat.from, nowMs) : undefined;
  const every = entry.repeat?.everyMs ?? 1;
  const repetitions = from === undefined ? 1 : Math.max(1, Math.floor((endMs - from) / every) + 1);
  const time = (index: number): number => {
    const repetition = Math.floor(index / lines.length);
    const line = index % lines.length;
    return endMs - (repetitions - 1 - repetition) * every - span + line * entry.spacingMs;
  };
  return {
    count: repetitions * lines.length,
    time,
    text: (index) => stampLine(lines[index % lines.length] ?? '', time(index), nowMs),
  };
}

/** The first index of a run whose time is at or after `ms` (`count` when none is). */
function firstAtOrAfter(run: Run, ms: number): number {
  let low = 0;
  let high = run.count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (run.time(middle) < ms) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The lines of one container's log in the order the runtime wrote them: the scenario's entries for that container
 * merged by time. `endOf` gives an entry's default last-line time (its container's termination, or now).
 */
export class LogTimeline {
  private readonly runs: Run[];

  constructor(entries: readonly PodLog[], endOf: (entry: PodLog) => number, nowMs: number) {
    this.runs = entries.map((entry) =>
      runOf(entry, entry.at === undefined ? endOf(entry) : (timestampMs(entry.at, nowMs) ?? nowMs), nowMs),
    );
  }

  /** Lines from the first one at or after `sinceMs` (or the start) to the end, oldest first. */
  *forward(sinceMs?: number): Generator<TimedLine> {
    const positions = this.runs.map((run) => (sinceMs === undefined ? 0 : firstAtOrAfter(run, sinceMs)));
    for (;;) {
      let pick = -1;
      for (let index = 0; index < this.runs.length; index++) {
        const run = this.runs[index] as Run;
        const position = positions[index] as number;
        if (position >= run.count) continue;
        if (pick < 0 || run.time(position) < (this.runs[pick] as Run).time(positions[pick] as number)) pick = index;
      }
      if (pick < 0) return;
      const run = this.runs[pick] as Run;
      const position = positions[pick] as number;
      positions[pick] = position + 1;
      yield { time: run.time(position), text: run.text(position) };
    }
  }

  /** The last `count` lines, oldest first. */
  tail(count: number): TimedLine[] {
    const positions = this.runs.map((run) => run.count - 1);
    const lines: TimedLine[] = [];
    while (lines.length < count) {
      let pick = -1;
      for (let index = this.runs.length - 1; index >= 0; index--) {
        const position = positions[index] as number;
        if (position < 0) continue;
        const run = this.runs[index] as Run;
        if (pick < 0 || run.time(position) > (this.runs[pick] as Run).time(positions[pick] as number)) pick = index;
      }
      if (pick < 0) break;
      const run = this.runs[pick] as Run;
      const position = positions[pick] as number;
      positions[pick] = position - 1;
      lines.push({ time: run.time(position), text: run.text(position) });
    }
    return lines.reverse();
  }
}
