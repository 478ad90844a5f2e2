import { createServer, type Server } from 'node:net';

/** Ports handed out by this process recently, so two calls in quick succession never return the same port. */
const recentlyHandedOut = new Set<number>();

function listenOnAnyPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * `count` distinct TCP ports that were free on 127.0.0.1 a moment ago. All are held open together before being
 * released, so they differ from each other; another process may still take one before the caller binds it, which is
 * why the service starters retry on "address already in use".
 */
export async function findFreePorts(count: number): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const server = await listenOnAnyPort();
      held.push(server);
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('a TCP server reported no port');
      if (recentlyHandedOut.has(address.port)) continue;
      ports.push(address.port);
    }
  } finally {
    await Promise.all(held.map(close));
  }
  for (const port of ports) {
    recentlyHandedOut.add(port);
    // Forget after a while: the set only guards against handing the same port out twice during one start-up.
    setTimeout(() => recentlyHandedOut.delete(port), 60_000).unref();
  }
  return ports;
}

/** One free TCP port on 127.0.0.1 (see {@link findFreePorts}). */
export async function findFreePort(): Promise<number> {
  const [port] = await findFreePorts(1);
  if (port === undefined) throw new Error('no free port found');
  return port;
}
