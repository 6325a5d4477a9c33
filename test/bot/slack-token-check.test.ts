// auth.test at start against the Slack emulator over HTTP: transient failures are retried
// with growing delays (recorded, not slept), a refusal is final, and the bot's ids come back.
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackEmulator, type SlackEmulator } from '@rollgate/slack-emulator';
import { checkBotToken, retryDelayMs } from '../../bot/slack-token-check.js';

let slack: SlackEmulator;
beforeAll(async () => {
  slack = createSlackEmulator({ signingSecret: 'test-secret-123' });
  await slack.listen(0);
});
afterAll(async () => slack.close());

const clientWith = (token: string) => new WebClient(token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });

function check(token: string) {
  const delays: number[] = [];
  const reasons: string[] = [];
  const result = checkBotToken({
    client: clientWith(token),
    sleep: async (ms) => void delays.push(ms),
    stopped: () => delays.length > 20,
    onUnreachable: (reason) => void reasons.push(reason),
  });
  return { result, delays, reasons };
}

describe('checkBotToken', () => {
  it('retries transient answers with doubling delays, then returns the bot identity', async () => {
    slack.setFaults({ error: { method: 'auth.test', error: 'service_unavailable', count: 3 } });
    const { result, delays, reasons } = check('xoxb-local-rollgate');
    expect(await result).toEqual({ kind: 'verified', identity: { botId: 'B0ROLLGATE', botUserId: 'U0ROLLGATE', teamId: 'T0LOCAL' } });
    expect(delays).toEqual([1000, 2000, 4000]);
    expect(reasons).toEqual(Array(3).fill('Slack answered service_unavailable'));
    slack.clearFaults();
  });

  it('stops at a refusal at once', async () => {
    for (const error of ['token_revoked', 'account_inactive']) {
      slack.setFaults({ error: { method: 'auth.test', error, count: 1 } });
      const { result, delays } = check('xoxb-local-rollgate');
      expect(await result).toEqual({ kind: 'refused', error });
      expect(delays).toEqual([]);
    }
    const wrong = check('xoxb-someone-else');
    expect(await wrong.result).toEqual({ kind: 'refused', error: 'invalid_auth' });
    slack.clearFaults();
  });

  it('caps the delay at 30 s', () => {
    expect([1, 2, 5, 6, 20].map(retryDelayMs)).toEqual([1000, 2000, 16_000, 30_000, 30_000]);
  });
});
