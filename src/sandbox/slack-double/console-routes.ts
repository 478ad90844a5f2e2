import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { blockActionsPayload, viewSubmissionPayload } from './interaction-payloads.js';
import { sendInteraction, sendSlashCommand, type SignedResponse } from './signed-requests.js';
import type { SlackMessage, SlackState } from './slack-state.js';

const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'console');
const STATIC: Record<string, string> = {
  '/console': 'index.html',
  '/console/': 'index.html',
  '/console/console.js': 'console.js',
  '/console/block-kit.js': 'block-kit.js',
  '/console/console.css': 'console.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** A person the console can act as: the user switcher's entries. */
export interface ConsoleUser {
  id: string;
  name: string;
  /** What they are in the story, e.g. "on-call engineer". */
  role: string;
}

/** One button of the incident switchboard. */
export interface SwitchboardScenario {
  id: string;
  label: string;
  description: string;
}

/** What the demo lets the console do to the cluster; absent in a console without a cluster behind it. */
export interface Switchboard {
  scenarios: readonly SwitchboardScenario[];
  /** Puts the cluster into a scenario; resolves with a line saying what changed. */
  apply(id: string): Promise<string>;
  /** The alerts Alertmanager holds now (its `/api/v2/alerts`), for the alert panel. */
  alerts(): Promise<unknown[]>;
}

export interface ConsoleOptions {
  /** The bot's `/slack/events`: where commands and interactions go, signed, as Slack sends them. */
  eventsUrl: string;
  signingSecret: string;
  /** The channel the console shows. */
  channel: string;
  users: readonly ConsoleUser[];
  switchboard?: Switchboard;
}

export interface ConsoleContext {
  state: SlackState;
  botUserId: string;
  responseUrl(channel: string, user: string): string;
  triggerId(): string;
}

const CommandBody = z.object({ user: z.string().min(1), text: z.string().max(4000) });
const ActionBody = z.object({
  user: z.string().min(1),
  messageTs: z.string().min(1),
  actionId: z.string().min(1),
  value: z.string().max(2000).default(''),
  blockId: z.string().optional(),
});
const SubmitBody = z.object({
  user: z.string().min(1),
  viewId: z.string().min(1),
  values: z.record(z.string(), z.record(z.string(), z.string())),
});
const CloseBody = z.object({ user: z.string().min(1), viewId: z.string().min(1) });
const ScenarioBody = z.object({ id: z.string().min(1) });

function json(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 256 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
}

/**
 * The chat console: a page that plays the Slack client for the sandbox. It reads the double's state (what the bot
 * posted and updated) and sends what a person does as Slack would — signed slash commands and interactions to the
 * bot's `/slack/events` — so the bot cannot tell it from Slack. Answers `false` for paths that are not its own.
 */
export function createConsoleRoutes(
  options: ConsoleOptions,
  context: ConsoleContext,
): (request: http.IncomingMessage, response: http.ServerResponse, path: string) => Promise<boolean> {
  const { state } = context;
  /** Which user's interaction issued a trigger_id: a modal opens for that person only. */
  const triggerUsers = new Map<string, string>();
  const closedViews = new Set<string>();
  const issueTrigger = (user: string): string => {
    const id = context.triggerId();
    triggerUsers.set(id, user);
    return id;
  };

  /** Slack shows a non-empty HTTP answer to a command or interaction as a message only that person sees. */
  const showAnswer = (answer: SignedResponse, user: string): void => {
    const body = answer.body.trim();
    if (answer.status !== 200 || body === '') return;
    let text = body;
    let blocks: unknown[] | undefined;
    let inChannel = false;
    try {
      const parsed = JSON.parse(body) as { text?: string; blocks?: unknown[]; response_type?: string };
      if (typeof parsed !== 'object' || parsed === null || !('text' in parsed || 'blocks' in parsed)) return;
      text = parsed.text ?? '';
      blocks = parsed.blocks;
      inChannel = parsed.response_type === 'in_channel';
    } catch {
      // A plain-text answer is shown as it is.
    }
    state.messages.push({
      channel: options.channel,
      ts: state.nextTs(),
      user: context.botUserId,
      text,
      ...(blocks ? { blocks } : {}),
      ...(inChannel ? {} : { ephemeralTo: user }),
      history: [{ text, ...(blocks ? { blocks } : {}) }],
    });
  };

  const visible = (message: SlackMessage, user: string): boolean =>
    message.channel === options.channel && (!message.ephemeralTo || message.ephemeralTo === user);

  return async (request, response, path) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'GET') {
      if (path === '/') {
        response.writeHead(302, { location: '/console' });
        response.end();
        return true;
      }
      const file = STATIC[path];
      if (file) {
        const body = await readFile(join(STATIC_DIR, file));
        response.writeHead(200, {
          'content-type': TYPES[file.split('.').pop() ?? ''] ?? 'text/plain',
          'cache-control': 'no-store',
        });
        response.end(body);
        return true;
      }
      if (path === '/console/api/state') {
        const user = url.searchParams.get('user') ?? options.users[0]?.id ?? '';
        const views = state.views
          .filter((view) => triggerUsers.get(view.triggerId) === user && !closedViews.has(view.id))
          .map((view) => ({ id: view.id, view: view.view }));
        json(response, 200, {
          channel: { id: options.channel, name: state.channels.get(options.channel)?.name ?? options.channel },
          botUserId: context.botUserId,
          users: options.users,
          scenarios: options.switchboard?.scenarios ?? [],
          messages: state.messages
            .filter((message) => visible(message, user))
            .map((message) => ({
              ts: message.ts,
              threadTs: message.threadTs,
              user: message.user,
              text: message.text,
              blocks: message.blocks,
              ephemeral: Boolean(message.ephemeralTo),
              edited: message.history.length > 1,
              files: (message.files ?? []).map((each) => ({ id: each.id, title: each.title, name: each.name })),
            })),
          views,
        });
        return true;
      }
      if (path === '/console/api/alerts') {
        if (!options.switchboard) return (json(response, 200, { alerts: [] }), true);
        try {
          json(response, 200, { alerts: await options.switchboard.alerts() });
        } catch (error) {
          json(response, 502, { error: `Alertmanager: ${error instanceof Error ? error.message : String(error)}` });
        }
        return true;
      }
      const fileMatch = /^\/files\/([A-Za-z0-9_-]+)$/.exec(path);
      if (fileMatch) {
        const found = state.messages.flatMap((message) => message.files ?? []).find((each) => each.id === fileMatch[1]);
        if (!found) return (json(response, 404, { error: 'file_not_found' }), true);
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        response.end(found.content);
        return true;
      }
      return false;
    }
    if (request.method !== 'POST' || !path.startsWith('/console/api/')) return false;
    let raw: unknown;
    try {
      raw = await readJson(request);
    } catch (error) {
      return (json(response, 400, { error: error instanceof Error ? error.message : String(error) }), true);
    }
    const parsedOr400 = <T>(schema: z.ZodType<T>): T | undefined => {
      const result = schema.safeParse(raw);
      if (result.success) return result.data;
      json(response, 400, { error: z.prettifyError(result.error) });
      return undefined;
    };
    switch (path) {
      case '/console/api/command': {
        const body = parsedOr400(CommandBody);
        if (!body) return true;
        const match = /^\s*(\/\S+)\s*([\s\S]*)$/.exec(body.text);
        if (!match || match[1] !== '/quorum') {
          return (json(response, 400, { error: 'The console knows one slash command: /quorum …' }), true);
        }
        const answer = await sendSlashCommand(options.eventsUrl, options.signingSecret, {
          text: (match[2] ?? '').trim(),
          user_id: body.user,
          user_name: options.users.find((each) => each.id === body.user)?.name ?? body.user,
          channel_id: options.channel,
          channel_name: state.channels.get(options.channel)?.name ?? 'incident',
          response_url: context.responseUrl(options.channel, body.user),
          trigger_id: issueTrigger(body.user),
        });
        showAnswer(answer, body.user);
        json(response, 200, { status: answer.status, tookMs: answer.tookMs });
        return true;
      }
      case '/console/api/action': {
        const body = parsedOr400(ActionBody);
        if (!body) return true;
        const message = state.messages.find((each) => each.channel === options.channel && each.ts === body.messageTs);
        const answer = await sendInteraction(
          options.eventsUrl,
          options.signingSecret,
          blockActionsPayload({
            user: body.user,
            channel: options.channel,
            messageTs: body.messageTs,
            ...(message?.threadTs ? { threadTs: message.threadTs } : {}),
            actionId: body.actionId,
            value: body.value,
            ...(body.blockId ? { blockId: body.blockId } : {}),
            triggerId: issueTrigger(body.user),
            responseUrl: context.responseUrl(options.channel, body.user),
          }),
        );
        showAnswer(answer, body.user);
        json(response, 200, { status: answer.status, tookMs: answer.tookMs });
        return true;
      }
      case '/console/api/submit': {
        const body = parsedOr400(SubmitBody);
        if (!body) return true;
        const opened = state.views.find((view) => view.id === body.viewId);
        if (!opened) return (json(response, 404, { error: 'view_not_found' }), true);
        const answer = await sendInteraction(
          options.eventsUrl,
          options.signingSecret,
          viewSubmissionPayload({ user: body.user, view: opened.view, viewId: opened.id, values: body.values }),
        );
        // `response_action: errors` keeps the modal open with messages under the inputs, as in Slack.
        let errors: Record<string, string> | undefined;
        try {
          const parsed = JSON.parse(answer.body || '{}') as {
            response_action?: string;
            errors?: Record<string, string>;
          };
          if (parsed.response_action === 'errors') errors = parsed.errors;
        } catch {
          // An empty or plain acknowledgement closes the modal.
        }
        if (answer.status === 200 && !errors) closedViews.add(opened.id);
        json(response, 200, { status: answer.status, errors: errors ?? null });
        return true;
      }
      case '/console/api/close': {
        const body = parsedOr400(CloseBody);
        if (!body) return true;
        closedViews.add(body.viewId);
        json(response, 200, { ok: true });
        return true;
      }
      case '/console/api/scenario': {
        const body = parsedOr400(ScenarioBody);
        if (!body) return true;
        if (!options.switchboard) return (json(response, 404, { error: 'no switchboard here' }), true);
        try {
          json(response, 200, { said: await options.switchboard.apply(body.id) });
        } catch (error) {
          json(response, 500, { error: error instanceof Error ? error.message : String(error) });
        }
        return true;
      }
      default:
        return false;
    }
  };
}
