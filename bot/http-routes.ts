// /healthz, /readyz and /metrics beside /slack/events.
import type { CustomRoute } from '@slack/bolt';
import type { Registry } from 'prom-client';

export function httpRoutes(options: { ready: () => Promise<boolean>; registry: Registry }): CustomRoute[] {
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
        options.ready().then(
          (ok) => res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready\n' : 'not ready\n'),
          () => res.writeHead(503, { 'content-type': 'text/plain' }).end('not ready\n'),
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
