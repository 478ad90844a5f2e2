import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback that holds every chunk for `delayMs` in each direction before passing it on: a member on
 * a slow network path, for real, whatever the protocol on top (gRPC over HTTP/2, TLS or not). A request and its
 * answer cost about two delays more than without it.
 */
export interface LatencyProxy {
  /** `<scheme>://127.0.0.1:PORT`, with the target's scheme: what clients are given instead of the target's URL. */
  readonly url: string;
  readonly port: number;
  /** The delay added to each chunk in each direction, in ms; chunks already held keep theirs. */
  readonly delayMs: number;
  /** Changes the delay for chunks from now on (order is kept: a chunk never overtakes one before it). */
  setDelay(delayMs: number): void;
  /** Closes the listener and every connection through it. Safe to call twice. */
  close(): Promise<void>;
}

export interface StartLatencyProxyOptions {
  /** The URL clients would use without the proxy (`http://127.0.0.1:2379`): its host and port are dialled. */
  target: string;
  /** @defaultValue 0 */
  delayMs?: number;
}

function assertDelay(delayMs: number): void {
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new RangeError(`a latency proxy's delay must be a non-negative number of ms, got ${delayMs}`);
  }
}

/**
 * Forwards what `from` sends to `to`, each chunk after the delay. One timer per direction walks a FIFO queue, so
 * order holds even when the delay changes; the end of the stream follows the last chunk.
 */
function delayedPipe(from: Socket, to: Socket, delay: () => number): () => void {
  const queue: Array<{ due: number; chunk: Buffer }> = [];
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  let lastDue = 0;
  const pump = (): void => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && (queue[0]?.due ?? 0) <= now) to.write((queue.shift() as { chunk: Buffer }).chunk);
    const head = queue[0];
    if (head) timer = setTimeout(pump, Math.max(0, head.due - now));
    else if (ended) to.end();
  };
  from.on('data', (chunk: Buffer) => {
    lastDue = Math.max(lastDue, performance.now() + delay());
    queue.push({ due: lastDue, chunk });
    timer ??= setTimeout(pump, Math.max(0, lastDue - performance.now()));
  });
  from.on('end', () => {
    ended = true;
    if (!timer && queue.length === 0) to.end();
  });
  return () => {
    clearTimeout(timer);
    queue.length = 0;
  };
}

/** Starts a {@link LatencyProxy} on a free loopback port in front of `target`. */
export async function startLatencyProxy(options: StartLatencyProxyOptions): Promise<LatencyProxy> {
  const target = new URL(options.target);
  const targetPort = Number(target.port);
  if (!targetPort) throw new RangeError(`a latency proxy needs a target with a port, got ${options.target}`);
  let delayMs = options.delayMs ?? 0;
  assertDelay(delayMs);
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname.replace(/^\[(.*)\]$/, '$1'), port: targetPort });
    track(client);
    track(upstream);
    const stopUp = delayedPipe(client, upstream, () => delayMs);
    const stopDown = delayedPipe(upstream, client, () => delayMs);
    // Either side failing ends the pair: the client sees a reset as it would from the member itself.
    const teardown = (): void => {
      stopUp();
      stopDown();
      client.destroy();
      upstream.destroy();
    };
    client.on('error', teardown);
    upstream.on('error', teardown);
    client.on('close', teardown);
    upstream.on('close', teardown);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the latency proxy has no port');
  let closing: Promise<void> | undefined;
  return {
    url: `${target.protocol}//127.0.0.1:${address.port}`,
    port: address.port,
    get delayMs() {
      return delayMs;
    },
    setDelay(next) {
      assertDelay(next);
      delayMs = next;
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })),
  };
}
