// A bare REST client for the rig's API servers as its admin (servers.json, the rig's CA and the
// admin token, as kubelet.mjs reads them): for the harness's own stand-ins (the Karmada
// propagation stand-in, the pod feeder of the metrics exporter), not for rollgate, which
// talks through its kubeconfig.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { RIG_DIR } from './rig.js';

export type Json = Record<string, any>;

export interface RigRest {
  readonly server: string;
  /** The parsed body; undefined on 404. Throws on any other non-2xx answer. */
  request(method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH', path: string, body?: unknown, contentType?: string): Promise<Json | undefined>;
  list(path: string): Promise<Json[]>;
  close(): void;
}

export function rigRest(context: string): RigRest {
  const servers = JSON.parse(readFileSync(join(RIG_DIR, 'servers.json'), 'utf8')) as Record<string, string>;
  const server = servers[context];
  if (!server) throw new Error(`the rig has no API server "${context}" (it has: ${Object.keys(servers).join(', ')})`);
  const ca = readFileSync(join(RIG_DIR, 'pki', 'ca.crt'));
  const token = readFileSync(join(RIG_DIR, 'pki', 'admin.token'), 'utf8').trim();
  const agent = new https.Agent({ ca, keepAlive: true, maxSockets: 4 });
  const request: RigRest['request'] = (method, path, body, contentType = 'application/json') =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string | number> = { authorization: `Bearer ${token}`, accept: 'application/json' };
      if (data !== undefined) Object.assign(headers, { 'content-type': contentType, 'content-length': Buffer.byteLength(data) });
      const req = https.request(new URL(path, server), { method, agent, headers, timeout: 15_000 }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status === 404) return resolve(undefined);
          if (status < 200 || status > 299) return reject(new Error(`${method} ${context}${path}: HTTP ${status}: ${text.slice(0, 500)}`));
          try {
            resolve(text ? (JSON.parse(text) as Json) : {});
          } catch (error) {
            reject(error as Error);
          }
        });
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`${method} ${context}${path}: timed out`)));
      if (data !== undefined) req.write(data);
      req.end();
    });
  return {
    server,
    request,
    list: async (path) => ((await request('GET', path))?.items ?? []) as Json[],
    close: () => agent.destroy(),
  };
}

/** The REST collection path of a kind in a namespace. */
export function collectionPath(apiVersion: string, plural: string, namespace: string): string {
  return `${apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`}/namespaces/${namespace}/${plural}`;
}
