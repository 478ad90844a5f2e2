import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, HTTPReceiverDeferredRequestError, LogLevel, type CustomRoute } from '@slack/bolt';
import { APPROVE_ACTION_ID, DENY_ACTION_ID } from '../render/approval-blocks.js';
import { PROPOSAL_ACTION_ID_PREFIX } from '../render/proposal-ref.js';
import type { BotMetrics } from './bot-metrics.js';
import { ButtonClickSchema, REQUEST_CALLBACK_ID, RequestSubmissionSchema } from './interaction-schemas.js';
import type { MaintenanceInteractions } from './maintenance-interactions.js';
import type { QuorumCommandHandler } from './quorum-command-handler.js';

export interface BotAppOptions {
  token: string;
  /** HTTP mode: Bolt verifies every request's signature and timestamp with it. */
  signingSecret?: string;
  /** Socket Mode, when set: events arrive over a WebSocket; health and metrics still have their own HTTP port. */
  appToken?: string;
  /** `slack.apiUrl`, for a local Slack double. */
  apiUrl?: string;
  port: number;
  host: string;
  handler: QuorumCommandHandler;
  /** Maintenance requests and approvals (buttons and the request modal). */
  interactions?: MaintenanceInteractions;
  metrics: BotMetrics;
  /** Redis answers now: /readyz says so. */
  redisReady: () => Promise<boolean>;
  /** `POST /alerts/alertmanager`, when the alert webhook is enabled. */
  alertReceiver?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Failures after the acknowledgement (they cannot reach the user any more). */
  onError: (error: unknown, where: string) => void;
}

export interface RunningBot {
  /** `http://HOST:PORT`: `/slack/events`, `/healthz`, `/readyz`, `/metrics`. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

function text(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** The path Alertmanager's webhook posts to. */
export const ALERTS_PATH = '/alerts/alertmanager';

/** `req.url` names the alert webhook (a query string does not change the path). */
function isAlertsRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return url.startsWith(ALERTS_PATH) && (url.length === ALERTS_PATH.length || url[ALERTS_PATH.length] === '?');
}

/**
 * The server's request listener: the alert webhook, when enabled, before anything else; every other request goes to
 * `rest`. An alert storm is thousands of posts a second, and going through Bolt first (a URL parse and a
 * path-to-regexp compiled per custom route and request) was about a tenth of the webhook's CPU time in a profile of
 * the storm benchmark; the webhook does its own method, authentication and size checks.
 */
function alertsFirst(alertReceiver: BotAppOptions['alertReceiver'], rest: RequestListener): RequestListener {
  if (!alertReceiver) return rest;
  return (req, res) => (isAlertsRequest(req) ? alertReceiver(req, res) : rest(req, res));
}

/** /healthz (the process serves), /readyz (and Redis answers), /metrics (Prometheus text). */
function serviceRoutes(options: BotAppOptions): CustomRoute[] {
  return [
    { path: '/healthz', method: ['GET'], handler: (_req, res) => text(res, 200, 'ok\n') },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        void options.redisReady().then(
          (ready) => text(res, ready ? 200 : 503, ready ? 'ok\n' : 'redis unavailable: runs cannot be queued\n'),
          () => text(res, 503, 'redis unavailable\n'),
        );
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
        void options.metrics.registry.metrics().then(
          (body) => text(res, 200, body, options.metrics.registry.contentType),
          (error: unknown) => text(res, 500, `metrics failed: ${String(error)}\n`),
        );
      },
    },
  ];
}

function registerCommands(app: App, options: BotAppOptions): void {
  app.command('/quorum', async ({ command, ack, respond }) => {
    const reply = await options.handler.handle(command);
    await ack(reply.ack);
    if (reply.after) {
      void reply
        .after((message) => respond(message).then(() => undefined))
        .catch((error: unknown) => options.onError(error, 'after /quorum'));
    }
  });
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Buttons and the request modal. Each is acknowledged first (Slack's 3 s), validated with zod (a payload that does
 * not fit does nothing), and handled after; failures after the acknowledgement go to `onError`.
 */
function registerInteractions(app: App, options: BotAppOptions): void {
  const interactions = options.interactions;
  if (!interactions) return;
  const later = (work: Promise<void>, where: string): void => {
    void work.catch((error: unknown) => options.onError(error, where));
  };
  app.action(new RegExp(`^${escapeRegExp(PROPOSAL_ACTION_ID_PREFIX)}`), async ({ ack, body }) => {
    await ack();
    const click = ButtonClickSchema.safeParse(body);
    if (click.success) later(interactions.requestClicked(click.data), 'request maintenance');
  });
  app.view(REQUEST_CALLBACK_ID, async ({ ack, body }) => {
    // Closes the modal; the request is then posted in the thread (or an ephemeral says why not).
    await ack();
    const submission = RequestSubmissionSchema.safeParse(body);
    if (submission.success) later(interactions.requestSubmitted(submission.data), 'maintenance request');
  });
  for (const [actionId, decision] of [
    [APPROVE_ACTION_ID, 'approve'],
    [DENY_ACTION_ID, 'deny'],
  ] as const) {
    app.action(actionId, async ({ ack, body }) => {
      await ack();
      const click = ButtonClickSchema.safeParse(body);
      if (click.success) later(interactions.decisionClicked(click.data, decision), `approval ${decision}`);
    });
  }
}

/**
 * The Bolt app: `/quorum` over HTTP at `POST /slack/events` (signatures and timestamps checked by Bolt; a bad one
 * gets 401 and runs nothing), or over Socket Mode when an app token is set; plus health, readiness and metrics.
 */
export async function startBotApp(options: BotAppOptions): Promise<RunningBot> {
  const clientOptions = { ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}), retryConfig: { retries: 2 } };
  if (options.appToken) {
    const app = new App({
      token: options.token,
      appToken: options.appToken,
      socketMode: true,
      clientOptions,
      logLevel: LogLevel.ERROR,
    });
    registerCommands(app, options);
    registerInteractions(app, options);
    const routes = serviceRoutes(options);
    const server = http.createServer(
      alertsFirst(options.alertReceiver, (req: IncomingMessage, res: ServerResponse) => {
        const route = routes.find(
          (candidate) =>
            candidate.path === new URL(req.url ?? '/', 'http://x').pathname &&
            [candidate.method].flat().includes(req.method ?? 'GET'),
        );
        if (route) route.handler(req as Parameters<CustomRoute['handler']>[0], res);
        else text(res, 404, 'not found\n');
      }),
    );
    await app.start();
    await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`,
      port,
      async stop() {
        await app.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }
  if (!options.signingSecret) throw new Error('HTTP mode needs the signing secret (SLACK_SIGNING_SECRET)');
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: '/slack/events',
    customRoutes: serviceRoutes(options),
    // Acknowledge first, work after: Slack's 3 seconds are for the acknowledgement only.
    processBeforeResponse: false,
    logLevel: LogLevel.ERROR,
  });
  const app = new App({ token: options.token, receiver, clientOptions, logLevel: LogLevel.ERROR });
  registerCommands(app, options);
  registerInteractions(app, options);
  // Bolt's own request listener on a server of ours (HTTPReceiver.start would create one with Bolt's listener only),
  // so that the alert webhook is served before Bolt's routing.
  const bolt: RequestListener = (req, res) => {
    try {
      receiver.requestListener(req, res);
    } catch (error) {
      // What HTTPReceiver's server does with a path it does not serve (its default dispatchErrorHandler).
      if (error instanceof HTTPReceiverDeferredRequestError) text(res, 404, 'not found\n');
      else {
        options.onError(error, `${req.method ?? 'GET'} ${req.url ?? '/'}`);
        if (!res.headersSent) text(res, 500, 'internal error\n');
      }
    }
  };
  const server = http.createServer(alertsFirst(options.alertReceiver, bolt));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`,
    port,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
