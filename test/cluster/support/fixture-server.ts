import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TestPki } from './test-pki.js';

/** One request as the fixture received it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The common name of the TLS client certificate, when the client sent one. */
  clientCertificate?: string;
}

/** What the fixture answers; `'hang'` never answers, `'reset'` drops the connection without answering. */
export interface FixtureAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as text/plain, anything else as JSON. */
  body?: unknown;
}
export type FixtureReply = FixtureAnswer | 'hang' | 'reset';
export type FixtureHandler = (request: RecordedRequest) => FixtureReply;

/** A tiny API-server stand-in that records every request and counts every TCP connection. */
export interface FixtureServer {
  url: string;
  requests: RecordedRequest[];
  /** TCP connections accepted, whether or not a request followed. */
  readonly connections: number;
  /** TCP connections open right now. */
  readonly openSockets: number;
  handle(handler: FixtureHandler): void;
  close(): Promise<void>;
}

/** Serves HTTPS with the PKI's server certificate, or plain HTTP without one. */
export async function startFixtureServer(
  pki: TestPki | undefined,
  handler: FixtureHandler = () => ({ status: 404 }),
  options: { requireClientCertificate?: boolean } = {},
): Promise<FixtureServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let current = handler;
  const listener: http.RequestListener = (req, res) => {
    const peer = 'getPeerCertificate' in req.socket ? (req.socket as TLSSocket).getPeerCertificate() : undefined;
    const clientCertificate = typeof peer?.subject?.CN === 'string' ? peer.subject.CN : undefined;
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      clientCertificate,
    };
    requests.push(recorded);
    req.resume();
    const reply = current(recorded);
    if (reply === 'hang') return;
    if (reply === 'reset') {
      req.socket.destroy();
      return;
    }
    const body =
      typeof reply.body === 'string' || reply.body === undefined ? (reply.body ?? '') : JSON.stringify(reply.body);
    const contentType = typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
    res.writeHead(reply.status ?? 200, { 'Content-Type': contentType, ...reply.headers });
    res.end(body);
  };
  const tls = { cert: pki?.serverCertPem, key: pki?.serverKeyPem };
  const mutual = options.requireClientCertificate
    ? { ca: pki?.caPem, requestCert: true, rejectUnauthorized: true }
    : {};
  const server = pki ? https.createServer({ ...tls, ...mutual }, listener) : http.createServer(listener);
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client that rejects our certificate resets the handshake: that is expected in the wrong-CA test.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${pki ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    get connections() {
      return connections;
    },
    get openSockets() {
      return sockets.size;
    },
    handle: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A Kubernetes list envelope. */
export function list(items: unknown[], continueToken?: string): FixtureAnswer {
  return {
    body: { kind: 'List', apiVersion: 'v1', metadata: continueToken ? { continue: continueToken } : {}, items },
  };
}

/** A Kubernetes Status error. */
export function status(code: number, message: string, extra: Record<string, unknown> = {}): FixtureAnswer {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code, ...extra } };
}

/** Waits until `condition` holds, polling, or fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
