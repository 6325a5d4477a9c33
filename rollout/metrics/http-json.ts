// A GET/POST returning JSON over http or https, with a hard timeout and an optional CA.
// node:http rather than fetch: fetch cannot be given a private CA without another package.
import http from 'node:http';
import https from 'node:https';

export interface HttpJsonResult {
  status: number;
  body: unknown;
}

export function getJson(url: string, options: { timeoutMs: number; ca?: string | Buffer }): Promise<HttpJsonResult> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(target, { timeout: options.timeoutMs, ...(options.ca ? { ca: options.ca } : {}) }, (response) => {
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
    request.on('timeout', () => request.destroy(new Error(`timed out after ${options.timeoutMs} ms`)));
    request.on('error', reject);
  });
}
