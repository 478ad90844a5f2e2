/**
 * One line of a control-plane component's log, in any of the formats Kubernetes components and etcd write:
 *
 * - klog text: `E0731 02:29:23.425237       1 reflector.go:125] k8s.io/…: Failed to list *v1.Pod: …` (the letter is the
 *   severity: Info, Warning, Error, Fatal);
 * - klog structured text: `E1124 08:36:02.411930       1 status.go:71] "Unhandled Error" err="…" logger="…"`;
 * - JSON: etcd's zap (`{"level":"warn","ts":"…","msg":"…","error":"…"}`) and Kubernetes' `--logging-format=json`
 *   (`{"ts":1580306777.04728,"msg":"…","err":"…"}`: no level, an error line is the one with `err`);
 * - etcd ≤ 3.4's capnslog: `2017-05-18 07:47:07.863538 W | etcdserver: …`;
 * - a Go panic: `panic: …`.
 *
 * The API server prefixes each line with the time the runtime received it when asked (`timestamps=true`); a raw CRI
 * log file line (`2022-01-12T21:16:43.834720026+00:00 stderr F …`) is accepted too.
 */

export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | 'fatal';
export type LogFormat = 'klog' | 'klog-structured' | 'json' | 'capnslog' | 'panic' | 'plain';

export interface LogLine {
  /** When it was written, ms since the epoch: the runtime's timestamp, else the line's own. */
  time?: number;
  /** Unknown for lines of no known format (stack traces, continuation lines). */
  level?: LogLevel;
  format: LogFormat;
  /** The message without its header; for structured lines the message and its error, `msg: err`. */
  message: string;
  /** The line as read, without the runtime's timestamp. */
  raw: string;
}

/** `2026-11-24T02:41:58.118734123Z ` (RFC 3339, any fraction, Z or an offset), optionally `stderr F ` after it. */
const RUNTIME_PREFIX =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) (?:(?:stdout|stderr) [FP] )?/;
const KLOG = /^([IWEF])(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})\s+\d+\s+[^\s\]]+\]\s?(.*)$/;
const CAPNSLOG = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ([CEWNID]) \| (.*)$/;
const PANIC = /^panic: /;

const KLOG_LEVELS: Record<string, LogLevel> = { I: 'info', W: 'warning', E: 'error', F: 'fatal' };
const CAPNSLOG_LEVELS: Record<string, LogLevel> = {
  C: 'fatal',
  E: 'error',
  W: 'warning',
  N: 'info',
  I: 'info',
  D: 'debug',
};
const ZAP_LEVELS: Record<string, LogLevel> = {
  debug: 'debug',
  info: 'info',
  warn: 'warning',
  warning: 'warning',
  error: 'error',
  dpanic: 'error',
  panic: 'fatal',
  fatal: 'fatal',
};

/** Parses Go's `strconv.Quote` form (what klog writes for structured values), returning it and where it ended. */
function goQuoted(text: string, start: number): { value: string; end: number } | undefined {
  if (text[start] !== '"') return undefined;
  let value = '';
  for (let index = start + 1; index < text.length; index++) {
    const char = text[index] as string;
    if (char === '"') return { value, end: index + 1 };
    if (char !== '\\') {
      value += char;
      continue;
    }
    const next = text[index + 1] ?? '';
    index += 1;
    if (next === 'n') value += '\n';
    else if (next === 't') value += '\t';
    else if (next === 'x' || next === 'u') {
      const width = next === 'x' ? 2 : 4;
      value += String.fromCharCode(Number.parseInt(text.slice(index + 1, index + 1 + width), 16) || 0x3f);
      index += width;
    } else value += next;
  }
  return undefined;
}

/** klog's structured text: `"message" key="quoted value" key=bare …`; `undefined` when it is not. */
function structured(text: string): { message: string; values: Map<string, string> } | undefined {
  const head = goQuoted(text, 0);
  if (!head) return undefined;
  const values = new Map<string, string>();
  let index = head.end;
  while (index < text.length) {
    const pair = /^\s+([\w.-]+)=/.exec(text.slice(index));
    if (!pair) break;
    index += pair[0].length;
    const quoted = goQuoted(text, index);
    if (quoted) {
      values.set(pair[1] as string, quoted.value);
      index = quoted.end;
    } else {
      const bare = /^\S*/.exec(text.slice(index))?.[0] ?? '';
      values.set(pair[1] as string, bare);
      index += bare.length;
    }
  }
  return { message: head.value, values };
}

/** A klog header has month, day and time but no year: the latest such moment not after `nowMs` (UTC). */
function klogTime(parts: string[], nowMs: number): number {
  const [month, day, hour, minute, second, micros] = parts.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const year = new Date(nowMs).getUTCFullYear();
  const at = (y: number) => Date.UTC(y, month - 1, day, hour, minute, second, Math.floor(micros / 1000));
  // A minute of slack: the node's clock may run a little ahead of Quorum's.
  return at(year) > nowMs + 60_000 ? at(year - 1) : at(year);
}

/** JSON fields quoted with the message: how long a slow etcd request took, against what. */
const JSON_CONTEXT = ['took', 'expected-duration'] as const;

function withError(message: string, error: unknown): string {
  if (error === undefined || error === null || error === '') return message;
  const text = typeof error === 'string' ? error : JSON.stringify(error);
  return message ? `${message}: ${text}` : text;
}

function jsonLine(body: string): Omit<LogLine, 'raw'> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  const message = typeof record.msg === 'string' ? record.msg : '';
  const error = record.error ?? record.err;
  let level: LogLevel | undefined;
  if (typeof record.level === 'string') level = ZAP_LEVELS[record.level.toLowerCase()];
  // Kubernetes' JSON format has no level: ErrorS writes `err` (the first releases with `"v":0` as well), InfoS not.
  else if ('msg' in record) level = 'err' in record ? 'error' : 'info';
  let time: number | undefined;
  if (typeof record.ts === 'string') time = Date.parse(record.ts);
  // Seconds since the epoch; the first releases of the format wrote milliseconds.
  else if (typeof record.ts === 'number') time = record.ts > 1e11 ? record.ts : record.ts * 1000;
  // etcd puts what makes a slow request slow in fields of their own: keep them with the message.
  const context = JSON_CONTEXT.flatMap((key) =>
    typeof record[key] === 'string' || typeof record[key] === 'number' ? [`${key} ${String(record[key])}`] : [],
  );
  return {
    format: 'json',
    message: withError(context.length > 0 ? `${message} (${context.join(', ')})` : message, error),
    ...(level ? { level } : {}),
    ...(time !== undefined && Number.isFinite(time) ? { time } : {}),
  };
}

/**
 * Reads one line. `nowMs` dates klog headers, which have no year. The runtime's timestamp, when present, wins over
 * the line's own time: it is in UTC and has a year.
 */
export function parseLogLine(text: string, nowMs: number): LogLine {
  let raw = text.replace(/\r$/, '');
  let runtimeTime: number | undefined;
  const prefix = RUNTIME_PREFIX.exec(raw);
  if (prefix) {
    const parsed = Date.parse(prefix[1] as string);
    if (!Number.isNaN(parsed)) {
      runtimeTime = parsed;
      raw = raw.slice(prefix[0].length);
    }
  }
  const timed = (line: Omit<LogLine, 'raw'>): LogLine => {
    const time = runtimeTime ?? line.time;
    return { ...line, raw, ...(time === undefined ? {} : { time }) };
  };

  const klog = KLOG.exec(raw);
  if (klog) {
    const level = KLOG_LEVELS[klog[1] as string] as LogLevel;
    const time = klogTime(klog.slice(2, 8), nowMs);
    const body = klog[8] ?? '';
    const fields = body.startsWith('"') ? structured(body) : undefined;
    if (fields) {
      return timed({
        format: 'klog-structured',
        level,
        time,
        message: withError(fields.message, fields.values.get('err')),
      });
    }
    return timed({ format: 'klog', level, time, message: body });
  }
  if (raw.startsWith('{')) {
    const json = jsonLine(raw);
    if (json) return timed(json);
  }
  const capnslog = CAPNSLOG.exec(raw);
  if (capnslog) {
    const time = Date.parse(`${capnslog[1]}T${capnslog[2]}Z`);
    return timed({
      format: 'capnslog',
      level: CAPNSLOG_LEVELS[capnslog[3] as string] as LogLevel,
      message: capnslog[4] ?? '',
      ...(Number.isNaN(time) ? {} : { time }),
    });
  }
  if (PANIC.test(raw)) return timed({ format: 'panic', level: 'fatal', message: raw });
  return timed({ format: 'plain', message: raw });
}
