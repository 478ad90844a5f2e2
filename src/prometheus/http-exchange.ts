import http from 'node:http';
import https from 'node:https';
import { describeError } from '../core/errors.js';
import { prometheusError } from './prometheus-error.js';

export interface ExchangeRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  /** Sent as it is (with its Content-Length); for POST. */
  body?: string;
  /** CA certificate(s) to trust for an https URL. */
  ca?: Buffer;
  /** The whole exchange, from connecting to the last byte of the answer, must end within this (ms). */
  deadlineMs: number;
  /** A longer answer is cut off with an error (bytes). */
  maxResponseBytes: number;
  /** Destroys the request at once; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** What the request was for, e.g. `the query "up"`, for messages. */
  what: string;
}

export interface ExchangeResponse {
  status: number;
  body: string;
}

/** Certificate and handshake failures: asking again gives the same answer until someone fixes the CA. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

function connectError(origin: string, error: Error): Error {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (TLS_CODE.test(code)) {
    return prometheusError(
      `Cannot verify Prometheus at ${origin}: ${describeError(error)}. Set prometheus.caFile to the CA that signed its certificate.`,
      false,
      error,
    );
  }
  return prometheusError(
    `Cannot reach Prometheus at ${origin}: ${describeError(error)}. Check prometheus.url (--prometheus-url) and that Prometheus is up.`,
    // A host name that does not resolve stays so; a refused or reset connection may be a restart.
    code !== 'ENOTFOUND',
    error,
  );
}

/**
 * One HTTP request to Prometheus with a deadline over the whole exchange (a socket idle timeout never fires on an
 * answer that trickles in), a cap on the answer's size, and cancellation. Resolves with any HTTP status.
 */
export function exchange(request: ExchangeRequest): Promise<ExchangeResponse> {
  const { url, signal, deadlineMs, maxResponseBytes, what } = request;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<ExchangeResponse>((resolve, reject) => {
    let settled = false;
    // `outgoing` and `timer` are declared below; these run only after both exist (events come asynchronously).
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const fail = (error: unknown): void =>
      finish(() => {
        outgoing.destroy();
        reject(error);
      });
    const onAbort = (): void => fail(signal?.reason);
    const tooLarge = (): Error =>
      prometheusError(
        `Prometheus at ${url.origin} answered ${what} with more than ${maxResponseBytes} bytes: narrow the query with prometheus.selector (e.g. cluster="prod-eu",job="apiserver") so it reads one cluster's API servers.`,
        false,
      );

    const outgoing = client.request(
      url,
      {
        method: request.method,
        headers: {
          ...request.headers,
          ...(request.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(request.body)) }),
        },
        ...(request.ca ? { ca: request.ca } : {}),
      },
      (response) => {
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxResponseBytes) return fail(tooLarge());
        const chunks: Buffer[] = [];
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > maxResponseBytes) return fail(tooLarge());
          chunks.push(chunk);
        });
        response.once('end', () =>
          finish(() => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })),
        );
        response.once('error', (error) => fail(connectError(url.origin, error)));
        response.once('close', () => {
          if (!response.complete)
            fail(connectError(url.origin, new Error('the connection closed before the answer was complete')));
        });
      },
    );
    outgoing.once('error', (error) => fail(connectError(url.origin, error)));
    const timer = setTimeout(
      () =>
        fail(
          prometheusError(
            `Prometheus at ${url.origin} did not answer ${what} within ${deadlineMs} ms (the whole request, connect to last byte): it is overloaded or the query is heavy. Raise prometheus.requestTimeoutMs, or narrow the query with prometheus.selector.`,
            true,
          ),
        ),
      deadlineMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.end(request.body);
  });
}
