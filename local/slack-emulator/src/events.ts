// Server-Sent Events: one small event per state change, so the page can refresh.
import type { ServerResponse } from 'node:http';
import type { StoreChange } from './store.js';

const KEEPALIVE_MS = 15_000;

export function createEventHub() {
  const clients = new Set<ServerResponse>();
  let keepalive: NodeJS.Timeout | undefined;

  return {
    attach(res: ServerResponse): void {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write('retry: 1000\n\n');
      clients.add(res);
      res.on('close', () => clients.delete(res));
      if (!keepalive) {
        keepalive = setInterval(() => clients.forEach((c) => c.write(': keepalive\n\n')), KEEPALIVE_MS);
        keepalive.unref();
      }
    },
    publish(change: StoreChange): void {
      const frame = `event: change\ndata: ${JSON.stringify(change)}\n\n`;
      for (const client of clients) client.write(frame);
    },
    closeAll(): void {
      if (keepalive) clearInterval(keepalive);
      keepalive = undefined;
      for (const client of clients) client.end();
      clients.clear();
    },
  };
}
