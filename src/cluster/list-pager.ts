import type { z } from 'zod';
import { KubeRequestError } from '../core/errors.js';
import { type ResourceLocation, resourcePath } from './api-paths.js';
import { statusError } from './kube-request-errors.js';
import { ListEnvelopeSchema, validate } from './kube-schemas.js';
import type { ReadOnlyTransport, TransportResponse } from './read-only-transport.js';

export interface ListRequest<T> {
  location: ResourceLocation;
  /** Selectors and other list parameters; `limit` and `continue` are the pager's. */
  params?: URLSearchParams;
  /** Objects per page, in objects. */
  pageSize: number;
  /** Validates and types each item. */
  schema: z.ZodType<T>;
  /** Stops the listing: the page in flight is aborted and no further page is asked for. */
  signal?: AbortSignal;
}

/**
 * Lists objects one page at a time with `limit` and `continue`. The next page is requested only when the consumer
 * has taken every item of the current one (an async generator does nothing between `yield`s), so an aggregating
 * caller holds one page at most; breaking out of the loop stops the listing.
 *
 * When a continue token has expired (410 Gone, the API server's etcd compacted past the list's snapshot):
 * - if the `Status` carries a fresh token in `metadata.continue`, the list goes on from where it stopped, at the
 *   current revision (the API server's "inconsistent continue": no item twice, but pages come from two snapshots);
 * - otherwise it restarts once from the beginning, so the caller may see some items twice. Remembering the UIDs
 *   already seen would hold the whole list in memory, which is what paging is for avoiding; a second 410 throws.
 */
export async function* listObjects<T>(
  transport: ReadOnlyTransport,
  request: ListRequest<T>,
): AsyncGenerator<T, void, undefined> {
  let token: string | undefined;
  let restarted = false;
  // Bounds the 410 handling, so a server that answers 410 to every token cannot keep the pager spinning.
  let expiredInARow = 0;
  for (;;) {
    const params = new URLSearchParams(request.params);
    params.set('limit', String(request.pageSize));
    if (token !== undefined) params.set('continue', token);
    const path = resourcePath(request.location, params);
    const response = await transport.send('GET', path, request.signal ? { signal: request.signal } : {});

    if (response.status === 410 && token !== undefined && ++expiredInARow <= 2) {
      const fresh = freshContinueToken(response);
      if (fresh !== undefined) {
        token = fresh;
        continue;
      }
      if (!restarted) {
        restarted = true;
        token = undefined;
        continue;
      }
    }
    if (response.status < 200 || response.status > 299) {
      throw statusError(response.status, response.body, 'GET', path, transport.description);
    }

    expiredInARow = 0;
    const page = validate(ListEnvelopeSchema, parseJson(response, path, transport.description), '', `GET ${path}`);
    for (const [index, item] of page.items.entries()) {
      yield validate(request.schema, item, `items[${index}]`, `GET ${path}`);
    }
    token = page.metadata?.continue || undefined;
    if (token === undefined) return;
  }
}

/** The token an expired-continue `Status` offers for continuing at the current revision. */
function freshContinueToken(response: TransportResponse): string | undefined {
  try {
    const status = JSON.parse(response.body) as { metadata?: { continue?: unknown } } | null;
    const token = status?.metadata?.continue;
    return typeof token === 'string' && token !== '' ? token : undefined;
  } catch {
    return undefined;
  }
}

/** The body as JSON, or a message that says what came instead. */
export function parseJson(response: TransportResponse, path: string, where: string): unknown {
  try {
    return JSON.parse(response.body);
  } catch (error) {
    throw new KubeRequestError(
      `GET ${path} on ${where} answered ${response.contentType ?? 'no content type'} that is not JSON: ${response.body.slice(0, 120)}`,
      response.status,
      { cause: error },
    );
  }
}
