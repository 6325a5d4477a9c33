// node:http routing: the Web API, upload URLs and file bytes, response_urls, the control API,
// the event stream and the page.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ControlReply } from './control.js';
import type { createEventHub } from './events.js';
import type { StoredFile } from './files.js';
import { parseArgs, readBody, readRawBody, sendBytes, sendJson, sendText } from './http-io.js';
import { multipartFile } from './multipart.js';
import type { ResponseReply } from './response-urls.js';
import type { WebApiReply } from './web-api.js';

export interface ServerRoutes {
  webApi: (method: string, args: Record<string, unknown>, authorization: string | undefined) => WebApiReply;
  responseUrl: (id: string, body: Record<string, unknown>) => ResponseReply;
  /** Bytes POSTed to an upload URL from files.getUploadURLExternal; false for an unknown URL. */
  upload: (ticket: string, bytes: Buffer) => boolean;
  file: (id: string) => StoredFile | undefined;
  control: (method: string, path: string, query: URLSearchParams, rawBody: string) => Promise<ControlReply | undefined>;
  events: ReturnType<typeof createEventHub>;
  page: () => string;
  log: (line: string) => void;
}

const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

async function route(routes: ServerRoutes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const path = url.pathname;
  const method = req.method ?? 'GET';

  if (method === 'GET' && (path === '/' || path.startsWith('/archives/'))) return sendText(res, 200, 'text/html; charset=utf-8', routes.page());
  if (path === '/favicon.ico') return void res.writeHead(204).end();
  if (method === 'GET' && path === '/_emulator/events') return routes.events.attach(res);

  const apiMethod = path.match(/^\/api\/([\w.]+)$/)?.[1];
  if (apiMethod && (method === 'POST' || method === 'GET')) {
    const raw = method === 'POST' ? await readRawBody(req) : '';
    const parsed = method === 'POST' ? parseArgs(req.headers['content-type'], raw) : { ok: true as const, args: Object.fromEntries(url.searchParams) };
    if (!parsed.ok) return sendJson(res, 200, { ok: false, error: parsed.error });
    const reply = routes.webApi(apiMethod, parsed.args, req.headers.authorization);
    return sendJson(res, reply.status, reply.body, reply.headers);
  }

  const ticket = path.match(/^\/upload\/v1\/([\w-]+)$/)?.[1];
  if (ticket && method === 'POST') {
    const raw = await readBody(req, MAX_UPLOAD_BYTES);
    const type = req.headers['content-type'] ?? '';
    const bytes = type.includes('multipart/form-data') ? multipartFile(type, raw) : raw;
    if (!bytes) return sendText(res, 400, 'text/plain; charset=utf-8', 'malformed multipart form');
    if (!routes.upload(ticket, bytes)) return sendText(res, 404, 'text/plain; charset=utf-8', 'unknown or used upload URL');
    // Slack answers a good upload with HTTP 200 and a short text body; any other status is a failure.
    return sendText(res, 200, 'text/plain; charset=utf-8', `OK - ${bytes.length}`);
  }

  const fileId = path.match(/^\/_emulator\/files\/(F\w+)$/)?.[1];
  if (fileId && method === 'GET') {
    const file = routes.file(fileId);
    if (!file) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
    const disposition = url.searchParams.has('download') ? 'attachment' : 'inline';
    return sendBytes(res, 200, file.mimetype, file.bytes, { 'content-disposition': `${disposition}; filename="${file.name.replace(/["\\\r\n]/g, '_')}"` });
  }

  const responseId = path.match(/^\/response\/([\w-]+)$/)?.[1];
  if (responseId && method === 'POST') {
    const raw = await readRawBody(req);
    const parsed = parseArgs(req.headers['content-type']?.includes('form') ? 'form' : 'application/json', raw);
    if (!parsed.ok) return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
    // A form post carries the message JSON in `payload`, as incoming webhooks accept.
    const payload = typeof parsed.args.payload === 'string' ? parseArgs('application/json', parsed.args.payload) : parsed;
    if (!payload.ok) return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
    const reply = routes.responseUrl(responseId, payload.args);
    return sendJson(res, reply.status, reply.body);
  }

  if (path.startsWith('/_emulator/')) {
    const reply = await routes.control(method, path, url.searchParams, method === 'GET' ? '' : await readRawBody(req));
    if (reply) return sendJson(res, reply.status, reply.body);
  }
  sendJson(res, 404, { ok: false, error: 'not_found', message: `${method} ${path} is not something the Slack emulator serves` });
}

export function createHttpServer(routes: ServerRoutes): Server {
  return createServer((req, res) => {
    route(routes, req, res).catch((err: unknown) => {
      routes.log(`error serving ${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error' });
      else res.end();
    });
  });
}
