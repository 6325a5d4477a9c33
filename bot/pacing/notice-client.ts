// The WebClient the notifier posts with. It throws on 429 instead of sleeping Retry-After
// (and pausing every other call of the client meanwhile), retries other failures once,
// quickly, and gives up on a hung call: waiting longer is the drain job's business, in Redis.
import { WebClient } from '@slack/web-api';
import type { Logger as SlackLogger } from '@slack/logger';

const TIMEOUT_MS = 10_000;
const RETRY = { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 200 };

/** The longest one call of a default notice client can go on: every attempt timing out, with the pause between. */
export const NOTICE_CALL_MAX_MS = (RETRY.retries + 1) * TIMEOUT_MS + RETRY.retries * RETRY.maxTimeout;

export function createNoticeClient(options: { token: string; slackApiUrl?: string; logger?: SlackLogger; timeoutMs?: number }): WebClient {
  return new WebClient(options.token, {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: RETRY,
    timeout: options.timeoutMs ?? TIMEOUT_MS,
  });
}
