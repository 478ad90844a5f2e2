import http from 'node:http';
import { signedHeaders, slashCommandBody, type SlashCommandFields } from '../slack-double/signed-requests.js';

export interface AckLoadOptions {
  /** `http://HOST:PORT/slack/events`. */
  url: string;
  signingSecret: string;
  /** The slash command to send, each one signed afresh as Slack would. */
  fields: (index: number) => SlashCommandFields;
  requests: number;
  /** Requests in flight at once. */
  concurrency: number;
}

export interface AckLoadResult {
  /** Time from sending each request to the end of its answer (ms), in completion order. */
  latenciesMs: number[];
  /** Answers other than HTTP 200. */
  failures: number;
  wallMs: number;
}

/** The `q`-quantile (0…1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * Sends `requests` signed slash commands, `concurrency` at a time over keep-alive connections (Slack's own
 * deliveries reuse connections too, and a TCP handshake per request would measure the kernel rather than the app),
 * and times each acknowledgement. The body is built and signed before the clock starts: that is Slack's work.
 */
export async function runAckLoad(options: AckLoadOptions): Promise<AckLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latenciesMs: number[] = [];
  let failures = 0;
  let next = 0;
  const send = (index: number): Promise<void> => {
    const body = slashCommandBody(options.fields(index));
    const headers = signedHeaders(options.signingSecret, body, Math.floor(Date.now() / 1000));
    return new Promise((resolve, reject) => {
      const began = performance.now();
      const request = http.request(
        options.url,
        { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (response) => {
          response.resume();
          response.on('end', () => {
            latenciesMs.push(performance.now() - began);
            if (response.statusCode !== 200) failures += 1;
            resolve();
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  };
  const began = performance.now();
  try {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < options.requests) await send(next++);
      }),
    );
  } finally {
    agent.destroy();
  }
  return { latenciesMs, failures, wallMs: performance.now() - began };
}
