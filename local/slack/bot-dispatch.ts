// Delivers signed requests to the bot's Request URL and reads its answer, giving up after 3 s
// as Slack does.
import { signedHeaders, type Signing } from './signing.js';

export const BOT_TIMEOUT_MS = 3000;

export interface BotReply {
  /** The bot's HTTP status; 0 when it did not answer. */
  status: number;
  /** The bot's body: parsed JSON when it sent JSON, else text ('' when empty). */
  body: unknown;
  /** Set when Slack would report a failure to the user. */
  error?: 'operation_timeout' | 'dispatch_failed';
}

export function createBotDispatch(options: { signingSecret: string; now: () => number; botUrl: () => string | undefined; timeoutMs?: number; log: (line: string) => void }) {
  const timeoutMs = options.timeoutMs ?? BOT_TIMEOUT_MS;
  return {
    async send(rawBody: string, signing: Signing = 'valid'): Promise<BotReply> {
      const url = options.botUrl();
      if (!url) return { status: 0, body: '', error: 'dispatch_failed' };
      const headers = { ...signedHeaders({ signingSecret: options.signingSecret, nowMs: options.now(), rawBody, signing }), 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)' };
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
        const reply: BotReply = { status: response.status, body };
        if (response.status < 200 || response.status > 299) reply.error = 'dispatch_failed';
        return reply;
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        options.log(`bot at ${url} ${timedOut ? `did not answer within ${timeoutMs} ms` : `unreachable: ${(err as Error).message}`}`);
        return { status: 0, body: '', error: timedOut ? 'operation_timeout' : 'dispatch_failed' };
      }
    },
  };
}
