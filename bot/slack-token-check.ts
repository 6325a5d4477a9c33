// Checks the bot token with auth.test at start. Slack refusing it (invalid_auth,
// token_revoked, account_inactive…) is final; Slack not answering is retried with backoff
// for as long as it takes, and said as a reason /readyz can show.
import type { WebClient } from '@slack/web-api';

export interface BotIdentity {
  botId?: string;
  botUserId?: string;
  teamId?: string;
}

export type TokenCheck = { kind: 'verified'; identity: BotIdentity } | { kind: 'refused'; error: string } | { kind: 'stopped' };

export interface TokenCheckOptions {
  client: Pick<WebClient, 'auth'>;
  sleep: (ms: number) => Promise<void>;
  /** Slack did not answer (or answered 5xx / a transient error); `retryInMs` from now. */
  onUnreachable: (reason: string, retryInMs: number) => void;
  stopped: () => boolean;
}

/** Errors Slack answers with that say nothing about the token. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

export const retryDelayMs = (attempt: number) => Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempt - 1));

/** What went wrong, in a few words, without anything from the request (its headers hold the token). */
function reasonOf(error: unknown): { refused?: string; reason: string } {
  const coded = error as { code?: string; data?: { error?: string }; statusCode?: number; original?: { code?: string; message?: string }; message?: string };
  if (coded.code === 'slack_webapi_platform_error') {
    const code = coded.data?.error ?? 'unknown_error';
    return TRANSIENT.has(code) ? { reason: `Slack answered ${code}` } : { refused: code, reason: code };
  }
  if (coded.code === 'slack_webapi_http_error') return { reason: `Slack answered HTTP ${coded.statusCode ?? '?'}` };
  if (coded.code === 'slack_webapi_rate_limited_error') return { reason: 'Slack rate-limited auth.test' };
  const cause = coded.original?.code ?? coded.original?.message ?? coded.message ?? String(error);
  return { reason: `Slack API unreachable (${cause})` };
}

export async function checkBotToken(options: TokenCheckOptions): Promise<TokenCheck> {
  for (let attempt = 1; !options.stopped(); attempt += 1) {
    try {
      const result = await options.client.auth.test();
      return {
        kind: 'verified',
        identity: {
          ...(result.bot_id ? { botId: result.bot_id } : {}),
          ...(result.user_id ? { botUserId: result.user_id } : {}),
          ...(result.team_id ? { teamId: result.team_id } : {}),
        },
      };
    } catch (error) {
      const { refused, reason } = reasonOf(error);
      if (refused) return { kind: 'refused', error: refused };
      const delay = retryDelayMs(attempt);
      options.onUnreachable(reason, delay);
      await options.sleep(delay);
    }
  }
  return { kind: 'stopped' };
}

/** The one line a refused token ends the process with. */
export const refusedTokenLine = (error: string) =>
  `SLACK_BOT_TOKEN: Slack refused the bot token (${error}); copy the Bot User OAuth Token (xoxb-…) from Slack app settings > OAuth & Permissions, and reinstall the app if it was revoked`;
