// A lean Slack Web API stand-in for benchmarks: answers every method with ok, counts calls per
// method, and reports what the benchmark waits for (a gate's Approve button, posts per
// channel). The Slack emulator (local/slack-emulator) renders, validates and stores every message,
// which is the right thing for the demo and tests and needless work here.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GateSeen {
  rolloutId: string;
  stage: number;
  channel: string;
  at: number;
}

export function createLeanSlack() {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let calls: Record<string, number> = {};
  let postsByChannel = new Map<string, number>();
  let ts = 0;
  const gatesSeen = new Set<string>();

  function fields(raw: string, type: string | undefined): Record<string, unknown> {
    if (type?.includes('json')) {
      try {
        return JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return {};
      }
    }
    return Object.fromEntries(new URLSearchParams(raw));
  }

  function findGates(blocks: unknown, channel: string): void {
    const list = typeof blocks === 'string' ? (JSON.parse(blocks) as unknown) : blocks;
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (o.type === 'button' && o.action_id === 'rollout_approve' && typeof o.value === 'string') {
        const value = JSON.parse(o.value) as { r: string; s: number };
        const key = `${value.r}/${value.s}`;
        if (!gatesSeen.has(key)) {
          gatesSeen.add(key);
          events.emit('gate', { rolloutId: value.r, stage: value.s, channel, at: performance.now() } satisfies GateSeen);
        }
      }
      for (const v of Object.values(o)) if (v && typeof v === 'object') visit(v);
    };
    visit(list);
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const path = (request.url ?? '/').split('?')[0] as string;
      const raw = Buffer.concat(chunks).toString('utf8');
      if (path.startsWith('/respond/')) {
        calls['response_url'] = (calls['response_url'] ?? 0) + 1;
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      }
      const method = path.replace(/^\/api\//, '');
      calls[method] = (calls[method] ?? 0) + 1;
      const body = fields(raw, request.headers['content-type']);
      const channel = String(body.channel ?? 'C0');
      if (method === 'chat.postMessage') postsByChannel.set(channel, (postsByChannel.get(channel) ?? 0) + 1);
      if (raw.includes('rollout_approve')) {
        try {
          findGates(body.blocks, channel);
        } catch {
          /* not blocks we understand: ignore */
        }
      }
      let answer: Record<string, unknown> = { ok: true };
      if (method === 'auth.test') answer = { ok: true, url: 'https://bench.slack.test/', team: 'bench', user: 'rollgate', team_id: 'T0BENCH', user_id: 'U0BOT', bot_id: 'B0BOT' };
      else if (method === 'chat.postMessage' || method === 'chat.update') {
        ts += 1;
        const messageTs = method === 'chat.update' ? String(body.ts) : `${Math.floor(Date.now() / 1000)}.${String(ts).padStart(6, '0')}`;
        answer = { ok: true, channel, ts: messageTs, message: { ts: messageTs } };
      } else if (method === 'chat.getPermalink') answer = { ok: true, permalink: 'https://bench.slack.test/archives/C0/p1' };
      else if (method === 'usergroups.users.list') answer = { ok: true, users: [] };
      const text = JSON.stringify(answer);
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
    });
  });
  server.keepAliveTimeout = 120_000;

  let port = 0;
  return {
    events,
    async listen(): Promise<number> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
      return port;
    },
    get apiUrl() {
      return `http://127.0.0.1:${port}/api/`;
    },
    responseUrl: (id: string) => `http://127.0.0.1:${port}/respond/${id}`,
    calls: () => ({ ...calls }),
    posts: (channel: string) => postsByChannel.get(channel) ?? 0,
    reset(): void {
      calls = {};
      postsByChannel = new Map();
      gatesSeen.clear();
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type LeanSlack = ReturnType<typeof createLeanSlack>;
