// The one HTTPS listener: /karmada and /clusters/<member> kube-apiservers, /prometheus/<cluster>
// query APIs and the /_fleet control API. Faults for a cluster apply before its handler runs.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleKubeRequest, sendJson, sendStatus, type ApiServer } from './kube/api-handler.js';
import { errors } from './kube/status.js';
import type { Fleet } from './fleet-state.js';
import { handleControl } from './control-api.js';
import { handlePrometheus } from './promql/prometheus-api.js';

export interface FleetServerOptions {
  fleet: Fleet;
  token: string;
  tls: { cert: string; key: string };
  now: () => number;
  log: (line: string) => void;
}

export interface FleetServer {
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createFleetServer(o: FleetServerOptions): FleetServer {
  const { fleet } = o;
  let address = '';

  function apiServerFor(path: string): { server: ApiServer; cluster: string; rest: string } | undefined {
    const k = /^\/karmada(\/.*)?$/.exec(path);
    if (k && fleet.karmada) return { server: fleet.karmada, cluster: 'karmada', rest: k[1] ?? '/' };
    const m = /^\/clusters\/([^/]+)(\/.*)?$/.exec(path);
    const member = m && fleet.members.get(decodeURIComponent(m[1]!));
    return member ? { server: member, cluster: member.name, rest: m[2] ?? '/' } : undefined;
  }

  async function serveKube(req: IncomingMessage, res: ServerResponse, target: { server: ApiServer; cluster: string; rest: string }, query: URLSearchParams) {
    if (fleet.faults.isDown(target.cluster)) {
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);
    const latency = fleet.faults.latencyMs(target.cluster);
    if (latency > 0) await sleep(latency);
    if (req.headers.authorization !== `Bearer ${o.token}`) return sendStatus(res, errors.unauthorized());
    const fault = fleet.faults.takeApiFault(target.cluster, req.method ?? 'GET', target.rest);
    if (fault?.type === 'api') {
      o.log(`fleet: ${target.cluster}: injected ${fault.status} for ${req.method} ${target.rest}`);
      const retry = fault.retryAfterSeconds ?? (fault.status === 429 ? 1 : undefined);
      const headers: Record<string, string> = retry !== undefined ? { 'Retry-After': String(retry) } : {};
      const err =
        fault.status === 429 ? errors.tooManyRequests(retry ?? 1) : fault.status === 503 ? errors.serviceUnavailable() : errors.internal('injected fault');
      if (fault.status === 503 && retry !== undefined) err.status.details = { retryAfterSeconds: retry };
      return sendStatus(res, err, headers);
    }
    handleKubeRequest(
      target.server,
      { method: req.method ?? 'GET', path: target.rest, query, contentType: req.headers['content-type'] ?? '', body, serverAddress: address },
      res,
    );
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://fleet.local');
    const path = url.pathname;
    if (path.startsWith('/_fleet/')) return handleControl({ fleet, path, method: req.method ?? 'GET', body: await readBody(req), res });
    const prom = /^\/prometheus\/([^/]+)(\/.*)?$/.exec(path);
    if (prom && fleet.members.has(decodeURIComponent(prom[1]!))) {
      return handlePrometheus({ fleet, cluster: decodeURIComponent(prom[1]!), path: prom[2] ?? '/', req, res, body: await readBody(req), query: url.searchParams, now: o.now });
    }
    const target = apiServerFor(path);
    if (target) return serveKube(req, res, target, url.searchParams);
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
  }

  const server = https.createServer({ cert: o.tls.cert, key: o.tls.key }, (req, res) => {
    route(req, res).catch((e: unknown) => {
      o.log(`fleet: request failed: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) sendJson(res, 500, errors.internal((e as Error).message).status);
      else res.end();
    });
  });

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const a = server.address() as AddressInfo;
          address = `${host}:${a.port}`;
          resolve(`https://${host.includes(':') ? `[${host}]` : host}:${a.port}`);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
