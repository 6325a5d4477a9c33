// Socket Mode as Slack speaks it: apps.connections.open hands out a one-time WebSocket URL, the
// app connects, Slack says hello, then sends envelopes that the app acknowledges by
// envelope_id. Each envelope goes to exactly one of the app's connections, in turn.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { BotReply } from './bot-dispatch.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';
export type DisconnectReason = 'warning' | 'refresh_requested' | 'link_disabled';

export interface Envelope {
  type: EnvelopeType;
  /** The same payload the HTTP request carries (a slash command's form fields as an object). */
  payload: Record<string, unknown>;
  /** Whether the acknowledgment's payload is shown to the user (slash commands; not block_actions). */
  acceptsResponsePayload: boolean;
}

export interface SocketConnectionView {
  id: string;
  openedAt: number;
  /** Envelopes sent to this connection. */
  delivered: number;
  /** Told to disconnect (refresh_requested or link_disabled) and not closed yet. */
  draining: boolean;
}

interface Connection extends SocketConnectionView {
  socket: WebSocket;
}

interface Pending {
  connection: string;
  settle: (reply: BotReply) => void;
}

const HOST = 'applink-local-emulator';
const TICKET_TTL_MS = 60_000;
/** How long a connection told to refresh may stay before the emulator closes it (Slack: a few seconds). */
const DRAIN_MS = 5_000;
const PING_EVERY_MS = 10_000;

export function createSocketMode(options: {
  appId: string;
  now: () => number;
  /** The emulator's http:// base URL; the socket URL is the same host with ws://. */
  url: () => string;
  timeoutMs: number;
  log: (line: string) => void;
  onChange: () => void;
}) {
  const { now, log } = options;
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 5 * 1024 * 1024 });
  const tickets = new Map<string, number>();
  const connections: Connection[] = [];
  const pending = new Map<string, Pending>();
  let turn = 0;
  let count = 0;
  const pinger = setInterval(() => connections.forEach((c) => c.socket.ping()), PING_EVERY_MS);
  pinger.unref();

  function accept(socket: WebSocket): void {
    count += 1;
    const connection: Connection = { id: `conn-${count}`, openedAt: now(), delivered: 0, draining: false, socket };
    connections.push(connection);
    socket.on('message', (data: RawData, isBinary: boolean) => (isBinary ? undefined : acknowledge(connection, data.toString())));
    socket.on('close', () => {
      connections.splice(connections.indexOf(connection), 1);
      log(`socket ${connection.id} closed (${connections.length} left)`);
      options.onChange();
    });
    socket.on('error', (err) => log(`socket ${connection.id}: ${err.message}`));
    const hello = {
      type: 'hello',
      num_connections: connections.length,
      debug_info: { host: HOST, build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: options.appId },
    };
    socket.send(JSON.stringify(hello));
    log(`socket ${connection.id} connected (${connections.length} open)`);
    options.onChange();
  }

  /** The app's answer to an envelope: `{envelope_id, payload?}`. */
  function acknowledge(connection: Connection, text: string): void {
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      log(`socket ${connection.id} sent something that is not JSON; ignored`);
      return;
    }
    const id = typeof message.envelope_id === 'string' ? message.envelope_id : undefined;
    const waiting = id ? pending.get(id) : undefined;
    if (!id || !waiting) {
      log(`socket ${connection.id} acknowledged ${id ?? '(no envelope_id)'}, which is not waiting (late, unknown or twice); ignored`);
      return;
    }
    pending.delete(id);
    const payload = message.payload;
    waiting.settle({ status: 200, body: typeof payload === 'object' && payload !== null ? payload : '', via: 'socket', envelopeId: id, connection: waiting.connection });
  }

  /** The next connection in turn, leaving out those told to go unless nothing else is open. */
  function pick(): Connection | undefined {
    const open = connections.filter((c) => c.socket.readyState === c.socket.OPEN);
    const live = open.filter((c) => !c.draining);
    const candidates = live.length > 0 ? live : open;
    const chosen = candidates[turn % Math.max(1, candidates.length)];
    turn += 1;
    return chosen;
  }

  return {
    /** apps.connections.open, once the app-level token has been checked. */
    open(): Record<string, unknown> {
      const ticket = randomBytes(16).toString('hex');
      tickets.set(ticket, now());
      const base = options.url().replace(/^http/, 'ws');
      return { ok: true, url: `${base}/link/?ticket=${ticket}&app_id=${options.appId}` };
    },

    /** The HTTP server's 'upgrade' event: a ticket from open() connects, once. */
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const url = new URL(req.url ?? '/', 'http://emulator');
      const ticket = url.searchParams.get('ticket') ?? '';
      const issuedAt = tickets.get(ticket);
      tickets.delete(ticket);
      const refuse = (status: string) => {
        log(`socket upgrade refused: ${status} (${url.pathname})`);
        socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      };
      if (url.pathname !== '/link/' && url.pathname !== '/link') return refuse('404 Not Found');
      if (issuedAt === undefined || now() - issuedAt > TICKET_TTL_MS) return refuse('401 Unauthorized');
      wss.handleUpgrade(req, socket, head, accept);
    },

    /** Sends one envelope to one connection and waits for its acknowledgment. */
    deliver(envelope: Envelope): Promise<BotReply> | undefined {
      const connection = pick();
      if (!connection) return undefined;
      const id = randomUUID();
      connection.delivered += 1;
      const frame = {
        envelope_id: id,
        payload: envelope.payload,
        type: envelope.type,
        accepts_response_payload: envelope.acceptsResponsePayload,
        ...(envelope.type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
      };
      return new Promise<BotReply>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          log(`socket ${connection.id} did not acknowledge ${id} within ${options.timeoutMs} ms`);
          resolve({ status: 0, body: '', error: 'operation_timeout', via: 'socket', envelopeId: id, connection: connection.id });
        }, options.timeoutMs);
        pending.set(id, {
          connection: connection.id,
          settle: (reply) => {
            clearTimeout(timer);
            resolve(reply);
          },
        });
        connection.socket.send(JSON.stringify(frame));
      });
    },

    connections: (): SocketConnectionView[] => connections.map(({ id, openedAt, delivered, draining }) => ({ id, openedAt, delivered, draining })),

    /**
     * Tells every open connection to go, as Slack does when it recycles a host: the app is
     * expected to open a new connection. Connections still open after a few seconds are closed.
     * 'warning' only warns; nothing is closed.
     */
    disconnect(reason: DisconnectReason = 'refresh_requested'): void {
      for (const connection of [...connections]) {
        connection.socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: HOST } }));
        if (reason === 'warning') continue;
        connection.draining = true;
        setTimeout(() => connection.socket.close(1000, reason), DRAIN_MS).unref();
      }
      options.onChange();
    },

    close(): void {
      clearInterval(pinger);
      for (const waiting of pending.values()) waiting.settle({ status: 0, body: '', error: 'dispatch_failed', via: 'socket', connection: waiting.connection });
      pending.clear();
      for (const connection of connections) connection.socket.terminate();
      wss.close();
    },
  };
}

export type SocketMode = ReturnType<typeof createSocketMode>;
