// `?watch=true` on a collection: a stream of {"type","object"} JSON lines, as informers expect.
// History is not kept, so a watch from an old resourceVersion starts from now (no 410 Gone).
import type { ServerResponse } from 'node:http';
import type { ApiServer } from './api-handler.js';
import { matchesRequirements, parseSelector } from './label-selector.js';
import type { ResourceType } from './resource-types.js';
import type { KubeObject } from './store.js';

export interface WatchRequest {
  server: ApiServer;
  rt: ResourceType;
  namespace: string;
  query: URLSearchParams;
  res: ServerResponse;
}

export function serveWatch({ server, rt, namespace, query, res }: WatchRequest): void {
  const reqs = parseSelector(query.get('labelSelector'));
  const timeoutSeconds = Math.min(Number(query.get('timeoutSeconds') ?? 1800) || 1800, 3600);
  const matches = (o: KubeObject) =>
    (!rt.namespaced || !namespace || o['metadata'].namespace === namespace) && matchesRequirements(o['metadata'].labels, reqs);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  const send = (type: string, object: KubeObject) => res.write(`${JSON.stringify({ type, object })}\n`);
  const rv = query.get('resourceVersion');
  if (!rv || rv === '0') {
    for (const o of server.registry.store.list(rt.resource, rt.namespaced && namespace ? namespace : undefined)) {
      if (matches(o)) send('ADDED', o);
    }
  }
  const stop = server.registry.store.onChange((change) => {
    if (change.resource === rt.resource && matches(change.object)) send(change.type, change.object);
  });
  const timer = setTimeout(() => res.end(), timeoutSeconds * 1000);
  timer.unref();
  const close = () => {
    clearTimeout(timer);
    stop();
  };
  res.on('close', close);
}
