// A GET/POST returning JSON over http or https, with a hard timeout and an optional CA.
// node:http rather than fetch: fetch cannot be given a private CA without another package.
import http from 'node:http';
import https from 'node:https';

/**
 * Keep-alive agents of our own: Node's global agents close a connection after 5 s idle, so a
 * Prometheus asked once per analysis interval (10 s and more) cost a new TCP connection and TLS
 * handshake every time. These keep idle sockets two minutes (Prometheus itself keeps them five).
 */
const IDLE_SOCKET_MS = 120_000;
const agents = {
  http: new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' }),
  https: new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' }),
};

export interface HttpJsonResult {
  status: number;
  body: unknown;
}

export function getJson(url: string, options: { timeoutMs: number; ca?: string | Buffer }): Promise<HttpJsonResult> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const client = secure ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(target, { agent: secure ? agents.https : agents.http, ...(options.ca ? { ca: options.ca } : {}) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON: keep the text for the error message */
        }
        resolve({ status: response.statusCode ?? 0, body });
      });
      response.on('error', reject);
    });
    // A deadline for the whole exchange: a socket timeout only fires after that long idle, so a
    // server sending a byte now and then would hold the analysis tick forever.
    const deadline = setTimeout(() => request.destroy(new Error(`timed out after ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('close', () => clearTimeout(deadline));
    request.on('error', (error) => reject(described(error)));
  });
}

/** Node tries every address of a name (IPv6 and IPv4); when all fail, its AggregateError has an empty message. */
function described(error: Error): Error {
  if (!(error instanceof AggregateError) || error.message) return error;
  return new Error(error.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; '), { cause: error });
}
