import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { KubeRequestError, KubeResponseTooLargeError } from '../../src/core/errors.js';
import { listObjects, type ListRequest } from '../../src/cluster/list-pager.js';
import type { ReadOnlyTransport, SendOptions, TransportResponse } from '../../src/cluster/read-only-transport.js';

/** One request the pager made, answered by the test when it chooses. */
interface Call {
  path: string;
  options: SendOptions;
  resolve: (response: TransportResponse) => void;
  reject: (error: unknown) => void;
}

/** A transport whose answers the test hands out one by one: what the pager asks for, and when, is deterministic. */
class ScriptedTransport implements ReadOnlyTransport {
  readonly description = 'scripted';
  readonly calls: Call[] = [];

  send(_method: string, path: string, options: SendOptions = {}): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      this.calls.push({ path, options, resolve, reject });
      options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
    });
  }

  close(): void {}

  // The pager never asks for certificates.
  async servingCertificates(): Promise<undefined> {
    return undefined;
  }

  async clientCertificate(): Promise<undefined> {
    return undefined;
  }

  query(index: number): Record<string, string> {
    return Object.fromEntries(new URL(this.calls[index]?.path ?? '', 'http://x').searchParams);
  }
}

function response(text: string, status = 200): TransportResponse {
  const bytes = Buffer.from(text);
  return { status, bytes, body: text, headers: {}, durationMs: 1, recycle: () => undefined };
}

/** A page as kube-apiserver encodes it: list metadata first, items compact, each led by `metadata`. */
function page(names: string[], token?: string): string {
  return JSON.stringify({
    kind: 'PodList',
    apiVersion: 'v1',
    metadata: { resourceVersion: '7', ...(token ? { continue: token } : {}) },
    items: names.map((name) => ({ metadata: { name }, spec: { nodeName: 'n1' } })),
  });
}

/** The head of the answer arrives (its first bytes), then, if `whole`, the rest. */
function answer(call: Call | undefined, text: string, whole = true): void {
  if (!call) throw new Error('no such request');
  call.options.onBodyStart?.(Buffer.from(text.slice(0, 120)));
  if (whole) call.resolve(response(text));
}

/** Lets every pending callback and promise run: one turn of the event loop, no timer. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const Named = z.object({ metadata: z.object({ name: z.string() }) });

function request(extra: Partial<ListRequest<z.infer<typeof Named>>> = {}): ListRequest<z.infer<typeof Named>> {
  return { location: { version: 'v1', resource: 'pods' }, pageSize: 2, schema: Named, ...extra };
}

function anyItems(): ListRequest<unknown> {
  return { location: { version: 'v1', resource: 'pods' }, pageSize: 2, schema: z.unknown() };
}

describe('listObjects, one page ahead', () => {
  it('asks for the next page once the head of this one names it, and never for two pages beyond the consumer', async () => {
    const transport = new ScriptedTransport();
    const pages = listObjects(transport, request());
    const first = pages.next();
    await settle();
    expect(transport.calls).toHaveLength(1);

    // The head of page 1 shows its continue token while the consumer waits: page 2 is asked for at once.
    answer(transport.calls[0], page(['a', 'b'], 't2'), false);
    await settle();
    expect(transport.calls).toHaveLength(2);
    expect(transport.query(1)).toEqual({ limit: '2', continue: 't2' });

    transport.calls[0]?.resolve(response(page(['a', 'b'], 't2')));
    expect((await first).value?.metadata.name).toBe('a');
    // Page 2 arrives whole while the consumer is still inside page 1: page 3 must wait.
    answer(transport.calls[1], page(['c', 'd'], 't3'));
    await settle();
    expect(transport.calls).toHaveLength(2);

    expect((await pages.next()).value?.metadata.name).toBe('b');
    expect(transport.calls).toHaveLength(2);
    // The consumer moves on to page 2: now page 3 may go.
    expect((await pages.next()).value?.metadata.name).toBe('c');
    expect(transport.calls).toHaveLength(3);
    expect(transport.query(2)).toEqual({ limit: '2', continue: 't3' });

    // Leaving early aborts the page in flight.
    await pages.return(undefined);
    expect(transport.calls[2]?.options.signal?.aborted).toBe(true);
    expect(transport.calls).toHaveLength(3);
  });

  it('asks for the next page when the page is parsed if its head did not show the token', async () => {
    const transport = new ScriptedTransport();
    const names: string[] = [];
    const done = (async () => {
      for await (const item of listObjects(transport, request())) names.push(item.metadata.name);
    })();
    await settle();
    // No head callback at all (a proxy that sent the items first, say): the token comes from the parsed page.
    transport.calls[0]?.resolve(response(page(['a', 'b'], 't2')));
    await settle();
    expect(transport.query(1)).toEqual({ limit: '2', continue: 't2' });
    answer(transport.calls[1], page(['c']));
    await done;
    expect(names).toEqual(['a', 'b', 'c']);
    expect(transport.calls).toHaveLength(2);
  });

  it('drops a request made with a token the parsed page does not confirm, and asks again with the right one', async () => {
    const transport = new ScriptedTransport();
    const names: string[] = [];
    const done = (async () => {
      for await (const item of listObjects(transport, request())) names.push(item.metadata.name);
    })();
    await settle();
    const call = transport.calls[0] as Call;
    call.options.onBodyStart?.(Buffer.from('{"metadata":{"continue":"wrong"},"items":['));
    await settle();
    expect(transport.query(1)).toEqual({ limit: '2', continue: 'wrong' });
    call.resolve(response(page(['a', 'b'], 't2')));
    await settle();
    expect(transport.calls[1]?.options.signal?.aborted).toBe(true);
    expect(transport.query(2)).toEqual({ limit: '2', continue: 't2' });
    answer(transport.calls[2], page(['c']));
    await done;
    expect(names).toEqual(['a', 'b', 'c']);
  });

  it('sends resourceVersion=0 on the first request only; continued pages carry none', async () => {
    const transport = new ScriptedTransport();
    const done = (async () => {
      for await (const item of listObjects(transport, request({ resourceVersion: '0' }))) void item;
    })();
    await settle();
    expect(transport.query(0)).toEqual({ limit: '2', resourceVersion: '0' });
    answer(transport.calls[0], page(['a', 'b'], 't2'));
    await settle();
    expect(transport.query(1)).toEqual({ limit: '2', continue: 't2' });
    answer(transport.calls[1], page(['c']));
    await done;
  });

  it('asks again page by page, without resourceVersion=0, when the whole answer from the cache is too large', async () => {
    const transport = new ScriptedTransport();
    const names: string[] = [];
    const done = (async () => {
      for await (const item of listObjects(transport, request({ resourceVersion: '0' })))
        names.push(item.metadata.name);
    })();
    await settle();
    transport.calls[0]?.reject(new KubeResponseTooLargeError('too large', 200, 64));
    await settle();
    expect(transport.query(1)).toEqual({ limit: '2' });
    answer(transport.calls[1], page(['a']));
    await done;
    expect(names).toEqual(['a']);
  });

  it('does not retry other failures of the first request', async () => {
    const transport = new ScriptedTransport();
    const done = (async () => {
      for await (const item of listObjects(transport, request({ resourceVersion: '0' }))) void item;
    })();
    await settle();
    transport.calls[0]?.reject(new KubeRequestError('connection refused', undefined));
    await expect(done).rejects.toThrow('connection refused');
    expect(transport.calls).toHaveLength(1);
  });
});

describe('listObjects, items parsed one by one', () => {
  async function collect(text: string): Promise<unknown[]> {
    const transport = new ScriptedTransport();
    const items: unknown[] = [];
    const done = (async () => {
      for await (const item of listObjects(transport, anyItems())) items.push(item);
    })();
    await settle();
    transport.calls[0]?.resolve(response(text));
    await done;
    return items;
  }

  it('yields exactly what parsing the whole page would, even when an item holds objects led by the same key', async () => {
    const tricky = {
      kind: 'PodList',
      metadata: {},
      items: [
        { metadata: { name: 'a' }, spec: { volumes: [{ metadata: { name: 'x' } }, { metadata: { name: 'y' } }] } },
        { metadata: { name: 'b', annotations: { note: '},{"metadata":' } } },
        { metadata: { name: 'c' } },
      ],
    };
    expect(await collect(JSON.stringify(tricky))).toEqual(tricky.items);
  });

  it('reads lists in another key order or with whitespace whole', async () => {
    const items = [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }];
    expect(await collect(JSON.stringify({ items, metadata: {} }, null, 2))).toEqual(items);
  });

  it.each([
    ['a body that is not JSON', '<html>login</html>', /not JSON: <html>login/],
    [
      'a page whose item is not JSON',
      '{"kind":"PodList","items":[{"metadata":{"name":"a"}},{"metadata":nope}]}',
      /not JSON/,
    ],
    ['items that are not an array', '{"kind":"PodList","items":"nope"}', /items: /],
  ])('refuses %s', async (_name, text, message) => {
    await expect(collect(text)).rejects.toThrow(message);
  });
});
