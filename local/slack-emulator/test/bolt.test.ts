// A real Bolt app (HTTPReceiver, signature checks on) cannot tell the emulator from Slack.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { App, LogLevel } from '@slack/bolt';
import type { SlackEmulator } from '../src/index.js';
import { gateBlocks, quiet, SIGNING_SECRET, startEmulator, TOKEN } from './helpers.js';

let emulator: SlackEmulator;
let app: App | undefined;
afterEach(async () => {
  await app?.stop();
  await emulator?.close();
});

it('drives a Bolt app: command, Web API calls, click, respond', async () => {
  emulator = await startEmulator();
  app = new App({
    signingSecret: SIGNING_SECRET,
    token: TOKEN,
    logLevel: LogLevel.ERROR,
    logger: { ...quiet, getLevel: () => LogLevel.ERROR },
    clientOptions: { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 } },
  });
  const seen: { command?: Record<string, unknown>; action?: Record<string, unknown> } = {};
  app.command('/rollout', async ({ ack, command, client }) => {
    seen.command = command as unknown as Record<string, unknown>;
    await ack({ text: `Queued ${command.text}` });
    const root = await client.chat.postMessage({ channel: command.channel_id, text: 'Rollout r1: checkout v2' });
    await client.chat.postMessage({ channel: command.channel_id, thread_ts: root.ts!, reply_broadcast: true, text: 'Gate member1', blocks: gateBlocks() });
  });
  app.action('rollout_approve', async ({ ack, body, respond, client }) => {
    await ack();
    seen.action = body as unknown as Record<string, unknown>;
    const members = await client.usergroups.users.list({ usergroup: 'S0SRE' });
    if (!members.users?.includes(body.user.id)) return void (await respond({ text: 'Only SRE may approve', replace_original: false }));
    await respond({ replace_original: true, text: `Approved by <@${body.user.id}>` });
  });
  const server = (await app.start(0)) as Server;
  emulator.setBotUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);

  const command = await emulator.command({ user: 'U0DEV', text: 'start checkout v2' });
  expect(command).toMatchObject({ status: 200, body: { text: 'Queued start checkout v2' } });
  const gate = await emulator.waitFor((e) => e.state().messages.find((m) => m.text === 'Gate member1'));
  expect(seen.command).toMatchObject({ user_id: 'U0DEV', channel_id: 'C0ROLLOUTS', command: '/rollout' });

  expect((await emulator.click({ user: 'U0DEV', ts: gate.ts, action_id: 'rollout_approve' })).status).toBe(200);
  await emulator.waitFor((e) => e.state().ephemerals.find((x) => x.text === 'Only SRE may approve'));
  expect((await emulator.click({ user: 'U0SRE', ts: gate.ts, action_id: 'rollout_approve' })).status).toBe(200);
  await emulator.waitFor((e) => e.state().messages.find((m) => m.ts === gate.ts && m.text === 'Approved by <@U0SRE>'));
  expect(seen.action).toMatchObject({ type: 'block_actions', actions: [{ action_id: 'rollout_approve', value: 'r1:member1' }] });

  const state = emulator.state();
  expect(state.ephemerals.map((e) => [e.user, e.text])).toEqual([
    ['U0DEV', 'Queued start checkout v2'],
    ['U0DEV', 'Only SRE may approve'],
  ]);
  expect(emulator.calls('auth.test').length).toBeGreaterThan(0); // Bolt checked its token with us

  for (const kind of ['bad-signature', 'stale-timestamp', 'no-signature'] as const) {
    expect((await emulator.forged({ kind, text: 'approve r1 member1' })).status).toBe(401);
  }
});
