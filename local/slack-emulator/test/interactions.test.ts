// Signed requests to a bot: slash commands, block_actions, forgeries, and what Slack shows the user.
import { afterEach, describe, expect, it } from 'vitest';
import type { SlackEmulator } from '../src/index.js';
import { gateBlocks, postJson, startEmulator, startTinyBot, webClient } from './helpers.js';

let emulator: SlackEmulator;
let bot: Awaited<ReturnType<typeof startTinyBot>>;
afterEach(async () => {
  await emulator?.close();
  await bot?.close();
});

async function setup(options: Parameters<typeof startEmulator>[0] = {}) {
  bot = await startTinyBot();
  emulator = await startEmulator({ botUrl: bot.url, ...options });
}

describe('slash commands', () => {
  it('sends the exact signed form Slack sends', async () => {
    await setup();
    const result = await postJson(`${emulator.url}/_emulator/command`, { user: 'U0DEV', text: 'start checkout v2' });
    expect(result).toMatchObject({ status: 200, body: { status: 200, body: '' } });
    const [req] = bot.received;
    expect(req?.signatureValid).toBe(true);
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req?.headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(Object.fromEntries(req!.form)).toEqual({
      token: expect.any(String),
      team_id: 'T0LOCAL',
      team_domain: 'rollgate-local',
      channel_id: 'C0ROLLOUTS',
      channel_name: 'rollouts',
      user_id: 'U0DEV',
      user_name: 'dev',
      command: '/rollout',
      text: 'start checkout v2',
      api_app_id: 'A0ROLLGATE',
      is_enterprise_install: 'false',
      response_url: expect.stringMatching(new RegExp(`^${emulator.url}/response/\\w+$`)),
      trigger_id: expect.stringMatching(/^\d+\.\d+\.\w+$/),
    });
    expect(emulator.state().ephemerals).toEqual([]); // an empty 200 shows nothing
  });

  it("shows the bot's HTTP answer to the user only, JSON or text", async () => {
    await setup();
    bot.answerWith((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: 'Queued *checkout* v2' })));
    await emulator.command({ user: 'U0DEV', text: 'start checkout v2' });
    bot.answerWith((_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('Usage: /rollout start APP VERSION'));
    await emulator.command({ user: 'lead', text: '' });
    bot.answerWith((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ response_type: 'in_channel', text: 'everyone sees this' })));
    await emulator.command({ user: 'U0SRE', text: 'list' });
    const state = emulator.state();
    expect(state.ephemerals.map((e) => [e.user, e.text])).toEqual([
      ['U0DEV', 'Queued *checkout* v2'],
      ['U0LEAD', 'Usage: /rollout start APP VERSION'],
    ]);
    expect(state.messages).toEqual([expect.objectContaining({ user: 'U0ROLLGATE', text: 'everyone sees this' })]);
  });

  it('tells the user "dispatch_failed" on a non-2xx and "operation_timeout" after 3 s', async () => {
    await setup({ botTimeoutMs: 200 });
    bot.answerWith((_req, res) => void res.writeHead(500).end('boom'));
    const failed = await emulator.command({ user: 'U0DEV', text: 'status' });
    expect(failed).toMatchObject({ status: 500, error: 'dispatch_failed' });
    bot.answerWith((_req, res) => void setTimeout(() => res.writeHead(200).end(), 1000));
    const slow = await emulator.command({ user: 'U0DEV', text: 'status' });
    expect(slow).toMatchObject({ status: 0, error: 'operation_timeout' });
    expect(emulator.state().ephemerals.map((e) => [e.from, e.text])).toEqual([
      ['USLACKBOT', '/rollout failed with the error "dispatch_failed"'],
      ['USLACKBOT', '/rollout failed with the error "operation_timeout"'],
    ]);
  });

  it('reports a bot that is not running as dispatch_failed', async () => {
    emulator = await startEmulator({ botUrl: 'http://127.0.0.1:1/slack/events' });
    await expect(emulator.command({ user: 'U0DEV', text: 'help' })).resolves.toMatchObject({ status: 0, error: 'dispatch_failed' });
  });

  it("files a modal opened with a command's trigger_id under that person", async () => {
    await setup();
    const { triggerId } = await emulator.command({ user: 'U0SRE', text: 'abort r1' });
    const opened = await webClient(emulator).views.open({ trigger_id: triggerId, view: { type: 'modal', title: { type: 'plain_text', text: 'Abort r1?' }, blocks: [] } });
    expect(opened.view).toMatchObject({ type: 'modal', id: expect.stringMatching(/^V/) });
    expect(emulator.state().modals.U0SRE).toMatchObject({ title: { text: 'Abort r1?' } });
  });

  it('refuses unknown people and malformed control requests', async () => {
    await setup();
    expect(await postJson(`${emulator.url}/_emulator/command`, { user: 'U0NOBODY', text: 'x' })).toMatchObject({ status: 404, body: { error: 'user_not_found' } });
    const bad = await postJson(`${emulator.url}/_emulator/command`, { text: 'x' });
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid_request', message: expect.stringContaining('user') } });
    expect(bot.received).toHaveLength(0);
  });
});

describe('forged requests', () => {
  it.each(['bad-signature', 'stale-timestamp', 'no-signature'] as const)('%s is refused by a bot that verifies', async (kind) => {
    await setup();
    const result = await postJson(`${emulator.url}/_emulator/forged`, { kind, text: 'approve r1 member1' });
    expect(result.body.status).toBe(401);
    const req = bot.received[0]!;
    expect(req.signatureValid).toBe(false);
    expect(req.form.get('text')).toBe('approve r1 member1');
    if (kind === 'no-signature') expect(req.headers['x-slack-signature']).toBeUndefined();
    if (kind === 'stale-timestamp') expect(Date.now() / 1000 - Number(req.headers['x-slack-request-timestamp'])).toBeGreaterThan(300);
    expect(emulator.state().ephemerals).toEqual([]);
  });
});

describe('button clicks', () => {
  async function gate() {
    const client = webClient(emulator);
    const root = await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'Rollout r1' });
    const gateMsg = await client.chat.postMessage({ channel: 'C0ROLLOUTS', thread_ts: root.ts!, reply_broadcast: true, text: 'Gate member1', blocks: gateBlocks() });
    return { root: root.ts!, gate: gateMsg.ts! };
  }

  it("sends Slack's block_actions payload for a button in a thread reply", async () => {
    await setup();
    const { root, gate: ts } = await gate();
    const result = await postJson(`${emulator.url}/_emulator/click`, { user: 'U0LEAD', ts, action_id: 'rollout_rollback' });
    expect(result).toMatchObject({ status: 200, body: { status: 200 } });
    const req = bot.received[0]!;
    expect(req.signatureValid).toBe(true);
    const payload = JSON.parse(req.form.get('payload')!);
    expect([...req.form.keys()]).toEqual(['payload']);
    expect(payload).toEqual({
      type: 'block_actions',
      user: { id: 'U0LEAD', username: 'lead', name: 'lead', team_id: 'T0LOCAL' },
      api_app_id: 'A0ROLLGATE',
      token: expect.any(String),
      container: { type: 'message', message_ts: ts, channel_id: 'C0ROLLOUTS', is_ephemeral: false, thread_ts: root },
      trigger_id: expect.any(String),
      team: { id: 'T0LOCAL', domain: 'rollgate-local' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: 'C0ROLLOUTS', name: 'rollouts' },
      message: expect.objectContaining({ type: 'message', ts, thread_ts: root, text: 'Gate member1', bot_id: 'B0ROLLGATE', blocks: expect.any(Array) }),
      state: { values: {} },
      response_url: expect.stringContaining(`${emulator.url}/response/`),
      actions: [
        {
          action_id: 'rollout_rollback',
          block_id: 'gate-member1',
          text: { type: 'plain_text', text: 'Rollback', emoji: true },
          value: 'r1:member1',
          style: 'danger',
          type: 'button',
          action_ts: expect.stringMatching(/^\d+\.\d{6}$/),
        },
      ],
    });
  });

  it('matches on value and block_id, and answers 404 when there is no such button', async () => {
    await setup();
    const { gate: ts } = await gate();
    expect((await emulator.click({ user: 'U0SRE', ts, action_id: 'rollout_approve', value: 'r1:member1', block_id: 'gate-member1' })).status).toBe(200);
    const missing = await postJson(`${emulator.url}/_emulator/click`, { user: 'U0SRE', ts, action_id: 'rollout_approve', value: 'r1:member9' });
    expect(missing).toMatchObject({ status: 404, body: { error: 'button_not_found' } });
    const noMessage = await postJson(`${emulator.url}/_emulator/click`, { user: 'U0SRE', ts: '1.000001', action_id: 'rollout_approve' });
    expect(noMessage).toMatchObject({ status: 404, body: { error: 'message_not_found' } });
  });

  it('clicks buttons in an ephemeral message the way Slack does (no message in the payload)', async () => {
    await setup();
    const eph = await webClient(emulator).chat.postEphemeral({ channel: 'C0ROLLOUTS', user: 'U0DEV', text: 'sure?', blocks: gateBlocks() });
    await emulator.click({ user: 'U0DEV', ts: eph.message_ts!, action_id: 'rollout_approve' });
    const payload = JSON.parse(bot.received[0]!.form.get('payload')!);
    expect(payload.container).toMatchObject({ message_ts: eph.message_ts, is_ephemeral: true });
    expect(payload.message).toBeUndefined();
    await expect(emulator.click({ user: 'U0LEAD', ts: eph.message_ts!, action_id: 'rollout_approve' })).rejects.toMatchObject({ code: 'message_not_found' });
  });
});

describe('response_url', () => {
  async function clickedGate() {
    await setup();
    const client = webClient(emulator);
    const msg = await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'Gate', blocks: gateBlocks() });
    const click = await emulator.click({ user: 'U0LEAD', ts: msg.ts!, action_id: 'rollout_approve' });
    return { ts: msg.ts!, responseUrl: click.responseUrl };
  }

  it('answers ephemerally by default, in the channel on request, and replaces or deletes the original', async () => {
    const { ts, responseUrl } = await clickedGate();
    expect(await postJson(responseUrl, { text: 'You are not an approver' })).toEqual({ status: 200, body: { ok: true } });
    expect(emulator.state().ephemerals).toEqual([expect.objectContaining({ user: 'U0LEAD', text: 'You are not an approver' })]);
    await postJson(responseUrl, { response_type: 'in_channel', text: 'Approved by <@U0LEAD>' });
    await postJson(responseUrl, { replace_original: true, text: 'Gate approved', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ':white_check_mark: approved' } }] });
    let state = emulator.state();
    expect(state.messages.map((m) => m.text)).toEqual(['Gate approved', 'Approved by <@U0LEAD>']);
    expect(state.messages[0]).toMatchObject({ ts, edited: { count: 1 } });
    await postJson(responseUrl, { delete_original: true });
    state = emulator.state();
    expect(state.messages.map((m) => m.text)).toEqual(['Approved by <@U0LEAD>']);
  });

  it('may be used 5 times, then answers used_url', async () => {
    const { responseUrl } = await clickedGate();
    for (let i = 1; i <= 5; i++) expect((await postJson(responseUrl, { text: `use ${i}` })).status).toBe(200);
    expect(await postJson(responseUrl, { text: 'sixth' })).toEqual({ status: 404, body: { ok: false, error: 'used_url' } });
    expect(emulator.state().ephemerals).toHaveLength(5);
  });

  it('expires after 30 minutes', async () => {
    let t = Date.now();
    bot = await startTinyBot();
    emulator = await startEmulator({ botUrl: bot.url, now: () => t });
    const { responseUrl } = await emulator.command({ user: 'U0DEV', text: 'status' });
    t += 30 * 60 * 1000 + 1;
    expect(await postJson(responseUrl, { text: 'late' })).toEqual({ status: 404, body: { ok: false, error: 'expired_url' } });
  });

  it('rejects invalid blocks without using up the URL, and unknown URLs', async () => {
    const { responseUrl } = await clickedGate();
    const bad = await postJson(responseUrl, { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '' } }] });
    expect(bad).toMatchObject({ status: 400, body: { ok: false, error: 'invalid_blocks' } });
    expect((await postJson(`${emulator.url}/response/nope`, { text: 'x' })).status).toBe(404);
  });

  it("lets a command's response_url replace the ephemeral the command produced", async () => {
    await setup();
    bot.answerWith((_req, res) => void res.writeHead(200).end('Working on it…'));
    const { responseUrl } = await emulator.command({ user: 'U0DEV', text: 'status' });
    await postJson(responseUrl, { replace_original: true, text: 'checkout: analysing member1' });
    expect(emulator.state().ephemerals.map((e) => e.text)).toEqual(['checkout: analysing member1']);
  });
});

describe('SSE and reset', () => {
  it('streams an event per change and forgets everything on reset', async () => {
    await setup();
    const controller = new AbortController();
    const res = await fetch(`${emulator.url}/_emulator/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    await reader.read(); // the retry: preamble
    await webClient(emulator).chat.postMessage({ channel: 'C0ROLLOUTS', text: 'hello' });
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toMatch(/^event: change\ndata: \{"kind":"message.posted","channel":"C0ROLLOUTS","ts":"\d+\.\d{6}"\}/);
    controller.abort();
    expect((await postJson(`${emulator.url}/_emulator/reset`, {})).body).toEqual({ ok: true });
    expect(emulator.state().messages).toEqual([]);
    expect(emulator.calls()).toEqual([]);
  });

  it('waitFor resolves when the bot has done something', async () => {
    await setup();
    const waiting = emulator.waitFor((e) => e.state().messages.find((m) => m.text === 'later'));
    setTimeout(() => void webClient(emulator).chat.postMessage({ channel: 'C0ROLLOUTS', text: 'later' }), 20);
    await expect(waiting).resolves.toMatchObject({ text: 'later' });
    await expect(emulator.waitFor(() => false, 50)).rejects.toThrow('within 50 ms');
  });
});
