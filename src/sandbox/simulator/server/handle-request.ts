import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { setTimeout as delay } from 'node:timers/promises';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from '../api/discovery.js';
import type { ObjectStore } from '../api/object-store.js';
import { parseResourcePath, qualifiedName } from '../api/resource-path.js';
import { serveResource } from '../api/serve-resource.js';
import { healthAnswer } from '../health/serve-health.js';
import { renderMetrics } from '../metrics/render-metrics.js';
import { METRICS_GROUP, metricsGroupEntry, serveMetricsApi } from '../usage/serve-metrics-api.js';
import type { FaultSet } from './faults.js';
import { negotiate } from './media-type.js';
import type { RequestLog } from './request-log.js';
import { sendJson, sendStatus, sendText } from './respond.js';
import { StatusError, badRequest, noSuchResource, statusForCode, unauthorized } from './status-error.js';

/** What the request handler reads from the running simulator. */
export interface ServerContext {
  store: ObjectStore;
  token: string;
  /** The user the token authenticates as, for 403 messages (a client certificate's user is its CN). */
  user: string;
  faults: FaultSet;
  log: RequestLog;
  now(): number;
  /** Clock reading at start: metrics advance from here. */
  startMs: number;
  /** Added to every request, ms. */
  latencyMs: number;
  /** Aborted on stop: releases delayed, hanging and watching requests. */
  signal: AbortSignal;
}

const HEALTH = /^\/(livez|readyz|healthz)(?:\/(.*))?$/;
const NOT_FOUND_TEXT = '404 page not found\n';

/**
 * Paths served without a token. Kubernetes 1.32 can restrict anonymous access to exactly these
 * (AuthenticationConfiguration `anonymous.conditions`); everything else needs the bearer token.
 */
function isPublic(pathname: string): boolean {
  return HEALTH.test(pathname) || pathname === '/version' || pathname === '/version/';
}

function tokenMatches(header: string | undefined, token: string): boolean | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Who sent the request, as kube-apiserver decides with `--client-ca-file` and a token authenticator: a client
 * certificate that verifies against the CA (the TLS layer only requests one and checks it here, so an expired one
 * still completes the handshake and gets a 401, as kube-apiserver answers "Unable to authenticate the request"), else
 * the bearer token. `undefined`: anonymous; `false`: credentials were presented and refused.
 */
function authenticate(req: IncomingMessage, context: ServerContext): string | false | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  const certificate = socket.getPeerCertificate?.();
  const presented = certificate !== undefined && certificate !== null && Object.keys(certificate).length > 0;
  const commonName = presented ? certificate.subject?.CN : undefined;
  if (presented && socket.authorized && typeof commonName === 'string') return commonName;
  const token = tokenMatches(req.headers.authorization, context.token);
  if (token) return context.user;
  return token === false || presented ? false : undefined;
}

const VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The simulated credentials are read-only, like Quorum's diagnostics: writes get RBAC's 403. */
function forbidden(method: string, segments: readonly string[], pathname: string, user: string): StatusError {
  const isApi = segments[0] === 'api' || segments[0] === 'apis';
  let verb = VERBS[method] ?? method.toLowerCase();
  if (!isApi)
    return new StatusError(403, `forbidden: User "${user}" cannot ${method.toLowerCase()} path "${pathname}"`, {
      details: {},
    });
  let route;
  try {
    route = parseResourcePath(segments);
  } catch {
    return new StatusError(403, `forbidden: User "${user}" cannot ${verb} path "${pathname}"`, { details: {} });
  }
  if (verb === 'delete' && route.name === undefined) verb = 'deletecollection';
  const what = qualifiedName(route.resource) + (route.subresource ? `/${route.subresource}` : '');
  const scope = route.namespace === undefined ? 'at the cluster scope' : `in the namespace "${route.namespace}"`;
  const subject = route.name === undefined ? what : `${what} "${route.name}"`;
  return new StatusError(
    403,
    `${subject} is forbidden: User "${user}" cannot ${verb} resource "${route.resource.name}${route.subresource ? `/${route.subresource}` : ''}" in API group "${route.resource.group}" ${scope}`,
    {
      details: {
        ...(route.name === undefined ? {} : { name: route.name }),
        group: route.resource.group,
        kind: route.resource.name,
      },
    },
  );
}

/** Applies injected faults; returns true when the request has been answered (or must never be). */
async function applyFault(method: string, path: string, res: ServerResponse, context: ServerContext): Promise<boolean> {
  const fault = context.faults.take(method, path);
  if (!fault) return false;
  if (fault.latencyMs) await delay(fault.latencyMs, undefined, { signal: context.signal });
  if (fault.hang) {
    // Never answers: the promise ends when the simulator stops (which destroys the socket) or the client leaves.
    await new Promise<void>((resolve) => {
      if (context.signal.aborted) return resolve();
      context.signal.addEventListener('abort', () => resolve(), { once: true });
      res.once('close', () => resolve());
    });
    return true;
  }
  if (fault.status) {
    sendStatus(res, statusForCode(fault.status, fault.retryAfterSeconds), context.now());
    return true;
  }
  return false;
}

async function route(req: IncomingMessage, res: ServerResponse, context: ServerContext, url: URL): Promise<void> {
  const nowMs = context.now();
  const pathname = url.pathname;
  let segments: string[];
  try {
    segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw badRequest(`invalid escape in path ${JSON.stringify(pathname)}`);
  }
  const scenario = context.store.scenario;

  const user = authenticate(req, context);
  if (user === false || (user === undefined && !isPublic(pathname))) throw unauthorized();

  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    req.resume();
    throw forbidden(method, segments, pathname, user ?? 'system:anonymous');
  }

  if (pathname === '/version' || pathname === '/version/')
    return sendJson(res, 200, versionInfo(scenario.cluster), nowMs);
  const health = HEALTH.exec(pathname);
  if (health) {
    const endpoint = health[1] as 'livez' | 'readyz' | 'healthz';
    const answer = healthAnswer(endpoint, scenario.health[endpoint], health[2] ?? '', url.searchParams);
    return sendText(res, answer.status, answer.body);
  }
  if (pathname === '/metrics') {
    const text = renderMetrics(scenario.metrics, (nowMs - context.startMs) / 1000);
    return sendText(res, 200, text, 'text/plain; version=0.0.4; charset=utf-8');
  }
  // metrics-server's group exists only in scenarios that run it; elsewhere it is as unknown as any other group.
  if (segments[0] === 'apis' && segments[1] === METRICS_GROUP && scenario.metricsServer)
    return serveMetricsApi(req, res, segments, url.searchParams, { store: context.store, nowMs });
  if (segments[0] === 'api' || segments[0] === 'apis') {
    const discovery =
      segments[0] === 'api'
        ? segments.length === 1
          ? apiVersions(scenario.cluster)
          : segments.length === 2
            ? apiResourceList('', segments[1] ?? '')
            : null
        : segments.length === 1
          ? apiGroupList(scenario.metricsServer ? [metricsGroupEntry()] : [])
          : segments.length === 2
            ? apiGroup(segments[1] ?? '')
            : segments.length === 3
              ? apiResourceList(segments[1] ?? '', segments[2] ?? '')
              : null;
    if (discovery !== null) {
      if (discovery === undefined) throw noSuchResource();
      negotiate(req.headers.accept, { tables: false });
      return sendJson(res, 200, discovery, nowMs);
    }
    const resourceRoute = parseResourcePath(segments);
    const representation = negotiate(req.headers.accept, { tables: true, list: resourceRoute.name === undefined });
    return serveResource(req, res, resourceRoute, url.searchParams, {
      store: context.store,
      nowMs,
      representation,
      signal: context.signal,
    });
  }
  // /openapi/v2, /openapi/v3 and anything else: real servers have more, the simulator does not serve them.
  return sendText(res, 404, NOT_FOUND_TEXT);
}

/** Adds the size of every body chunk written to `record.bytes`, however the handler writes it. */
function countBodyBytes(res: ServerResponse, record: { bytes: number }): void {
  const size = (chunk: unknown): number =>
    typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk instanceof Uint8Array ? chunk.byteLength : 0;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    record.bytes += size(chunk);
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function') record.bytes += size(chunk);
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
}

/** Handles one request: log, latency and faults, authentication, then the route. Never throws. */
export async function handleRequest(req: IncomingMessage, res: ServerResponse, context: ServerContext): Promise<void> {
  const began = performance.now();
  const path = req.url ?? '/';
  const record = { method: req.method ?? 'GET', path, time: context.now(), bytes: 0 } as Parameters<
    RequestLog['add']
  >[0];
  context.log.add(record);
  countBodyBytes(res, record);
  res.once('finish', () => {
    record.status = res.statusCode;
    record.durationMs = performance.now() - began;
  });
  res.once('close', () => {
    if (!res.writableFinished) record.abortedByClient = !context.signal.aborted;
    context.log.ended();
  });
  res.setHeader('Audit-Id', randomUUID());
  res.setHeader('Cache-Control', 'no-cache, private');
  try {
    if (context.latencyMs > 0) await delay(context.latencyMs, undefined, { signal: context.signal });
    if (await applyFault(record.method, path, res, context)) return;
    await route(req, res, context, new URL(path, 'https://127.0.0.1'));
  } catch (error) {
    if (context.signal.aborted || res.destroyed) return;
    if (res.headersSent) {
      res.destroy(error instanceof Error ? error : undefined);
      return;
    }
    if (error instanceof StatusError) return sendStatus(res, error, context.now());
    const message = error instanceof Error ? error.message : String(error);
    sendStatus(
      res,
      new StatusError(500, `Internal error occurred: ${message}`, { details: { causes: [{ message }] } }),
      context.now(),
    );
  }
}
