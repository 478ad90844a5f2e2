import { connect } from 'node:net';

/** `PING` in RESP, the protocol every Redis speaks; the healthy answer is the simple string `+PONG`. */
const PING = '*1\r\n$4\r\nPING\r\n';

/**
 * Sends PING over a raw TCP connection and resolves with the first reply line (`+PONG` when Redis is ready,
 * `-LOADING …` while it loads its dataset). No Redis client needed.
 *
 * @param timeoutMs - give up after this long, in ms.
 */
export function pingRedis(port: number, timeoutMs = 1_000, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let reply = '';
    const finish = (error: Error | undefined, line?: string): void => {
      socket.destroy();
      if (error) reject(error);
      else resolve(line ?? '');
    };
    socket.setTimeout(timeoutMs, () =>
      finish(new Error(`no answer to PING from ${host}:${port} within ${timeoutMs} ms`)),
    );
    socket.once('error', (error) => finish(error));
    socket.once('connect', () => socket.write(PING));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      const end = reply.indexOf('\r\n');
      if (end >= 0) finish(undefined, reply.slice(0, end));
    });
    socket.once('end', () => finish(new Error(`${host}:${port} closed the connection without answering PING`)));
  });
}
