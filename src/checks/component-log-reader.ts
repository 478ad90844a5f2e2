import type { KubeReader } from '../ports/kube-reader.js';
import { parseLogLine, type LogLine } from './log-line-parser.js';

/** Which log to read and how much of it at most. */
export interface BoundedLogRequest {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
  /** At most this many of the newest lines. */
  tailLines: number;
  /** Lines older than this are not asked for (s). */
  sinceSeconds: number;
  /** Never more than this many bytes over all requests for this log. (bytes) */
  maxBytes: number;
  /** Dates klog headers; lines before `now - sinceSeconds` are dropped if the server sent them anyway. */
  nowMs: number;
  signal?: AbortSignal;
}

export interface BoundedLog {
  lines: LogLine[];
  /** Body bytes received over all requests. */
  bytes: number;
  requests: number;
  /**
   * True when the lookback held more than was read: more than `tailLines` lines, or more than `maxBytes`. Counts are
   * then lower bounds.
   */
  partial: boolean;
  /**
   * When the lines selected held more than `maxBytes`: the oldest part and the newest part were read, and the lines
   * written between these two times (ms since the epoch) were not.
   */
  gap?: { from: number; to: number };
}

/** Complete lines of a body; the last one is dropped when the body was cut at `limit` (it may be partial). */
function completeLines(body: string, limit: number): string[] {
  const lines = body.split('\n');
  const last = lines.pop() ?? '';
  // A body that ends in a newline leaves '' here; a body cut inside a line leaves its partial last line.
  if (last !== '' && Buffer.byteLength(body) < limit) lines.push(last);
  return lines.filter((line) => line !== '');
}

const key = (line: LogLine): string => `${line.time ?? ''} ${line.raw}`;

/**
 * Reads the newest part of a container's log within a byte budget. The API server's `limitBytes` keeps the *first*
 * bytes of what `tailLines` and `sinceSeconds` select, so one request cut at the budget would return the oldest
 * lines of a chatty log and none of the newest. Half the budget goes to that first request; when it comes back cut,
 * the other half asks again for as many of the newest lines as fit, sized from the first answer's line length.
 * Both answers are capped by `limitBytes`, which the reader also enforces, so a log costs at most `maxBytes`.
 */
export async function readBoundedLog(kube: KubeReader, request: BoundedLogRequest): Promise<BoundedLog> {
  const { namespace, pod, container, previous, tailLines, sinceSeconds, maxBytes, nowMs, signal } = request;
  const since = nowMs - sinceSeconds * 1000;
  const ask = (lines: number, limitBytes: number) =>
    kube.podLog(namespace, pod, {
      container,
      previous,
      tailLines: lines,
      sinceSeconds,
      limitBytes,
      timestamps: true,
      ...(signal ? { signal } : {}),
    });
  const parse = (texts: readonly string[]) =>
    texts.map((text) => parseLogLine(text, nowMs)).filter((line) => line.time === undefined || line.time >= since);

  const firstLimit = Math.max(1, Math.floor(maxBytes / 2));
  const firstBody = await ask(tailLines, firstLimit);
  const firstBytes = Buffer.byteLength(firstBody);
  const firstTexts = completeLines(firstBody, firstLimit);
  const first = parse(firstTexts);
  // As many lines as asked for: the lookback may hold older ones that tailLines left out.
  if (firstBytes < firstLimit) {
    return { lines: first, bytes: firstBytes, requests: 1, partial: firstTexts.length >= tailLines };
  }

  // Cut: the first answer holds the oldest lines of the window. Ask for the newest that fit in the rest.
  const secondLimit = maxBytes - firstLimit;
  const perLine =
    firstTexts.length > 0
      ? firstTexts.reduce((sum, text) => sum + Buffer.byteLength(text) + 1, 0) / firstTexts.length
      : secondLimit;
  const newest = Math.max(1, Math.min(tailLines, Math.floor((secondLimit / perLine) * 0.9)));
  const secondBody = await ask(newest, secondLimit);
  const second = parse(completeLines(secondBody, secondLimit));
  const bytes = firstBytes + Buffer.byteLength(secondBody);

  // The two answers overlap when the window was only a little larger than the first half: keep each line once.
  const lastFirst = first.at(-1)?.time;
  const seen = new Set(first.filter((line) => line.time === lastFirst).map(key));
  const fresh = second.filter(
    (line) =>
      lastFirst === undefined ||
      line.time === undefined ||
      line.time > lastFirst ||
      (line.time === lastFirst && !seen.has(key(line))),
  );
  const overlapped = fresh.length < second.length;
  const firstNew = fresh[0]?.time;
  return {
    lines: [...first, ...fresh],
    bytes,
    requests: 2,
    partial: true,
    ...(!overlapped && lastFirst !== undefined && firstNew !== undefined
      ? { gap: { from: lastFirst, to: firstNew } }
      : {}),
  };
}
