import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConsoleRoutes, type ConsoleOptions } from './console-routes.js';
import { SLACK_METHODS, type MethodAnswer, type MethodContext } from './slack-methods.js';
import { SlackState, type SlackCall, type SlackChannel, type SlackMessage } from './slack-state.js';

export interface SlackDoubleOptions {
  /** The bot token the Web API accepts. */
  botToken: string;
  /** The bot's user id. @defaultValue U0QUORUMBOT */
  botUserId?: string;
  /** Channels; the bot is a member unless `botIsMember: false`. @defaultValue one channel C0INCIDENT */
  channels?: Array<Partial<SlackChannel> & { id: string }>;
  userGroups?: Record<string, string[]>;
  /** @defaultValue 0 (a free port on 127.0.0.1) */
  port?: number;
  /** Serve the chat console at `/console`, acting on the bot at `console.eventsUrl`. @defaultValue no console */
  console?: ConsoleOptions;
}

/** A fault for the next calls of a method: Slack's own errors, or a 429 with `Retry-After`. */
export interface SlackFault {
  method: string;
  /** Answer `{ ok: false, error }`. */
  error?: string;
  /** Answer HTTP 429 `ratelimited` with this `Retry-After` (s). */
  retryAfterSeconds?: number;
  /** How many calls it affects. @defaultValue 1 */
  times?: number;
}

export interface SlackDouble {
  /** `http://127.0.0.1:PORT/api/`: what `slack.apiUrl` is set to. */
  readonly apiUrl: string;
  readonly baseUrl: string;
  /** `http://127.0.0.1:PORT/console` when the console is on. */
  readonly consoleUrl: string | undefined;
  readonly state: SlackState;
  readonly calls: readonly SlackCall[];
  /** A response_url as Slack hands out with a command or an interaction, bound to a channel and a user. */
  responseUrl(channel: string, user: string): string;
  inject(fault: SlackFault): void;
  /** A trigger_id as Slack hands out with an interaction: views.open accepts it once, within 3 s. */
  triggerId(): string;
  /** Resolves when a call matching `predicate` has been answered (or was already). */
  waitForCall(predicate: (call: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall>;
  stop(): Promise<void>;
}

/** Decodes Slack's form fields that carry JSON (`blocks`, `attachments`, `files`). */
function decodeArgs(raw: Record<string, unknown>): Record<string, unknown> {
  const args = { ...raw };
  for (const key of ['blocks', 'attachments', 'files', 'metadata', 'view']) {
    if (typeof args[key] === 'string') {
      try {
        args[key] = JSON.parse(args[key] as string);
      } catch {
        // Left as the string: the method answers invalid_blocks_format as Slack does.
      }
    }
  }
  return args;
}

async function readBody(request: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseArgs(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  const text = body.toString('utf8');
  if (contentType?.includes('application/json')) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  return Object.fromEntries(new URLSearchParams(text));
}

function send(response: http.ServerResponse, answer: MethodAnswer): void {
  response.writeHead(answer.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
  response.end(JSON.stringify(answer.body));
}

/**
 * A local Slack Web API for tests and the sandbox: it records every call, answers as Slack does (`ok`, `ts`,
 * `invalid_blocks`, `msg_too_long`, `channel_not_found`, `not_in_channel`, `ratelimited` with `Retry-After`),
 * enforces the Block Kit limits and the bot token, stores uploads and serves `response_url`s. The bot reaches it
 * through `slack.apiUrl`; nothing in Quorum knows it is not Slack.
 */
export async function startSlackDouble(options: SlackDoubleOptions): Promise<SlackDouble> {
  const state = new SlackState();
  const botUserId = options.botUserId ?? 'U0QUORUMBOT';
  for (const channel of options.channels ?? [{ id: 'C0INCIDENT' }]) {
    state.channels.set(channel.id, {
      id: channel.id,
      name: channel.name ?? channel.id.toLowerCase(),
      botIsMember: channel.botIsMember ?? true,
    });
  }
  for (const [group, users] of Object.entries(options.userGroups ?? {})) state.userGroups.set(group, users);
  const faults: Array<SlackFault & { left: number }> = [];
  const listeners = new Set<(call: SlackCall) => void>();
  // The base URL is known once the server listens; the methods only run after that.
  const context: MethodContext = { state, botUserId, baseUrl: '' };

  function responseUrl(channel: string, user: string): string {
    const id = randomUUID();
    state.responseUrls.set(id, { id, channel, user, uses: 0 });
    return `${context.baseUrl}/response/${id}`;
  }
  function triggerId(): string {
    const id = `${Date.now()}.${Math.floor(Math.random() * 1e6)}.${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    state.triggers.set(id, { issuedAt: Date.now(), used: false });
    return id;
  }

  const record = (call: SlackCall): void => {
    state.calls.push(call);
    for (const listener of listeners) listener(call);
  };

  async function api(method: string, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const body = await readBody(request);
    let args: Record<string, unknown>;
    try {
      args = decodeArgs(parseArgs(body, request.headers['content-type']));
    } catch {
      return send(response, { body: { ok: false, error: 'invalid_json' } });
    }
    const answer = ((): MethodAnswer => {
      const auth =
        request.headers.authorization ?? (typeof args.token === 'string' ? `Bearer ${args.token}` : undefined);
      if (!auth) return { body: { ok: false, error: 'not_authed' } };
      if (auth !== `Bearer ${options.botToken}`) return { body: { ok: false, error: 'invalid_auth' } };
      const fault = faults.find((candidate) => candidate.method === method && candidate.left > 0);
      if (fault) {
        fault.left -= 1;
        if (fault.retryAfterSeconds !== undefined) {
          return {
            status: 429,
            headers: { 'retry-after': String(fault.retryAfterSeconds) },
            body: { ok: false, error: 'ratelimited' },
          };
        }
        return { body: { ok: false, error: fault.error ?? 'internal_error' } };
      }
      const handler = SLACK_METHODS[method];
      return handler ? handler(args, context) : { status: 404, body: { ok: false, error: 'unknown_method' } };
    })();
    record({
      method,
      args,
      status: answer.status ?? 200,
      at: Date.now(),
      ...(answer.body.ok ? {} : { error: String(answer.body.error) }),
    });
    send(response, answer);
  }

  async function upload(id: string, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const body = await readBody(request);
    const pending = state.uploads.get(id);
    if (!pending) return send(response, { status: 404, body: { ok: false, error: 'file_not_found' } });
    const type = request.headers['content-type'] ?? '';
    let content = body.toString('utf8');
    if (type.startsWith('multipart/form-data')) {
      // The Web API client sends the file as multipart; Node's own Request parses it.
      const form = await new Request('http://upload', {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      }).formData();
      const file = [...form.values()].find((value) => typeof value !== 'string');
      content = file && typeof file !== 'string' ? await file.text() : content;
    }
    pending.content = content;
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(`OK - ${body.length}`);
  }

  async function respond(id: string, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const body = await readBody(request);
    const target = state.responseUrls.get(id);
    if (!target || target.uses >= 5) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      return void response.end('expired_url');
    }
    target.uses += 1;
    const payload = JSON.parse(body.toString('utf8') || '{}') as {
      text?: string;
      blocks?: unknown[];
      response_type?: string;
    };
    const text = payload.text ?? '';
    const message: SlackMessage = {
      channel: target.channel,
      ts: state.nextTs(),
      user: botUserId,
      text,
      ...(payload.blocks ? { blocks: payload.blocks } : {}),
      ...(payload.response_type === 'in_channel' ? {} : { ephemeralTo: target.user }),
      history: [{ text, ...(payload.blocks ? { blocks: payload.blocks } : {}) }],
    };
    state.messages.push(message);
    record({ method: 'response_url', args: payload as Record<string, unknown>, status: 200, at: Date.now() });
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('ok');
  }

  const consoleRoutes = options.console
    ? createConsoleRoutes(options.console, {
        state,
        botUserId,
        responseUrl: (channel, user) => responseUrl(channel, user),
        triggerId: () => triggerId(),
      })
    : undefined;

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const [, kind, name] = url.pathname.split('/');
    const handle =
      consoleRoutes && (request.method === 'GET' || kind === 'console')
        ? consoleRoutes(request, response, url.pathname).then((handled) => {
            if (!handled) send(response, { status: 404, body: { ok: false, error: 'not_found' } });
          })
        : request.method !== 'POST'
          ? Promise.resolve(send(response, { status: 405, body: { ok: false, error: 'method_not_allowed' } }))
          : kind === 'api' && name
            ? api(name, request, response)
            : kind === 'upload' && name
              ? upload(name, request, response)
              : kind === 'response' && name
                ? respond(name, request, response)
                : Promise.resolve(send(response, { status: 404, body: { ok: false, error: 'unknown_method' } }));
    handle.catch((error: unknown) => {
      if (!response.headersSent) send(response, { status: 500, body: { ok: false, error: String(error) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  context.baseUrl = baseUrl;

  return {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    consoleUrl: options.console ? `${baseUrl}/console` : undefined,
    state,
    calls: state.calls,
    responseUrl,
    triggerId,
    inject(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    waitForCall(predicate, timeoutMs = 10_000) {
      const done = state.calls.find(predicate);
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const listener = (call: SlackCall): void => {
          if (!predicate(call)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(call);
        };
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`no matching Slack call within ${timeoutMs} ms`));
        }, timeoutMs);
        listeners.add(listener);
      });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
