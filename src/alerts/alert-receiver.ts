import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError } from '../core/errors.js';
import { CompiledPayloadSchema, describePayloadIssues } from './alertmanager-payload.js';
import { createAlertsAuthorizer } from './alerts-token.js';

/** What can become of one webhook request, for metrics. */
export const WEBHOOK_OUTCOMES = ['accepted', 'unauthorized', 'bad_request', 'too_large', 'unavailable'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export interface AlertReceiverOptions {
  /** The token Alertmanager presents (bearer, or basic-auth password). */
  token: string;
  /** Largest body accepted (bytes); more gets 413. */
  maxBodyBytes: number;
  /**
   * Keeps the notification durably (Redis): the body as it came, once it has passed the payload schema (the inbox's
   * reader parses it again and normalizes it, off the request path). Throws when it cannot, and the sender is told to
   * retry (503).
   */
  accept: (body: Buffer, receivedAt: Date) => Promise<void>;
  /** Told of every request's outcome. */
  onOutcome?: (outcome: WebhookOutcome, detail: { alerts?: number; reason?: string }) => void;
  now?: () => Date;
}

class BodyTooLarge extends Error {}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>, close = false): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(`${JSON.stringify(body)}\n`);
}

/** The body, or BodyTooLarge as soon as it passes `max` bytes (nothing more is buffered). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        // Stop reading: the rest is not worth the memory; the socket closes after the 413.
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * `POST /alerts/alertmanager`: Alertmanager's webhook. Answers in milliseconds, in Alertmanager's terms: 4xx for what
 * retrying cannot fix (bad credentials, a malformed payload, a body over the limit: Alertmanager does not retry
 * those, and nothing is queued), 503 only when the notification could not be kept (Redis away: Alertmanager retries),
 * 200 once it is in the inbox. Routing, runs and Slack come after, from the inbox.
 */
export function createAlertReceiver(
  options: AlertReceiverOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const now = options.now ?? (() => new Date());
  const authorize = createAlertsAuthorizer(options.token);
  const outcome = (kind: WebhookOutcome, detail: { alerts?: number; reason?: string } = {}) =>
    options.onOutcome?.(kind, detail);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      answer(res, 405, { error: 'use POST' });
      return;
    }
    const auth = authorize(req.headers.authorization);
    if (!auth.ok) {
      outcome('unauthorized', { reason: auth.reason });
      res.setHeader('www-authenticate', 'Bearer realm="quorum-alerts"');
      answer(res, 401, { error: `unauthorized: ${auth.reason}` }, true);
      req.resume();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    const tooLarge = () => {
      outcome('too_large');
      answer(res, 413, { error: `body larger than ${options.maxBodyBytes} bytes (alerts.maxBodyBytes)` }, true);
      res.on('finish', () => req.destroy());
    };
    if (Number.isFinite(declared) && declared > options.maxBodyBytes) return tooLarge();
    let body: Buffer;
    try {
      body = await readBody(req, options.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) return tooLarge();
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (error) {
      const reason = `body is not JSON: ${(error as Error).message}`;
      outcome('bad_request', { reason });
      answer(res, 400, { error: reason });
      return;
    }
    const parsed = CompiledPayloadSchema.safeParse(json);
    if (!parsed.success) {
      const reason = `not an Alertmanager webhook payload: ${describePayloadIssues(parsed.error)}`;
      outcome('bad_request', { reason });
      answer(res, 400, { error: reason });
      return;
    }
    const alerts = parsed.data.alerts.length;
    try {
      await options.accept(body, now());
    } catch (error) {
      const reason = `could not keep the notification (${describeError(error)}); Alertmanager will retry`;
      outcome('unavailable', { reason });
      answer(res, 503, { error: reason });
      return;
    }
    outcome('accepted', { alerts });
    answer(res, 200, { status: 'accepted', alerts });
  }

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) answer(res, 500, { error: describeError(error) });
      else res.destroy();
    });
  };
}
