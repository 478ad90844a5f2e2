import type { ServerResponse } from 'node:http';
import { resolveTimestampsInJson } from '../scenario/relative-time.js';
import type { StatusError } from './status-error.js';

/** How many list items are serialised per write: bounds memory per request whatever the list size. */
const CHUNK = 200;

/** JSON with relative timestamps resolved at `nowMs`. */
export function toJson(body: unknown, nowMs: number): string {
  return resolveTimestampsInJson(JSON.stringify(body), nowMs);
}

/** Sends a JSON body (relative timestamps resolved at `nowMs`) with its length. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  nowMs: number,
  contentType = 'application/json',
): void {
  const text = toJson(body, nowMs);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Sends plain text as the API server's non-resource handlers do (`nosniff`, explicit length). */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Sends a {@link StatusError} as its `Status` body with its headers (`Retry-After`). */
export function sendStatus(res: ServerResponse, error: StatusError, nowMs: number): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  sendJson(res, error.code, error.status, nowMs);
}

function write(res: ServerResponse, chunk: string): Promise<void> {
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Streams text a chunk at a time, waiting for the socket to drain, with no `Content-Length` (chunked, as the API server
 * streams container logs): a log of megabytes is never one string in memory.
 */
export async function sendTextStream(
  res: ServerResponse,
  chunks: Iterable<string>,
  contentType = 'text/plain; charset=utf-8',
): Promise<void> {
  res.writeHead(200, { 'Content-Type': contentType, 'X-Content-Type-Options': 'nosniff' });
  for (const chunk of chunks) {
    if (res.destroyed) return;
    await write(res, chunk);
  }
  res.end();
}

/**
 * Streams `{...head, items: [...]}` (or `rows` for a Table): the envelope once, then the items a chunk at a time,
 * waiting for the socket to drain, so a list of 100,000 objects is never one string in memory.
 */
export async function sendList(
  res: ServerResponse,
  head: Record<string, unknown>,
  arrayField: 'items' | 'rows',
  items: Iterable<unknown>,
  nowMs: number,
  contentType = 'application/json',
): Promise<void> {
  const envelope = toJson({ ...head, [arrayField]: [] }, nowMs);
  // The array is the envelope's last field: cut its closing `]}` and write the items in between.
  const prefix = envelope.slice(0, -2);
  res.writeHead(200, { 'Content-Type': contentType });
  await write(res, prefix);
  let first = true;
  let chunk: string[] = [];
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    await write(res, (first ? '' : ',') + resolveTimestampsInJson(chunk.join(','), nowMs));
    first = false;
    chunk = [];
  };
  // Items may be built lazily (an unlimited list of a generated source): take them a chunk at a time.
  for (const item of items) {
    if (res.destroyed) return;
    chunk.push(JSON.stringify(item));
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  res.end(']}');
}
