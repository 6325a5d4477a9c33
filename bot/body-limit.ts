// Bolt buffers a request's whole body before it checks the signature, so anyone who can reach
// /slack/events could make the process hold any number of large bodies. This reads the body
// first, up to a limit, and answers 413 past it; Bolt then uses the buffered body as is.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** Far above anything Slack sends (a block_actions payload with a full message is tens of KB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Past this much of a refused body, the connection is cut rather than read to its end. */
const DISCARD_LIMIT_BYTES = 16 * MAX_BODY_BYTES;

/**
 * Answers 413 and reads the rest of the body into nothing, so the client (still sending) gets
 * the answer rather than a reset; a body that goes on past DISCARD_LIMIT_BYTES is cut off.
 */
function tooLarge(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(413, { 'content-type': 'text/plain' }).end('request body too large\n');
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_LIMIT_BYTES) req.destroy();
  });
  req.resume();
}

/** Reads at most `limit` bytes; undefined (and a 413 sent) when the body is larger. */
function readCapped(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        tooLarge(req, res);
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => size <= limit && resolve(Buffer.concat(chunks)));
    req.once('error', () => resolve(undefined));
  });
}

/** Wraps a request listener so that POSTs to `paths` have their body capped before it runs. */
export function limitBodies(listener: RequestListener, paths: string[], limit = MAX_BODY_BYTES): RequestListener {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST' || !paths.includes(path)) return listener(req, res);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      tooLarge(req, res);
      return;
    }
    void readCapped(req, res, limit).then((body) => {
      if (!body) return;
      // Bolt's bufferIncomingMessage takes a request that already has `rawBody` as read.
      Object.assign(req, { rawBody: body });
      try {
        listener(req, res);
      } catch {
        if (!res.headersSent) res.writeHead(500).end();
      }
    });
  };
}
