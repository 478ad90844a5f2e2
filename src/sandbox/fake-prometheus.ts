import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

/**
 * A misbehaving stand-in for Prometheus' `/api/v1/query`, for the failures a real Prometheus cannot be made to show on
 * demand: a proxy's HTML error page, refused credentials, an answer that trickles in byte by byte, one that never
 * comes, one far too large, and a view of the method and body a request came with. Everything a real Prometheus can
 * answer is tested against the real one (`startPrometheus`): a fake of the good path hid that `query=1` answers a
 * scalar.
 */
export type FakeAnswer =
  /** Answers at once with this status and body. */
  | { kind: 'reply'; status: number; body: string; contentType?: string }
  /** Sends the headers, then `chunkBytes` of the body every `intervalMs`: never idle long, never done soon. */
  | { kind: 'trickle'; body: string; chunkBytes: number; intervalMs: number }
  /** Reads the request and never answers. */
  | { kind: 'hang' }
  /** A 200 whose body is `bytes` long, with or without a Content-Length announcing it. */
  | { kind: 'flood'; bytes: number; declareLength: boolean };

export interface RecordedRequest {
  method: string;
  path: string;
  /** The `query` parameter, from the URL or the form body. */
  query: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Resolves when the connection that carried the request has closed. */
  closed: Promise<void>;
}

export interface FakePrometheus {
  readonly url: string;
  /** Every request so far. */
  readonly requests: RecordedRequest[];
  /** Resolves with the next request once it has been read in full. */
  nextRequest(): Promise<RecordedRequest>;
  /** How every following request is answered. */
  answer(answer: FakeAnswer): void;
  /** Closes every connection (hanging and trickling ones included) and the server. */
  stop(): Promise<void>;
}

function respond(answer: FakeAnswer, response: http.ServerResponse, stopped: AbortSignal): void {
  switch (answer.kind) {
    case 'reply':
      response.writeHead(answer.status, { 'Content-Type': answer.contentType ?? 'application/json' });
      response.end(answer.body);
      return;
    case 'hang':
      return;
    case 'flood': {
      const body = `{"status":"success","data":{"resultType":"string","result":[0,"${'x'.repeat(Math.max(0, answer.bytes - 60))}"]}}`;
      response.writeHead(200, {
        'Content-Type': 'application/json',
        ...(answer.declareLength ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}),
      });
      response.end(body);
      return;
    }
    case 'trickle': {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      let sent = 0;
      const timer = setInterval(() => {
        if (response.destroyed || stopped.aborted) return clearInterval(timer);
        response.write(answer.body.slice(sent, sent + answer.chunkBytes));
        sent += answer.chunkBytes;
        if (sent >= answer.body.length) {
          clearInterval(timer);
          response.end();
        }
      }, answer.intervalMs);
      response.once('close', () => clearInterval(timer));
    }
  }
}

/** Starts the fake on a free loopback port; it answers `{"status":"success"…"vector"…[]}` until told otherwise. */
export async function startFakePrometheus(): Promise<FakePrometheus> {
  const requests: RecordedRequest[] = [];
  const waiting: Array<(request: RecordedRequest) => void> = [];
  const sockets = new Set<Socket>();
  const stopped = new AbortController();
  let current: FakeAnswer = {
    kind: 'reply',
    status: 200,
    body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }),
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const body = Buffer.concat(chunks).toString('utf8');
      const form = request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
        ? new URLSearchParams(body)
        : undefined;
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        path: url.pathname,
        query: form?.get('query') ?? url.searchParams.get('query') ?? undefined,
        headers: request.headers,
        body,
        closed: new Promise((resolve) => request.socket.once('close', () => resolve())),
      };
      requests.push(recorded);
      waiting.shift()?.(recorded);
      respond(current, response, stopped.signal);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
    answer(answer) {
      current = answer;
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        stopped.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return stopping;
    },
  };
}
