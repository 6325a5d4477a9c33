// One simulated kube-apiserver over HTTP: discovery, then REST verbs on the registry.
import type { ServerResponse } from 'node:http';
import { discovery } from './discovery.js';
import { parseSelector, matchesRequirements, SelectorParseError, type Requirement } from './label-selector.js';
import type { Patcher } from './patch.js';
import type { Registry, WriteOptions } from './registry.js';
import { apiVersionOf, type ResourceType } from './resource-types.js';
import { errors, KubeError, successStatus } from './status.js';
import type { KubeObject } from './store.js';
import { serveWatch } from './watch.js';

export interface ApiServer {
  name: string;
  registry: Registry;
  patcher: Patcher;
}

export interface KubeRequest {
  method: string;
  /** Path below the server's prefix, e.g. /apis/apps/v1/namespaces/default/deployments. */
  path: string;
  query: URLSearchParams;
  contentType: string;
  body: string;
  serverAddress: string;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendStatus(res: ServerResponse, err: KubeError, headers: Record<string, string> = {}): void {
  sendJson(res, err.code, err.status, headers);
}

interface Target {
  rt: ResourceType;
  namespace: string;
  name?: string;
  subresource?: string;
}

function resolve(registry: Registry, path: string): Target | undefined {
  const m = /^\/api\/v1(\/.*)?$/.exec(path) ?? /^\/apis\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
  if (!m) return undefined;
  const [group, version, rest] = m.length === 2 || m[0].startsWith('/api/') ? ['', 'v1', m[1] ?? ''] : [m[1]!, m[2]!, m[3] ?? ''];
  const seg = rest.split('/').filter(Boolean).map(decodeURIComponent);
  const find = (resource: string | undefined) => (resource ? registry.type(group, version, resource) : undefined);
  if (seg[0] === 'namespaces' && seg.length >= 3) {
    const rt = find(seg[2]);
    if (!rt || !rt.namespaced) return undefined;
    return { rt, namespace: seg[1]!, name: seg[3], subresource: seg[4] };
  }
  const rt = find(seg[0]);
  if (!rt || seg.length > 3) return undefined;
  if (rt.namespaced && seg.length > 1) return undefined;
  return { rt, namespace: '', name: seg[1], subresource: seg[2] };
}

function fieldFilter(selector: string | null): (o: KubeObject) => boolean {
  if (!selector) return () => true;
  const reqs = selector.split(',').filter(Boolean).map((part) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part.trim());
    if (!m) throw errors.badRequest(`invalid field selector: ${part}`);
    const path = m[1]!.trim();
    if (!['metadata.name', 'metadata.namespace', 'status.phase', 'spec.nodeName'].includes(path)) {
      throw errors.badRequest(`field label not supported: ${path}`);
    }
    return { path: path.split('.'), neg: m[2] === '!=', value: m[3]! };
  });
  return (o) => reqs.every((r) => (String(r.path.reduce<any>((v, k) => v?.[k], o) ?? '') === r.value) !== r.neg);
}

function labelFilter(query: URLSearchParams): Requirement[] {
  try {
    return parseSelector(query.get('labelSelector'));
  } catch (e) {
    if (e instanceof SelectorParseError) throw errors.badRequest(e.message);
    throw e;
  }
}

function listBody(server: ApiServer, t: Target, query: URLSearchParams): unknown {
  const reqs = labelFilter(query);
  const byField = fieldFilter(query.get('fieldSelector'));
  const items = server.registry.store
    .list(t.rt.resource, t.rt.namespaced && t.namespace ? t.namespace : undefined)
    .filter((o) => matchesRequirements(o['metadata'].labels, reqs) && byField(o))
    .map((o) => {
      if (!t.rt.builtin) return o;
      const { kind: _k, apiVersion: _a, ...rest } = o;
      return rest;
    });
  return { kind: t.rt.listKind, apiVersion: apiVersionOf(t.rt), metadata: { resourceVersion: server.registry.store.revision() }, items };
}

function parseBody(req: KubeRequest): KubeObject {
  try {
    return JSON.parse(req.body) as KubeObject;
  } catch (e) {
    throw errors.badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
  }
}

function writeOptions(query: URLSearchParams): WriteOptions {
  const dryRun = query.get('dryRun');
  if (dryRun !== null && dryRun !== 'All') throw errors.badRequest(`Invalid dry run value: ${dryRun}`);
  return { dryRun: dryRun === 'All' };
}

export function handleKubeRequest(server: ApiServer, req: KubeRequest, res: ServerResponse): void {
  try {
    const doc = discovery(req.path, server.registry.types, req.serverAddress);
    if (doc !== undefined && req.method === 'GET') {
      if (doc === null) throw errors.resourceNotFound();
      return sendJson(res, 200, doc);
    }
    const t = resolve(server.registry, req.path);
    if (!t) {
      if (req.path.startsWith('/api/') || req.path.startsWith('/apis/')) throw errors.resourceNotFound();
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end('404 page not found\n');
    }
    dispatch(server, t, req, res);
  } catch (e) {
    if (e instanceof KubeError) return sendStatus(res, e);
    sendStatus(res, errors.internal((e as Error).message));
  }
}

function dispatch(server: ApiServer, t: Target, req: KubeRequest, res: ServerResponse): void {
  const { registry } = server;
  const { rt, namespace } = t;
  const gr = { group: rt.group, resource: rt.resource };
  const isCollection = t.name === undefined;
  const write = req.method !== 'GET';
  if (t.subresource && (t.subresource !== 'status' || !rt.statusSubresource || write)) {
    throw errors.methodNotAllowed(req.method, gr);
  }
  if (write && !rt.clientWritable) throw errors.methodNotAllowed(req.method, gr);
  if (isCollection) {
    if (req.method === 'GET') {
      const watch = req.query.get('watch');
      if (watch === 'true' || watch === '1') return serveWatch({ server, rt, namespace, query: req.query, res });
      return sendJson(res, 200, listBody(server, t, req.query));
    }
    if (req.method === 'POST') return sendJson(res, 201, registry.create(rt, namespace, parseBody(req), writeOptions(req.query)));
    throw errors.methodNotAllowed(req.method, gr);
  }
  const name = t.name!;
  switch (req.method) {
    case 'GET':
      return sendJson(res, 200, registry.get(rt, namespace, name));
    case 'PUT':
      return sendJson(res, 200, registry.update(rt, namespace, name, parseBody(req), writeOptions(req.query)));
    case 'PATCH': {
      const fieldManager = req.query.get('fieldManager') ?? undefined;
      const out = server.patcher.patch({ rt, namespace, name, contentType: req.contentType, body: req.body, fieldManager, opts: writeOptions(req.query) });
      return sendJson(res, out.created ? 201 : 200, out.object);
    }
    case 'DELETE': {
      const gone = registry.remove(rt, namespace, name, writeOptions(req.query));
      return sendJson(res, 200, rt.returnDeletedObject ? gone : successStatus(gr, name, gone['metadata'].uid));
    }
    default:
      throw errors.methodNotAllowed(req.method, gr);
  }
}
