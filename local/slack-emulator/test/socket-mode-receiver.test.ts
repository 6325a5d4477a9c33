// rollgate's Socket Mode receiver against the emulator: reconnects at once when Slack asks,
// keeps trying with backoff while Slack fails, and says what is wrong with a refused token.
import { afterEach, expect, it, vi } from 'vitest';
import { App, LogLevel } from '@slack/bolt';
import { pino } from 'pino';
import { createSocketModeReceiver, reconnectDelayMs } from '../../../bot/socket-mode-receiver.js';
import type { SlackEmulator } from '../src/index.js';
import { quiet, startEmulator, TOKEN } from './helpers.js';

let emulator: SlackEmulator;
let app: App | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
  await emulator?.close();
});

const logger = { ...quiet, getLevel: () => LogLevel.ERROR };

function start(appToken = emulator.appToken) {
  const delays: number[] = [];
  const receiver = createSocketModeReceiver({
    appToken,
    slackApiUrl: emulator.apiUrl,
    logger,
    log: pino({ level: 'silent' }),
    sleep: async (ms) => void delays.push(ms),
  });
  app = new App({ receiver, token: TOKEN, logger, clientOptions: { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 } } });
  app.command('/rollout', async ({ ack, command }) => ack({ text: `got ${command.text}` }));
  return { receiver, delays, started: app.start() };
}

it('reopens a connection at once when Slack asks it to refresh', async () => {
  emulator = await startEmulator();
  const { receiver, delays, started } = start();
  await started;
  expect(receiver.connected()).toBe(true);
  emulator.disconnectSockets('refresh_requested');
  await emulator.waitFor((e) => e.socketConnections().some((c) => c.id === 'conn-2'), 30_000);
  expect(delays).toEqual([0]);
  expect(await emulator.command({ user: 'U0DEV', text: 'status' })).toMatchObject({ connection: 'conn-2', body: { text: 'got status' } });
});

it('keeps trying with backoff while apps.connections.open fails, then connects', async () => {
  emulator = await startEmulator();
  const { receiver, delays, started } = start();
  await started;
  emulator.setFaults({ error: { method: 'apps.connections.open', error: 'internal_error', count: 3 } });
  emulator.disconnectSockets('link_disabled');
  await emulator.waitFor((e) => e.socketConnections().some((c) => c.id === 'conn-2'), 30_000);
  await vi.waitFor(() => expect(receiver.connected()).toBe(true));
  expect(delays).toEqual([0, 1000, 2000, 4000]);
  expect(emulator.calls('apps.connections.open').map((c) => c.response.ok)).toEqual([true, false, false, false, true]);
});

it('refuses to start with a token Slack refuses, saying where to find the right one', async () => {
  emulator = await startEmulator();
  const { started } = start('xapp-1-A0ROLLGATE-revoked');
  await expect(started).rejects.toThrow(/^SLACK_APP_TOKEN: Slack refused it \(invalid_auth\).*connections:write/);
});

it('does not reconnect after stop', async () => {
  emulator = await startEmulator();
  const { receiver, started } = start();
  await started;
  await app!.stop();
  app = undefined;
  await emulator.waitFor((e) => e.socketConnections().length === 0);
  await new Promise((r) => setTimeout(r, 100));
  expect(receiver.connected()).toBe(false);
  expect(emulator.calls('apps.connections.open')).toHaveLength(1);
});

it('backs off from 0 to 30 s', () => {
  expect([1, 2, 3, 4, 5, 6, 7, 8].map(reconnectDelayMs)).toEqual([0, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
});
