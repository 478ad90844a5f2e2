import { posix } from 'node:path';
import { badRequest } from '../server/status-error.js';

/** What a continue token holds: the list's revision and the key (relative to the list's prefix) to resume at. */
export interface ContinuePoint {
  /** The revision of the first page; -1 marks an "inconsistent" token handed out with a 410. */
  revision: number;
  /** Where the next page starts, relative to the list's key prefix (the last returned key plus `\0`). */
  start: string;
}

/** The apiserver's own encoding: unpadded base64url of `{"v":"meta.k8s.io/v1","rv":N,"start":"key\u0000"}`. */
export function encodeContinue(point: ContinuePoint): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: point.revision, start: point.start })).toString(
    'base64url',
  );
}

const invalid = (detail: string): never => {
  throw badRequest(`invalid continue token: continue key is not valid: ${detail}`);
};

/** Decodes a continue token, answering 400 for anything the API server would not accept. */
export function decodeContinue(token: string): ContinuePoint {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) invalid('illegal base64 data');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (error) {
    invalid(error instanceof Error ? error.message : String(error));
  }
  const body = (parsed ?? {}) as { v?: unknown; rv?: unknown; start?: unknown };
  if (body.v !== 'meta.k8s.io/v1') {
    throw badRequest(
      `invalid continue token: continue key is not valid: server does not recognize this encoded version ${String(body.v ?? '')}`,
    );
  }
  if (typeof body.rv !== 'number' || !Number.isInteger(body.rv) || body.rv === 0) {
    invalid('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof body.start !== 'string' || body.start === '') invalid('encoded start key empty (version meta.k8s.io/v1)');
  const start = body.start as string;
  // The server refuses keys that climb out of the list's prefix ("../secrets/..."), and so does the simulator.
  const rooted = start.startsWith('/') ? start : `/${start}`;
  if (posix.normalize(rooted) !== rooted || rooted.includes('/../')) invalid(start);
  return { revision: body.rv as number, start: rooted.slice(1) };
}
