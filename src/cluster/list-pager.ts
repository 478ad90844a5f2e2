import type { z } from 'zod';
import { anySignal } from '../core/abort.js';
import { KubeRequestError, KubeResponseTooLargeError } from '../core/errors.js';
import { type ResourceLocation, resourcePath } from './api-paths.js';
import { statusError } from './kube-request-errors.js';
import { ListEnvelopeSchema, validate, type ListEnvelope } from './kube-schemas.js';
import { splitListBody } from './list-body.js';
import type { ReadOnlyTransport, TransportResponse } from './read-only-transport.js';

export interface ListRequest<T> {
  location: ResourceLocation;
  /** Selectors and other list parameters; `limit`, `continue` and `resourceVersion` are the pager's. */
  params?: URLSearchParams;
  /** Objects per page, in objects. */
  pageSize: number;
  /** Validates and types each item. */
  schema: z.ZodType<T>;
  /**
   * `'0'` asks for any version (the API server's watch cache) on the first request; continued pages never carry it
   * (the server refuses a resourceVersion other than "" or "0" with `continue`, and client-go's pager drops it).
   */
  resourceVersion?: '0';
  /** The `Accept` header, for another representation (metadata only). @defaultValue application/json */
  accept?: string;
  /** Stops the listing: the page in flight is aborted and no further page is asked for. */
  signal?: AbortSignal;
}

/** One page as the pager hands it on: its items, parsed and validated one by one as they are taken. */
interface Page {
  path: string;
  /** How many items the page has. */
  readonly count: number;
  /** The item at `index`, parsed (from its own bytes when the body could be cut up; see `list-body.ts`). */
  item(index: number): unknown;
  next: string | undefined;
  /** Done with the page: its buffer may serve another answer. */
  recycle(): void;
}

/**
 * Lists objects one page at a time with `limit` and `continue`, one page ahead: the next page is asked for while the
 * consumer works through this one, so the API server's time and the consumer's overlap. The next request leaves as
 * soon as this page's continue token is known: from the head of the answer (kube-apiserver writes a list's metadata
 * before its items) when it can be read there, else once the page is parsed; a token read early is checked against
 * the parsed page, and a request made with a wrong one is dropped and made again. Besides the page being consumed,
 * at most one more is in flight or waiting, so an aggregating caller holds two pages at most; breaking out of the
 * loop aborts the page in flight and asks for nothing more. Items are parsed one by one (see `list-body.ts`) and
 * validated as they are taken, so a malformed item fails the listing where it stands; a page's receive buffer goes
 * back to the transport once the page is consumed.
 *
 * When a continue token has expired (410 Gone, the API server's etcd compacted past the list's snapshot):
 * - if the `Status` carries a fresh token in `metadata.continue`, the list goes on from where it stopped, at the
 *   current revision (the API server's "inconsistent continue": no item twice, but pages come from two snapshots);
 * - otherwise it restarts once from the beginning, so the caller may see some items twice. Remembering the UIDs
 *   already seen would hold the whole list in memory, which is what paging is for avoiding; a second 410 throws.
 *
 * With `resourceVersion: '0'` an API server answers from its watch cache and may ignore `limit`, sending the whole
 * list at once. When that answer is over the transport's size cap, the list starts again without it, paged from
 * etcd, rather than failing.
 */
export async function* listObjects<T>(
  transport: ReadOnlyTransport,
  request: ListRequest<T>,
): AsyncGenerator<T, void, undefined> {
  let restarted = false;
  let anyVersion = request.resourceVersion;
  // Bounds the 410 handling, so a server that answers 410 to every token cannot keep the pager spinning.
  let expiredInARow = 0;
  /** True while the consumer waits for `current`: only then may the page after it be asked for. */
  let waiting = false;

  async function fetchPage(flight: Flight): Promise<Page> {
    let token = flight.token;
    for (;;) {
      const params = new URLSearchParams(request.params);
      params.set('limit', String(request.pageSize));
      if (token !== undefined) params.set('continue', token);
      else if (anyVersion !== undefined) params.set('resourceVersion', anyVersion);
      const path = resourcePath(request.location, params);
      let response: TransportResponse;
      try {
        response = await transport.send('GET', path, {
          ...(request.accept ? { accept: request.accept } : {}),
          signal: flight.signal,
          onBodyStart: (head) => flight.onHead(sniffContinue(head)),
        });
      } catch (error) {
        if (error instanceof KubeResponseTooLargeError && token === undefined && anyVersion !== undefined) {
          anyVersion = undefined;
          continue;
        }
        throw error;
      }

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
      return readPage(response, path, transport.description);
    }
  }

  let current: Flight | undefined;
  let next: Flight | undefined;
  const launch = (token: string | undefined): Flight => {
    const flight = new Flight(token, request.signal, (sniffed) => {
      // The head of the page the consumer waits for: the page after it may go now.
      if (flight === current && waiting && next === undefined && sniffed !== undefined) next = launch(sniffed);
    });
    flight.start(fetchPage);
    return flight;
  };

  current = launch(undefined);
  try {
    while (current) {
      waiting = true;
      if (next === undefined && current.sniffed !== undefined) next = launch(current.sniffed);
      const page = await current.page();
      waiting = false;
      // A request made with a token read early, which the parsed page does not confirm, is dropped.
      if (next && next.token !== page.next) {
        next.abandon();
        next = undefined;
      }
      if (next === undefined && page.next !== undefined) next = launch(page.next);
      for (let index = 0; index < page.count; index++) {
        yield validate(request.schema, page.item(index), `items[${index}]`, `GET ${page.path}`);
      }
      page.recycle();
      current = next;
      next = undefined;
    }
  } finally {
    current?.abandon();
    next?.abandon();
  }
}

/**
 * One page request. It settles into a value at once, so that a page fetched ahead and failing while nobody awaits it
 * is never an unhandled rejection; {@link Flight.page} rethrows.
 */
class Flight {
  /** The next page's continue token, when the head of this page's answer showed it. */
  sniffed: string | undefined;
  readonly signal: AbortSignal;
  private readonly dropped = new AbortController();
  private settled: Promise<{ page: Page } | { error: unknown }> | undefined;

  constructor(
    readonly token: string | undefined,
    signal: AbortSignal | undefined,
    private readonly sniffedNext: (token: string | undefined) => void,
  ) {
    this.signal = signal ? (anySignal(signal, this.dropped.signal) as AbortSignal) : this.dropped.signal;
  }

  start(fetch: (flight: Flight) => Promise<Page>): void {
    this.settled = fetch(this).then(
      (page) => ({ page }),
      (error: unknown) => ({ error }),
    );
  }

  /** The head of the answer arrived, with the next page's token if it could be read there. */
  onHead(token: string | undefined): void {
    if (token === undefined) return;
    this.sniffed = token;
    this.sniffedNext(token);
  }

  async page(): Promise<Page> {
    const settled = await this.settled;
    if (!settled || 'error' in settled) throw settled?.error;
    return settled.page;
  }

  /** Aborts the request if it is still running; its outcome is ignored. */
  abandon(): void {
    this.dropped.abort(new ListAbandonedError());
  }
}

/**
 * The list's continue token from the first bytes of its answer, when they hold the whole list metadata: kube-apiserver
 * encodes `kind`, `apiVersion`, `metadata`, then `items`. Anything else (no `"items"` yet, another order, an escaped
 * token) reads as unknown, and the pager waits for the parsed page instead.
 */
export function sniffContinue(head: Buffer): string | undefined {
  const text = head.toString('latin1', 0, Math.min(head.length, SNIFF_BYTES));
  const items = text.indexOf('"items":');
  if (items < 0) return undefined;
  const match = /"continue":"([^"\\]+)"/.exec(text.slice(0, items));
  return match?.[1];
}

/** How much of an answer's first chunk is searched for the continue token: list metadata is a few hundred bytes. */
const SNIFF_BYTES = 4096;

/** Why a prefetched page was dropped: the consumer stopped before reaching it. Never seen outside the pager. */
class ListAbandonedError extends Error {
  constructor() {
    super('the consumer stopped listing');
    this.name = 'AbortError';
  }
}

/** A page whose envelope is checked now and whose items are parsed as they are taken. */
function readPage(response: TransportResponse, path: string, where: string): Page {
  const parseWhole = (): ListEnvelope =>
    validate(ListEnvelopeSchema, parseJson(response, path, where), '', `GET ${path}`);
  const cut = splitListBody(response.bytes);
  if (!cut) {
    // Not a list in kube-apiserver's compact form: parse it whole, and JSON.parse or the schema says what is wrong.
    const whole = parseWhole();
    response.recycle();
    return {
      path,
      count: whole.items.length,
      item: (index) => whole.items[index],
      next: whole.metadata?.continue || undefined,
      recycle: () => undefined,
    };
  }
  const envelope = validate(ListEnvelopeSchema, parseText(cut.envelope, response, path, where), '', `GET ${path}`);
  const { bytes } = response;
  const { ranges } = cut;
  // Set when an item's text was not JSON: the cut was wrong (see list-body.ts), so the rest comes from the whole body.
  let whole: ListEnvelope | undefined;
  return {
    path,
    get count() {
      return whole ? whole.items.length : ranges.length / 2;
    },
    item(index) {
      if (!whole) {
        try {
          return JSON.parse(bytes.toString('utf8', ranges[2 * index], ranges[2 * index + 1]));
        } catch {
          whole = parseWhole();
        }
      }
      return whole.items[index];
    },
    next: envelope.metadata?.continue || undefined,
    recycle: () => response.recycle(),
  };
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
  return parseText(response.body, response, path, where);
}

function parseText(text: string, response: TransportResponse, path: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new KubeRequestError(
      `GET ${path} on ${where} answered ${response.contentType ?? 'no content type'} that is not JSON: ${text.slice(0, 120)}`,
      response.status,
      { cause: error },
    );
  }
}
