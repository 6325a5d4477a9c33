// `rollgate worker`'s own small HTTP server: /healthz, /readyz and /metrics, the same routes
// `serve` mounts beside /slack/events, so a worker pod has probes and its counters are scraped.
import { createServer, type Server } from 'node:http';
import type { CustomRoute } from '@slack/bolt';

export async function startProbeServer(routes: CustomRoute[], port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.path === path);
    const methods = route ? [route.method].flat() : [];
    if (!route) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    if (!methods.includes(req.method ?? '')) return void res.writeHead(405, { allow: methods.join(', ') }).end();
    void route.handler(Object.assign(req, { params: {} }), res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
