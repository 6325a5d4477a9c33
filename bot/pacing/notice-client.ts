// The WebClient the notifier posts with. It throws on 429 instead of sleeping Retry-After
// (and pausing every other call of the client meanwhile), retries other failures once,
// quickly, and gives up on a hung call: waiting longer is the drain job's business, in Redis.
import { WebClient } from '@slack/web-api';
import type { Logger as SlackLogger } from '@slack/logger';

export function createNoticeClient(options: { token: string; slackApiUrl?: string; logger?: SlackLogger; timeoutMs?: number }): WebClient {
  return new WebClient(options.token, {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 200 },
    timeout: options.timeoutMs ?? 10_000,
  });
}
