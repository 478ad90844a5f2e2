import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceDefinition } from '../resources/resource-definition.js';
import type { ObjectSource, SimObject } from '../scenario/object-source.js';
import { toJson } from '../server/respond.js';
import type { ResourceContext } from './resource-context.js';
import { withTypeMeta } from './table.js';

export interface WatchRequest {
  resource: ResourceDefinition;
  source: ObjectSource;
  namespace?: string;
  predicate: ((object: SimObject) => boolean) | undefined;
  query: URLSearchParams;
  context: ResourceContext;
}

/**
 * A watch on a cluster that never changes: the current objects as ADDED events when the client starts from
 * nothing (no resourceVersion, or "0"), then an open stream until `timeoutSeconds`, the client leaves, or the
 * simulator stops.
 */
export async function serveWatch(_req: IncomingMessage, res: ServerResponse, watch: WatchRequest): Promise<void> {
  const { source, context } = watch;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  const since = watch.query.get('resourceVersion') ?? '';
  if (since === '' || since === '0') {
    const prefix = watch.namespace === undefined ? '' : `${watch.namespace}/`;
    const start = prefix ? source.lowerBound(prefix) : 0;
    const end = prefix ? source.lowerBound(`${watch.namespace}0`) : source.size;
    for (let index = start; index < end && !res.destroyed; index++) {
      const object = source.at(index);
      if (watch.predicate && !watch.predicate(object)) continue;
      res.write(`${toJson({ type: 'ADDED', object: withTypeMeta(watch.resource, object) }, context.nowMs)}\n`);
    }
  }
  // Like kube-apiserver, a missing, zero or unreadable timeoutSeconds means the server's default (30 min here).
  const asked = Number(watch.query.get('timeoutSeconds') ?? '');
  const timeoutSeconds = Number.isFinite(asked) && asked > 0 ? asked : 1800;
  await new Promise<void>((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      context.signal.removeEventListener('abort', finish);
      res.off('close', finish);
      resolve();
    };
    const timer = setTimeout(finish, timeoutSeconds * 1000);
    context.signal.addEventListener('abort', finish, { once: true });
    // The response's close, not the request's: a GET's request stream closes as soon as it has been read.
    res.on('close', finish);
  });
  if (!res.destroyed) res.end();
}
