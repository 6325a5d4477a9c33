// Socket Mode in the emulator: apps.connections.open, the WebSocket protocol (hello, envelopes,
// acknowledgments, disconnect), and real Bolt apps in Socket Mode that cannot tell it from Slack.
import { afterEach, describe, expect, it } from 'vitest';
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { WebSocket } from 'ws';
import type { SlackEmulator } from '../src/index.js';
import { gateBlocks, quiet, startEmulator, startTinyBot, TOKEN, webClient } from './helpers.js';

let emulator: SlackEmulator;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await emulator?.close();
});

const logger = { ...quiet, getLevel: () => LogLevel.ERROR };

async function openConnection(token: string, asForm = false): Promise<any> {
  const init: RequestInit = asForm
    ? { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() }
    : { method: 'POST', headers: { authorization: `Bearer ${token}` } };
  return (await fetch(`${emulator.apiUrl}apps.connections.open`, init)).json();
}

/** A bare WebSocket client that records every frame Slack sends. */
async function rawConnection() {
  const { url } = await openConnection(emulator.appToken);
  const socket = new WebSocket(url);
  const frames: any[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    waiters.forEach((w) => w());
  });
  cleanups.push(() => socket.terminate());
  const next = (type: string) =>
    new Promise<any>((resolve) => {
      const check = () => {
        const found = frames.find((f) => f.type === type && !f.seen);
        if (!found) return;
        found.seen = true;
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      check();
    });
  await next('hello');
  return { socket, frames, next, send: (body: unknown) => socket.send(JSON.stringify(body)) };
}

function boltApp(options: { clientPingTimeout?: number } = {}) {
  const clientOptions = { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 } };
  const app = options.clientPingTimeout
    ? new App({
        token: TOKEN,
        logger,
        clientOptions,
        receiver: new SocketModeReceiver({ appToken: emulator.appToken, logger, clientPingTimeout: options.clientPingTimeout, installerOptions: { clientOptions: { ...clientOptions } } }),
      })
    : new App({ token: TOKEN, appToken: emulator.appToken, socketMode: true, logger, clientOptions });
  cleanups.push(() => app.stop());
  return app;
}

describe('apps.connections.open', () => {
  it('takes the app-level token in the Authorization header only, and hands out a one-time socket URL', async () => {
    emulator = await startEmulator();
    const opened = await openConnection(emulator.appToken);
    expect(opened).toEqual({ ok: true, url: expect.stringMatching(new RegExp(`^${emulator.url.replace('http', 'ws')}/link/\\?ticket=\\w+&app_id=A0ROLLGATE$`)) });
    expect(await openConnection(TOKEN)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect(await openConnection(emulator.appToken, true)).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await openConnection('xapp-1-A0OTHER-wrong')).toEqual({ ok: false, error: 'invalid_auth' });
    await expect(webClient(emulator, emulator.appToken).chat.postMessage({ channel: 'C0ROLLOUTS', text: 'hi' })).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });

    const refused = (url: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(url);
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.on('open', () => resolve(101));
      });
    const first = new WebSocket(opened.url);
    cleanups.push(() => first.terminate());
    await new Promise((resolve) => first.once('message', resolve));
    expect(await refused(opened.url)).toBe(401); // a ticket connects once
    expect(await refused(opened.url.replace(/ticket=\w+/, 'ticket=forged'))).toBe(401);
    expect(emulator.socketConnections()).toEqual([{ id: 'conn-1', openedAt: expect.any(Number), delivered: 0, draining: false }]);
  });
});

describe('the socket protocol', () => {
  it('says hello, sends the HTTP payload in an envelope, and shows a command acknowledgment to the user', async () => {
    emulator = await startEmulator();
    const raw = await rawConnection();
    expect(raw.frames[0]).toMatchObject({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0ROLLGATE' }, debug_info: { host: expect.any(String) } });

    const pending = emulator.command({ user: 'U0DEV', text: 'start checkout v2' });
    const envelope = await raw.next('slash_commands');
    expect(envelope).toEqual({
      envelope_id: expect.stringMatching(/^[\w-]{36}$/),
      type: 'slash_commands',
      accepts_response_payload: true,
      seen: true,
      payload: expect.objectContaining({ command: '/rollout', text: 'start checkout v2', user_id: 'U0DEV', channel_id: 'C0ROLLOUTS', api_app_id: 'A0ROLLGATE', response_url: expect.stringContaining('/response/') }),
    });
    raw.send({ envelope_id: envelope.envelope_id, payload: { text: 'Queued *checkout* v2' } });
    expect(await pending).toMatchObject({ status: 200, via: 'socket', connection: 'conn-1', body: { text: 'Queued *checkout* v2' } });
    expect(emulator.state().ephemerals.map((e) => [e.user, e.text])).toEqual([['U0DEV', 'Queued *checkout* v2']]);

    // An acknowledgment without payload shows nothing, as an empty HTTP 200 does.
    const quiet = emulator.command({ user: 'U0DEV', text: 'list' });
    raw.send({ envelope_id: (await raw.next('slash_commands')).envelope_id });
    expect(await quiet).toMatchObject({ status: 200, body: '' });
    expect(emulator.state().ephemerals).toHaveLength(1);
  });

  it('sends clicks as interactive envelopes whose acknowledgment payload is not shown', async () => {
    emulator = await startEmulator();
    const raw = await rawConnection();
    const posted = await webClient(emulator).chat.postMessage({ channel: 'C0ROLLOUTS', text: 'Gate member1', blocks: gateBlocks() as never });
    const pending = emulator.click({ user: 'U0LEAD', ts: posted.ts!, action_id: 'rollout_approve' });
    const envelope = await raw.next('interactive');
    expect(envelope).toMatchObject({ accepts_response_payload: false, payload: { type: 'block_actions', user: { id: 'U0LEAD' }, actions: [{ action_id: 'rollout_approve', value: 'r1:member1' }] } });
    raw.send({ envelope_id: envelope.envelope_id, payload: { text: 'ignored' } });
    expect(await pending).toMatchObject({ status: 200, via: 'socket' });
    expect(emulator.state().ephemerals).toEqual([]);
  });

  it('answers an envelope nobody acknowledges in time with operation_timeout, and ignores the late ack', async () => {
    emulator = await startEmulator({ botTimeoutMs: 300 });
    const raw = await rawConnection();
    const result = await emulator.command({ user: 'U0DEV', text: 'start checkout v2' });
    expect(result).toMatchObject({ status: 0, error: 'operation_timeout', via: 'socket' });
    raw.send({ envelope_id: result.envelopeId, payload: { text: 'too late' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(emulator.state().ephemerals.map((e) => [e.from, e.text])).toEqual([['USLACKBOT', '/rollout failed with the error "operation_timeout"']]);
  });

  it('falls back to the Request URL when the app has no connection, and forgeries always go there', async () => {
    const bot = await startTinyBot();
    cleanups.push(() => bot.close());
    emulator = await startEmulator({ botUrl: bot.url });
    expect(await emulator.command({ user: 'U0DEV', text: 'help' })).toMatchObject({ status: 200, via: 'http' });
    const raw = await rawConnection();
    expect((await emulator.forged({ kind: 'bad-signature' })).status).toBe(401);
    const pending = emulator.command({ user: 'U0DEV', text: 'help' });
    raw.send({ envelope_id: (await raw.next('slash_commands')).envelope_id });
    expect(await pending).toMatchObject({ via: 'socket' });
    expect(bot.received).toHaveLength(2); // the first command and the forgery, not the socket one
  });

  it('tells connections to refresh and closes those that stay', async () => {
    emulator = await startEmulator();
    const raw = await rawConnection();
    emulator.disconnectSockets('warning');
    expect(await raw.next('disconnect')).toMatchObject({ reason: 'warning' });
    expect(emulator.socketConnections()[0]?.draining).toBe(false);
    emulator.disconnectSockets();
    expect(await raw.next('disconnect')).toMatchObject({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: expect.any(String) } });
    expect(emulator.socketConnections()[0]?.draining).toBe(true);
    raw.socket.close();
    await emulator.waitFor((e) => e.socketConnections().length === 0);
  });
});

describe('Bolt in Socket Mode', () => {
  it('handles a command and a click, with the ack payload shown for the command only', async () => {
    emulator = await startEmulator();
    const app = boltApp();
    app.command('/rollout', async ({ ack, command, client }) => {
      await ack({ response_type: 'ephemeral', text: `Queued ${command.text}` });
      await client.chat.postMessage({ channel: command.channel_id, text: 'Gate member1', blocks: gateBlocks() as never });
    });
    app.action('rollout_approve', async ({ ack, body, respond }) => {
      await ack();
      await respond({ replace_original: true, text: `Approved by <@${body.user.id}>` });
    });
    await app.start();
    expect(emulator.calls('apps.connections.open')).toHaveLength(1);

    expect(await emulator.command({ user: 'U0DEV', text: 'start checkout v2' })).toMatchObject({ status: 200, via: 'socket', body: { text: 'Queued start checkout v2' } });
    const gate = await emulator.waitFor((e) => e.state().messages.find((m) => m.text === 'Gate member1'));
    expect(await emulator.click({ user: 'U0LEAD', ts: gate.ts, action_id: 'rollout_approve' })).toMatchObject({ status: 200, via: 'socket' });
    await emulator.waitFor((e) => e.state().messages.find((m) => m.ts === gate.ts && m.text === 'Approved by <@U0LEAD>'));
    expect(emulator.state().ephemerals.map((e) => [e.user, e.text])).toEqual([['U0DEV', 'Queued start checkout v2']]);
  });

  it('spreads envelopes over the connections of two apps, each to exactly one', async () => {
    emulator = await startEmulator();
    const handled: string[] = [];
    for (const name of ['a', 'b']) {
      const app = boltApp();
      app.command('/rollout', async ({ ack, command }) => {
        handled.push(`${name}:${command.text}`);
        await ack({ text: `${name} got ${command.text}` });
      });
      await app.start();
    }
    const results = [];
    for (const text of ['one', 'two', 'three', 'four']) results.push(await emulator.command({ user: 'U0DEV', text }));
    expect(handled).toHaveLength(4);
    expect(new Set(handled.map((h) => h.split(':')[1]))).toEqual(new Set(['one', 'two', 'three', 'four']));
    expect(results.map((r) => r.connection)).toEqual(['conn-1', 'conn-2', 'conn-1', 'conn-2']);
    expect(emulator.socketConnections().map((c) => c.delivered)).toEqual([2, 2]);
    expect(emulator.state().ephemerals.map((e) => e.text)).toEqual(handled.map((h) => h.replace(':', ' got ')));
  });

  it('reconnects after refresh_requested and keeps answering', async () => {
    emulator = await startEmulator();
    const app = boltApp({ clientPingTimeout: 300 });
    app.command('/rollout', async ({ ack }) => ack({ text: 'pong' }));
    await app.start();
    emulator.disconnectSockets('refresh_requested');
    await emulator.waitFor((e) => e.socketConnections().some((c) => c.id === 'conn-2') && e.socketConnections().length === 1, 30_000);
    expect(emulator.calls('apps.connections.open')).toHaveLength(2);
    expect(await emulator.command({ user: 'U0DEV', text: 'ping' })).toMatchObject({ connection: 'conn-2', body: { text: 'pong' } });
  });
});
