// A small HTTP server for rollgate's own routes (/healthz, /readyz, /metrics): `rollgate worker`
// serves them on ROLLGATE_WORKER_PORT, and `serve` in Socket Mode on PORT, where nothing else
// arrives over HTTP. Bolt's SocketModeReceiver can serve custom routes too, but it neither waits
// for the port nor reports a failure to bind, and it cannot tell which port 0 became.
import { createServer, type Server } from 'node:http';
import type { CustomRoute } from '@slack/bolt';

export async function startProbeServer(routes: CustomRoute[], port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.path === path);
    if (!route) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    const methods = [route.method].flat().map((m) => m.toUpperCase());
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
