// Reading request bodies and writing JSON answers, shared by every route.
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export async function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new Error(`request body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readRawBody(req: IncomingMessage): Promise<string> {
  return (await readBody(req)).toString('utf8');
}

/** Form or JSON arguments, as Slack's Web API accepts both. */
export function parseArgs(contentType: string | undefined, raw: string): { ok: true; args: Record<string, unknown> } | { ok: false; error: string } {
  if ((contentType ?? '').includes('application/json')) {
    if (!raw.trim()) return { ok: true, args: {} };
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return { ok: true, args: parsed as Record<string, unknown> };
    } catch {
      // fall through
    }
    return { ok: false, error: 'invalid_json' };
  }
  return { ok: true, args: Object.fromEntries(new URLSearchParams(raw)) };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

export function sendBytes(res: ServerResponse, status: number, contentType: string, bytes: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': bytes.length, 'cache-control': 'no-store', ...headers });
  res.end(bytes);
}
