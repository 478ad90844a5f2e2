import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEtcdCluster, startLatencyProxy, type LatencyProxy } from '../../helpers/services.js';

/** Sends `message` through the proxy and resolves with the echo once `expected` bytes came back, and the time. */
async function echoThrough(proxy: LatencyProxy, message: string): Promise<{ echo: string; tookMs: number }> {
  const socket: Socket = createConnection({ host: '127.0.0.1', port: proxy.port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const began = performance.now();
  return new Promise((resolve, reject) => {
    let echo = '';
    socket.on('data', (chunk: Buffer) => {
      echo += chunk.toString();
      if (echo.length >= message.length) {
        socket.destroy();
        resolve({ echo, tookMs: performance.now() - began });
      }
    });
    socket.on('error', reject);
    // Several writes: each is a chunk of its own on loopback, and their order must hold.
    for (const part of message.match(/.{1,4}/g) ?? []) socket.write(part);
  });
}

describe('startLatencyProxy', () => {
  let echo: Server;
  let proxy: LatencyProxy;

  beforeAll(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const address = echo.address() as { port: number };
    proxy = await startLatencyProxy({ target: `http://127.0.0.1:${address.port}`, delayMs: 0 });
  });
  afterAll(async () => {
    await proxy?.close();
    await new Promise((resolve) => echo?.close(resolve));
  });

  it('passes bytes through in order, delayed each way once a delay is set', async () => {
    expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
    const message = 'the quick brown fox jumps over the lazy dog';
    const fast = await echoThrough(proxy, message);
    expect(fast.echo).toBe(message);
    proxy.setDelay(60);
    expect(proxy.delayMs).toBe(60);
    const slow = await echoThrough(proxy, message);
    expect(slow.echo).toBe(message);
    expect(slow.tookMs).toBeGreaterThanOrEqual(115);
    proxy.setDelay(0);
  });

  it('refuses a negative delay and a target without a port', async () => {
    expect(() => proxy.setDelay(-1)).toThrow('non-negative number of ms, got -1');
    await expect(startLatencyProxy({ target: 'http://127.0.0.1' })).rejects.toThrow('needs a target with a port');
  });

  it('is refused for a member the cluster does not have, before anything starts', async () => {
    await expect(startEtcdCluster({ members: 3, latencyProxies: ['etcd-9'] })).rejects.toThrow(
      'latencyProxies names etcd-9, which are not members (etcd-1, etcd-2, etcd-3)',
    );
  });
});
