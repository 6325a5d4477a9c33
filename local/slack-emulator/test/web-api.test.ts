// The Web API as the real @slack/web-api WebClient sees it.
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, WebClient, WebClientEvent, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import type { SlackEmulator } from '../src/index.js';
import { gateBlocks, manualClock, postJson, quiet, startEmulator, TOKEN, webClient } from './helpers.js';

let emulator: SlackEmulator;
afterEach(async () => emulator?.close());

async function platformError(call: Promise<unknown>): Promise<WebAPIPlatformError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeDefined();
  return err as WebAPIPlatformError;
}

describe('Web API through WebClient', () => {
  it('answers auth.test with the bot identity', async () => {
    emulator = await startEmulator();
    const res = await webClient(emulator).auth.test();
    expect(res).toMatchObject({ ok: true, user: 'rollgate', team_id: 'T0LOCAL', user_id: 'U0ROLLGATE', bot_id: 'B0ROLLGATE', url: `${emulator.url}/` });
  });

  it('posts, replies in a thread, broadcasts, updates and posts ephemerals', async () => {
    emulator = await startEmulator();
    const client = webClient(emulator);
    const root = await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'Rollout r1', blocks: gateBlocks() });
    expect(root).toMatchObject({ ok: true, channel: 'C0ROLLOUTS', message: { bot_id: 'B0ROLLGATE', user: 'U0ROLLGATE', text: 'Rollout r1' } });
    expect(root.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(root.message?.blocks?.[0]?.block_id).toMatch(/^\w{5}$/); // Slack fills in missing block ids

    const reply = await client.chat.postMessage({ channel: 'C0ROLLOUTS', thread_ts: root.ts!, text: 'analysis 1/3' });
    const broadcast = await client.chat.postMessage({ channel: '#rollouts', thread_ts: root.ts!, text: 'gate open <@U0LEAD>', reply_broadcast: true });
    expect(Number(reply.ts)).toBeGreaterThan(Number(root.ts));
    expect(Number(broadcast.ts)).toBeGreaterThan(Number(reply.ts));
    expect(reply.message).toMatchObject({ thread_ts: root.ts, parent_user_id: 'U0ROLLGATE' });

    const updated = await client.chat.update({ channel: 'C0ROLLOUTS', ts: root.ts!, text: 'Rollout r1 (canary)' });
    expect(updated).toMatchObject({ ok: true, ts: root.ts, text: 'Rollout r1 (canary)' });
    await client.chat.update({ channel: 'C0ROLLOUTS', ts: root.ts!, text: 'Rollout r1 (analysis)', blocks: [] });

    const eph = await client.chat.postEphemeral({ channel: 'C0ROLLOUTS', user: 'U0DEV', text: 'unknown app' });
    expect(eph.message_ts).toMatch(/^\d+\.\d{6}$/);

    const state = emulator.state();
    expect(state.messages.map((m) => m.text)).toEqual(['Rollout r1 (analysis)', 'gate open <@U0LEAD>']);
    const [first, second] = state.messages;
    expect(first).toMatchObject({ edited: { count: 2 }, replies: [{ text: 'analysis 1/3' }, { text: 'gate open <@U0LEAD>', reply_broadcast: true }] });
    expect(first?.blocks).toBeUndefined(); // blocks: [] removed them; the first update kept them
    expect(second).toMatchObject({ thread_ts: root.ts, reply_broadcast: true });
    expect(state.ephemerals).toEqual([expect.objectContaining({ user: 'U0DEV', channel: 'C0ROLLOUTS', text: 'unknown app' })]);

    const history = await client.chat.postMessage({ channel: 'C0ROLLOUTS', thread_ts: reply.ts!, text: 'reply to a reply' });
    expect(history.message?.thread_ts).toBe(root.ts); // filed under the thread's root
  });

  it('keeps blocks on an update that sends only text, and reports the thread on the root', async () => {
    emulator = await startEmulator();
    const client = webClient(emulator);
    const root = await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'r', blocks: gateBlocks() });
    await client.chat.postMessage({ channel: 'C0ROLLOUTS', thread_ts: root.ts!, text: 'a' });
    const updated = await client.chat.update({ channel: 'C0ROLLOUTS', ts: root.ts!, text: 'r2' });
    expect(updated.message).toMatchObject({ text: 'r2', reply_count: 1, edited: { user: 'U0ROLLGATE' } });
    expect(updated.message?.blocks).toHaveLength(3);
  });

  it('reads people, channels and user groups', async () => {
    emulator = await startEmulator();
    const client = webClient(emulator);
    expect((await client.usergroups.users.list({ usergroup: 'S0SRE' })).users).toEqual(['U0SRE', 'U0LEAD']);
    expect((await client.usergroups.list({ include_users: true })).usergroups?.[0]).toMatchObject({ id: 'S0SRE', handle: 'sre', users: ['U0SRE', 'U0LEAD'] });
    expect((await client.users.info({ user: 'U0LEAD' })).user).toMatchObject({ id: 'U0LEAD', name: 'lead', real_name: 'Lee Lead', tz: 'UTC', profile: { display_name: 'lead', real_name: 'Lee Lead' } });
    expect((await client.users.list({})).members?.map((m) => m.id)).toEqual(['U0ROLLGATE', 'U0DEV', 'U0LEAD', 'U0SRE', 'U0GUEST']);
    expect((await client.conversations.info({ channel: 'C0ROLLOUTS' })).channel).toMatchObject({ id: 'C0ROLLOUTS', name: 'rollouts' });
    expect((await platformError(client.usergroups.users.list({ usergroup: 'S0NOPE' }))).data.error).toBe('no_such_subteam');
    expect((await platformError(client.users.info({ user: 'U0NOPE' }))).data.error).toBe('user_not_found');
  });

  it('gives permalinks, deletes, and publishes App Home views', async () => {
    emulator = await startEmulator();
    const client = webClient(emulator);
    const root = await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'x' });
    const link = await client.chat.getPermalink({ channel: 'C0ROLLOUTS', message_ts: root.ts! });
    expect(link.permalink).toBe(`${emulator.url}/archives/C0ROLLOUTS/p${root.ts!.replace('.', '')}`);
    await client.chat.delete({ channel: 'C0ROLLOUTS', ts: root.ts! });
    expect(emulator.state().messages).toEqual([]);
    expect((await platformError(client.chat.update({ channel: 'C0ROLLOUTS', ts: root.ts!, text: 'y' }))).data.error).toBe('message_not_found');
    const home = await client.views.publish({ user_id: 'U0SRE', view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] } });
    expect(home.view).toMatchObject({ type: 'home', team_id: 'T0LOCAL' });
    expect(emulator.state().views.U0SRE).toMatchObject({ type: 'home' });
  });

  it('reads history newest first and threads oldest first, with metadata on request and cursors', async () => {
    emulator = await startEmulator();
    const client = webClient(emulator);
    const metadata = { event_type: 'rollout_root', event_payload: { rollout_id: 'r1' } };
    const root = await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'root', metadata });
    await client.chat.postMessage({ channel: 'C0ROLLOUTS', thread_ts: root.ts!, text: 'reply' });
    await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'second' });
    const first = await client.conversations.history({ channel: 'C0ROLLOUTS', limit: 1, include_all_metadata: true });
    expect(first.messages?.map((m) => m.text)).toEqual(['second']);
    expect(first.has_more).toBe(true);
    const rest = await client.conversations.history({ channel: 'C0ROLLOUTS', cursor: first.response_metadata!.next_cursor!, include_all_metadata: true });
    expect(rest.messages).toEqual([expect.objectContaining({ text: 'root', metadata, reply_count: 1 })]);
    expect((await client.conversations.history({ channel: 'C0ROLLOUTS' })).messages?.[1]?.metadata).toBeUndefined();
    const thread = await client.conversations.replies({ channel: 'C0ROLLOUTS', ts: root.ts! });
    expect(thread.messages?.map((m) => m.text)).toEqual(['root', 'reply']);
    expect((await platformError(client.conversations.replies({ channel: 'C0ROLLOUTS', ts: '1.000001' }))).data.error).toBe('thread_not_found');
  });

  it('refuses other tokens and no token, like Slack', async () => {
    emulator = await startEmulator();
    const err = await platformError(webClient(emulator, 'xoxb-wrong').chat.postMessage({ channel: 'C0ROLLOUTS', text: 'x' }));
    expect(err.code).toBe(ErrorCode.PlatformError);
    expect(err.data.error).toBe('invalid_auth');
    const anonymous = await fetch(`${emulator.apiUrl}auth.test`, { method: 'POST' });
    expect([anonymous.status, await anonymous.json()]).toEqual([200, { ok: false, error: 'not_authed' }]);
    const unknown = await fetch(`${emulator.apiUrl}chat.teleport`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await unknown.json()).toEqual({ ok: false, error: 'unknown_method' });
  });

  it('accepts JSON bodies with the token in the Authorization header', async () => {
    emulator = await startEmulator();
    const res = await fetch(`${emulator.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C0ROLLOUTS', text: 'json', blocks: gateBlocks() }),
    });
    expect(await res.json()).toMatchObject({ ok: true, message: { text: 'json' } });
  });

  it('rejects what Slack rejects: blocks, lengths, missing text, unknown channels', async () => {
    emulator = await startEmulator();
    const client = webClient(emulator);
    const post = (args: Record<string, unknown>) => platformError(client.chat.postMessage({ channel: 'C0ROLLOUTS', ...args } as never));
    const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
    const tooMany = await post({ text: 'x', blocks: Array.from({ length: 51 }, () => section('a')) });
    expect(tooMany.data).toMatchObject({ error: 'invalid_blocks', errors: ['must provide an array of no more than 50 items [json-pointer:/blocks]'] });
    const long = await post({ text: 'x', blocks: [section('a'.repeat(3001))] });
    expect(long.data).toMatchObject({ error: 'invalid_blocks', errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]'] });
    expect((await post({ text: 'x', blocks: { type: 'section' } })).data.error).toBe('invalid_blocks');
    expect((await post({ text: 'x', blocks: '[{not json' })).data.error).toBe('invalid_blocks_format');
    expect((await post({ text: 'x'.repeat(40_001) })).data.error).toBe('msg_too_long');
    expect((await post({})).data.error).toBe('no_text');
    expect((await platformError(client.chat.postMessage({ channel: 'C0NOPE', text: 'x' }))).data.error).toBe('channel_not_found');
    expect(emulator.state().messages).toEqual([]);
  });

  it('records every call with parsed blocks and never the token', async () => {
    emulator = await startEmulator();
    const client = webClient(emulator);
    await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'x', blocks: gateBlocks() });
    await client.auth.test();
    const calls = emulator.calls('chat.postMessage');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args.blocks).toEqual(gateBlocks());
    expect(calls[0]?.response).toMatchObject({ ok: true });
    const overHttp = await (await fetch(`${emulator.url}/_emulator/calls?method=auth.test`)).json();
    expect(overHttp).toHaveLength(1);
    expect(JSON.stringify(emulator.calls())).not.toContain(TOKEN);
  });
});

describe('fault injection', () => {
  it('answers a rate-limit storm with HTTP 429 and Retry-After until the storm passes', async () => {
    const clock = manualClock();
    emulator = await startEmulator({ now: clock.now });
    emulator.setFaults({ rateLimit: { method: 'chat.postMessage', forMs: 60_000, retryAfterSeconds: 7 } });
    const client = webClient(emulator, TOKEN, { rejectRateLimitedCalls: true });
    const err = (await platformError(client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'x' }))) as unknown as WebAPIRateLimitedError;
    expect(err.code).toBe(ErrorCode.RateLimitedError);
    expect(err.retryAfter).toBe(7);
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true }); // other methods unaffected

    const raw = await fetch(`${emulator.apiUrl}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: new URLSearchParams({ channel: 'C0ROLLOUTS', text: 'x' }) });
    expect([raw.status, raw.headers.get('retry-after'), await raw.json()]).toEqual([429, '7', { ok: false, error: 'ratelimited' }]);

    clock.advance(60_001);
    await expect(client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'after' })).resolves.toMatchObject({ ok: true });
    expect(emulator.calls('chat.postMessage').map((c) => c.status)).toEqual([429, 429, 200]);
  });

  it('lets a retrying WebClient ride out a storm on every method', async () => {
    const clock = manualClock();
    emulator = await startEmulator({ now: clock.now });
    await postJson(`${emulator.url}/_emulator/faults`, { rateLimit: { forMs: 1000, retryAfterSeconds: 0 } });
    const client = new WebClient(TOKEN, { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 }, logger: quiet });
    client.on(WebClientEvent.RATE_LIMITED, () => clock.advance(1001));
    await expect(client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'eventually' })).resolves.toMatchObject({ ok: true });
    expect(emulator.calls().map((c) => c.status)).toEqual([429, 200]);
  });

  it('injects ok:false errors for a number of calls, and clears them', async () => {
    emulator = await startEmulator();
    const client = webClient(emulator);
    emulator.setFaults({ error: { method: 'chat.update', error: 'fatal_error', count: 1 } });
    emulator.setFaults({ error: { method: 'chat.postMessage', error: 'channel_is_archived' } });
    expect((await platformError(client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'x' }))).data.error).toBe('channel_is_archived');
    expect((await platformError(client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'x' }))).data.error).toBe('channel_is_archived');
    const del = await fetch(`${emulator.url}/_emulator/faults`, { method: 'DELETE' });
    expect(await del.json()).toEqual({ rateLimits: [], errors: [] });
    const root = await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'x' });
    await expect(client.chat.update({ channel: 'C0ROLLOUTS', ts: root.ts!, text: 'y' })).resolves.toMatchObject({ ok: true });
  });
});
