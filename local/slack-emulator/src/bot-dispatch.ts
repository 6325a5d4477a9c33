// Delivers what people do to the bot: over one of its Socket Mode connections when it has any,
// else as a signed request to its Request URL. Either way Slack gives up after 3 s.
import { signedHeaders, type Signing } from './signing.js';
import type { Envelope } from './socket-mode.js';

export const BOT_TIMEOUT_MS = 3000;

export interface BotReply {
  /** The bot's HTTP status (200 for an acknowledged envelope); 0 when it did not answer. */
  status: number;
  /** The bot's body or acknowledgment payload: parsed JSON when it sent JSON, else text ('' when empty). */
  body: unknown;
  /** Set when Slack would report a failure to the user. */
  error?: 'operation_timeout' | 'dispatch_failed';
  /** How it travelled: a signed HTTP request or a Socket Mode envelope. */
  via?: 'http' | 'socket';
  /** Socket Mode only: the envelope and the connection it went to. */
  envelopeId?: string;
  connection?: string;
}

/** One delivery: the envelope Socket Mode sends, and the body the HTTP request carries instead. */
export interface Delivery extends Envelope {
  rawBody: string;
}

export interface SocketDelivery {
  /** undefined when the app has no open connection. */
  deliver(envelope: Envelope): Promise<BotReply> | undefined;
}

export function createBotDispatch(options: {
  signingSecret: string;
  now: () => number;
  botUrl: () => string | undefined;
  socket?: SocketDelivery;
  timeoutMs?: number;
  log: (line: string) => void;
}) {
  const timeoutMs = options.timeoutMs ?? BOT_TIMEOUT_MS;

  async function post(rawBody: string, signing: Signing): Promise<BotReply> {
    const url = options.botUrl();
    if (!url) return { status: 0, body: '', error: 'dispatch_failed', via: 'http' };
    const headers: Record<string, string> = { ...signedHeaders({ signingSecret: options.signingSecret, nowMs: options.now(), rawBody, signing }), 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)' };
    // Events API callbacks are JSON; commands and interactions are form-encoded.
    if (rawBody.startsWith('{')) headers['content-type'] = 'application/json';
    try {
      const response = await fetch(url, { method: 'POST', headers, body: rawBody, signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      let body: unknown = text;
      if ((response.headers.get('content-type') ?? '').includes('json') || /^\s*[{[]/.test(text)) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      const reply: BotReply = { status: response.status, body, via: 'http' };
      if (response.status < 200 || response.status > 299) reply.error = 'dispatch_failed';
      return reply;
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      options.log(`bot at ${url} ${timedOut ? `did not answer within ${timeoutMs} ms` : `unreachable: ${(err as Error).message}`}`);
      return { status: 0, body: '', error: timedOut ? 'operation_timeout' : 'dispatch_failed', via: 'http' };
    }
  }

  return {
    /** Forgeries only exist on the HTTP path: a socket needs no signature. */
    send(delivery: Delivery, signing: Signing = 'valid'): Promise<BotReply> {
      const { rawBody, ...envelope } = delivery;
      return (signing === 'valid' ? options.socket?.deliver(envelope) : undefined) ?? post(rawBody, signing);
    },
  };
}
