// /healthz, /readyz and /metrics beside /slack/events.
import type { CustomRoute } from '@slack/bolt';
import type { Registry } from 'prom-client';

export function httpRoutes(options: { ready: () => Promise<string[]>; registry: Registry }): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      },
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        // 503 with every reason, one per line, so an operator sees why at a glance.
        options.ready().then(
          (reasons) => res.writeHead(reasons.length === 0 ? 200 : 503, { 'content-type': 'text/plain' }).end(reasons.length === 0 ? 'ready\n' : `not ready\n${reasons.map((r) => `- ${r}\n`).join('')}`),
          (error: unknown) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`not ready\n- ${error instanceof Error ? error.message : String(error)}\n`),
        );
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
        options.registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
          (error: unknown) => res.writeHead(500).end(String(error)),
        );
      },
    },
  ];
}
