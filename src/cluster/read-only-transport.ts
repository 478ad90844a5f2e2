import http from 'node:http';
import https from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { abortReason, throwIfAborted } from '../core/abort.js';
import { KubeResponseTooLargeError, KubeTimeoutError, QuorumError, type KubeRequestError } from '../core/errors.js';
import { bareSettingName, type SettingName } from '../core/setting-name.js';
import type { ClientCertificate, ServingCertificates } from '../ports/certificates.js';
import type { ClusterConnection } from './kube-adapter.js';
import { connectionError } from './kube-request-errors.js';
import { readClientCertificate, readServingCertificates } from './tls-certificates.js';
import type { RateLimiter } from './rate-limiter.js';
import { assertReadOnly, type ReadMethod } from './read-only-guard.js';

/** What the transport needs of a cluster connection (tests may pass a plain-HTTP one). */
export type TransportConnection = Pick<
  ClusterConnection,
  'contextName' | 'server' | 'requestOptions' | 'tlsSettings' | 'close'
>;

export interface ReadOnlyTransportOptions {
  connection: TransportConnection;
  /** Shared by every request of one reader. */
  limiter: RateLimiter;
  /** Deadline of one request, from asking for credentials to the last byte of the body, in ms. @defaultValue 10000 */
  requestTimeoutMs?: number;
  /** Largest response body accepted, in bytes. @defaultValue 67108864 (64 MiB) */
  maxResponseBytes?: number;
  /** Longest `Retry-After` of a 429 that is waited out for the single retry, in ms. @defaultValue 2000 */
  maxRetryAfterMs?: number;
  /** How messages name the cluster's settings. @defaultValue the bare path (`kube.requestTimeoutMs`) */
  settingName?: SettingName;
}

export interface TransportResponse {
  status: number;
  /** The body as text, decoded (UTF-8) on first read. */
  readonly body: string;
  /** The body as received; the list pager reads this, so that a page of a big list never becomes one string. */
  bytes: Buffer;
  /**
   * Hands the buffer under `bytes` back for a later answer. Only for a caller that has finished with the response:
   * `bytes` and a `body` not read yet are garbage afterwards. Without it the buffer is simply collected.
   */
  recycle(): void;
  contentType?: string;
  headers: http.IncomingHttpHeaders;
  /** From sending the request to the last byte of the answer, in ms: the server and the network, not the limiter. */
  durationMs: number;
}

/** Options of one request. */
export interface SendOptions {
  accept?: string;
  /** Aborts the request: a waiting one leaves the limiter's queue, a sent one has its socket destroyed. */
  signal?: AbortSignal;
  /**
   * Largest body this request accepts, below the transport's `maxResponseBytes`: past it the socket is destroyed and
   * the request rejects, as for `maxResponseBytes`. (bytes)
   */
  maxBytes?: number;

  /**
   * Called once with the first chunk of a 2xx answer's body, while the rest is still on its way: lets the list pager
   * read a list's continue token (kube-apiserver writes the list's metadata before its items) and ask for the next
   * page without waiting for this one's last byte.
   */
  onBodyStart?: (head: Buffer) => void;
}

/** Sends GET and HEAD requests to one API server, and nothing else. */
export interface ReadOnlyTransport {
  /** Where requests go, for messages: `context "prod" (https://10.0.0.1:6443)`. */
  readonly description: string;
  /**
   * Sends one read request. Any other method, or a streaming subresource, is refused with
   * `ReadOnlyViolationError` before the limiter, the credentials or a socket are touched. Resolves whatever the
   * HTTP status (a 429 is retried once when its `Retry-After` is short); rejects with `KubeTimeoutError` past the
   * deadline and `KubeRequestError` when no answer came.
   *
   * When `options.signal` fires, the request stops at once (its limiter slot and socket are freed) and the promise
   * rejects with the signal's reason.
   *
   * @param pathAndQuery - server-relative, already percent-encoded, e.g. `/api/v1/nodes?limit=500`.
   */
  send(method: string, pathAndQuery: string, options?: SendOptions): Promise<TransportResponse>;
  /**
   * The API server's certificate chain from a TLS handshake that sends nothing (see tls-certificates.ts), under the
   * limiter and the request deadline; `undefined` over plain HTTP.
   */
  servingCertificates(options?: Pick<SendOptions, 'signal'>): Promise<ServingCertificates | undefined>;
  /** The client certificate the credentials present, without its key; `undefined` when they present none. */
  clientCertificate(): Promise<ClientCertificate | undefined>;
  /** Closes kept-alive connections. */
  close(): void;
}

const USER_AGENT = 'quorum/0.1 (read-only diagnostics)';

/**
 * Reused receive buffers. Node hands a TLS answer over in 16 KB chunks, each its own external allocation; kept in an
 * array until the answer ends (tens of ms for a page of a big list), they outlived the young generation and waited
 * for a mark-compact, and V8 counts such external memory toward its old-generation limit: on a 100,000-pod list that
 * was a mark-compact every dozen pages. Copied into a reused buffer on arrival, each chunk dies young; and a page
 * handed back with `recycle()` once consumed costs no new allocation at all (a fresh 1 MB copy per page, promoted
 * whenever a scavenge caught it alive, piled up as tens of MB of RSS under V8's default heap limit).
 */
class ReceiveBuffers {
  private readonly spare: Buffer[] = [];

  take(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafe(64 * 1024);
  }

  /** A larger buffer holding the first `used` bytes of `buffer`, with room for `needed`. */
  grow(buffer: Buffer, used: number, needed: number): Buffer {
    const larger = Buffer.allocUnsafe(Math.max(needed, buffer.length * 2));
    buffer.copy(larger, 0, 0, used);
    return larger;
  }

  /** Keeps `buffer` for a later answer, unless enough are kept or it is unusually large. */
  put(buffer: Buffer): void {
    if (buffer.length <= 8 * 1024 * 1024 && this.spare.length < 4) this.spare.push(buffer);
  }
}

export function createReadOnlyTransport(options: ReadOnlyTransportOptions): ReadOnlyTransport {
  const {
    connection,
    limiter,
    requestTimeoutMs = 10_000,
    maxResponseBytes = 64 * 1024 * 1024,
    maxRetryAfterMs = 2_000,
    settingName = bareSettingName,
  } = options;
  const server = new URL(connection.server);
  const basePath = server.pathname.replace(/\/+$/, '');
  const description = `context "${connection.contextName}" (${connection.server})`;
  const receiveBuffers = new ReceiveBuffers();

  async function once(
    method: ReadMethod,
    pathAndQuery: string,
    accept: string,
    signal: AbortSignal | undefined,
    maxBytes: number | undefined,
    onBodyStart: SendOptions['onBodyStart'],
  ): Promise<TransportResponse> {
    const release = await limiter.acquire(signal);
    try {
      try {
        return await exchange(method, pathAndQuery, accept, signal, maxBytes, onBodyStart);
      } catch (error) {
        // A kept-alive socket the server closed while idle fails on reuse before any answer: the one retry Node's
        // documentation recommends, safe for a GET.
        if (!(error instanceof StaleSocketError)) throw error;
      }
      try {
        return await exchange(method, pathAndQuery, accept, signal, maxBytes, onBodyStart);
      } catch (error) {
        throw error instanceof StaleSocketError ? error.reported : error;
      }
    } finally {
      release();
    }
  }

  function exchange(
    method: ReadMethod,
    pathAndQuery: string,
    accept: string,
    signal: AbortSignal | undefined,
    maxBytes: number | undefined,
    onBodyStart: SendOptions['onBodyStart'],
  ): Promise<TransportResponse> {
    const limit = maxBytes === undefined ? maxResponseBytes : Math.min(maxBytes, maxResponseBytes);
    return new Promise((resolve, reject) => {
      let request: http.ClientRequest | undefined;
      let settled = false;
      let responded = false;
      let began = performance.now();
      const onAbort = (): void => settle(abortReason(signal as AbortSignal));
      const settle = (error: Error | undefined, response?: TransportResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error) {
          request?.destroy();
          reject(error);
        } else if (response) resolve(response);
      };
      // unref: while a request is pending its socket (or the exec plugin's child) keeps Node running anyway.
      const timer = setTimeout(
        () =>
          settle(
            new KubeTimeoutError(
              `${method} ${pathAndQuery}`,
              requestTimeoutMs,
              `The API server of ${description}`,
              settingName('kube.requestTimeoutMs'),
            ),
          ),
        requestTimeoutMs,
      ).unref();
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const fail = (error: unknown): void => {
        if (request?.reusedSocket && (error as { code?: unknown }).code === 'ECONNRESET' && !responded) {
          settle(new StaleSocketError(connectionError(error, method, pathAndQuery, description)));
        } else settle(error instanceof QuorumError ? error : connectionError(error, method, pathAndQuery, description));
      };

      connection.requestOptions().then(({ headers, agent }) => {
        if (settled) return;
        const send = server.protocol === 'https:' ? https.request : http.request;
        began = performance.now();
        request = send(
          {
            protocol: server.protocol,
            hostname: server.hostname.replace(/^\[(.*)\]$/, '$1'),
            port: server.port || undefined,
            path: basePath + pathAndQuery,
            method,
            agent,
            headers: { ...headers, Accept: accept, 'User-Agent': USER_AGENT },
          },
          (response) => {
            responded = true;
            let received = receiveBuffers.take();
            let size = 0;
            const status = response.statusCode ?? 0;
            let head = onBodyStart && status >= 200 && status <= 299 ? onBodyStart : undefined;
            response.on('data', (chunk: Buffer) => {
              if (head) {
                const call = head;
                head = undefined;
                call(chunk);
              }
              size += chunk.length;
              if (size > limit) {
                settle(
                  new KubeResponseTooLargeError(
                    limit < maxResponseBytes
                      ? `${method} ${pathAndQuery} on ${description} answered more than the ${limit} bytes it asked for: refused to read on.`
                      : `${method} ${pathAndQuery} on ${description} answered more than ${maxResponseBytes} bytes: refused to read on. For /metrics of a cluster this large, point Quorum at its Prometheus (${settingName('prometheus.url')}).`,
                    response.statusCode,
                    maxResponseBytes,
                  ),
                );
              } else {
                // Copied at once so the socket's chunk dies young (see ReceiveBuffers).
                if (size > received.length) received = receiveBuffers.grow(received, size - chunk.length, size);
                chunk.copy(received, size - chunk.length);
              }
            });
            response.on('error', fail);
            response.on('end', () => {
              const buffer = received;
              const bytes = buffer.subarray(0, size);
              let text: string | undefined;
              let recycled = false;
              settle(undefined, {
                status: response.statusCode ?? 0,
                get body() {
                  return (text ??= bytes.toString('utf8'));
                },
                bytes,
                recycle() {
                  if (recycled) return;
                  recycled = true;
                  receiveBuffers.put(buffer);
                },
                contentType: response.headers['content-type'],
                headers: response.headers,
                durationMs: performance.now() - began,
              });
            });
          },
        );
        request.on('error', fail);
        request.end();
      }, fail);
    });
  }

  return {
    description,
    async send(method, pathAndQuery, sendOptions = {}) {
      // First, before anything can reach the network.
      const readMethod = assertReadOnly(method, pathAndQuery);
      const { signal } = sendOptions;
      throwIfAborted(signal);
      const accept = sendOptions.accept ?? 'application/json';
      const { maxBytes, onBodyStart } = sendOptions;
      const response = await once(readMethod, pathAndQuery, accept, signal, maxBytes, onBodyStart);
      const waitMs = response.status === 429 ? retryAfterMs(response.headers['retry-after']) : undefined;
      if (waitMs === undefined || waitMs > maxRetryAfterMs) return response;
      // A short, bounded wait that the caller awaits: left ref'd so Node cannot exit with the request pending.
      await delay(waitMs, undefined, signal ? { signal } : {}).catch((error: unknown) => {
        throw signal?.aborted ? abortReason(signal) : error;
      });
      response.recycle();
      return once(readMethod, pathAndQuery, accept, signal, maxBytes, onBodyStart);
    },
    servingCertificates: (inspect = {}) =>
      readServingCertificates(
        { connection, limiter, timeoutMs: requestTimeoutMs, description, settingName },
        inspect.signal,
      ),
    clientCertificate: () => readClientCertificate({ connection, description }),
    close: () => connection.close(),
  };
}

/** Marks a failure on a reused keep-alive socket; `once()` retries it on a fresh one and unwraps it otherwise. */
class StaleSocketError extends Error {
  constructor(readonly reported: KubeRequestError) {
    super(reported.message);
  }
}

/** `Retry-After` in ms: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
