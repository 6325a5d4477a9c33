// Modals, the Home tab and direct messages in the emulator, as Slack does them: trigger_ids
// (once, within 3 s), view_submission signed to the bot with response_action answers,
// block_actions from a view (no message, no response_url), conversations.open for an IM.
import { afterEach, describe, expect, it } from 'vitest';
import type { SlackEmulator } from '../src/index.js';
import { manualClock, postJson, startEmulator, startTinyBot, webClient } from './helpers.js';

let emulator: SlackEmulator;
let bot: Awaited<ReturnType<typeof startTinyBot>> | undefined;
afterEach(async () => {
  await emulator?.close();
  await bot?.close();
  bot = undefined;
});

const reasonModal = {
  type: 'modal',
  callback_id: 'why',
  private_metadata: '{"r":"r1"}',
  title: { type: 'plain_text', text: 'Roll back?' },
  submit: { type: 'plain_text', text: 'Roll back' },
  close: { type: 'plain_text', text: 'Cancel' },
  blocks: [
    { type: 'section', text: { type: 'mrkdwn', text: 'Undo *r1*?' } },
    { type: 'input', block_id: 'reason', label: { type: 'plain_text', text: 'Why?' }, element: { type: 'plain_text_input', action_id: 'reason_input', multiline: true } },
    { type: 'input', block_id: 'ticket', optional: true, label: { type: 'plain_text', text: 'Ticket' }, element: { type: 'plain_text_input', action_id: 'ticket_input' } },
  ],
};

const payloadOf = (raw: string) => JSON.parse(new URLSearchParams(raw).get('payload') ?? '{}');

describe('trigger_ids', () => {
  it('open one modal, within 3 s, for the person who acted', async () => {
    const clock = manualClock();
    emulator = await startEmulator({ now: clock.now });
    const client = webClient(emulator);
    const { triggerId } = await emulator.command({ user: 'U0SRE', text: 'help' });
    const open = () => client.views.open({ trigger_id: triggerId, view: reasonModal as never }).catch((e: { data: { error: string } }) => e.data);
    expect(await client.views.open({ trigger_id: '123.456.abc', view: reasonModal as never }).catch((e: { data: { error: string } }) => e.data)).toMatchObject({ error: 'invalid_trigger_id' });
    clock.advance(3001);
    expect(await open()).toMatchObject({ error: 'expired_trigger_id' });
    const fresh = (await emulator.command({ user: 'U0SRE', text: 'help' })).triggerId;
    const opened = await client.views.open({ trigger_id: fresh, view: reasonModal as never });
    expect(opened.view).toMatchObject({ id: expect.stringMatching(/^V/), callback_id: 'why', private_metadata: '{"r":"r1"}', state: { values: {} } });
    expect(emulator.state().modals.U0SRE).toMatchObject({ title: { text: 'Roll back?' } });
    expect(await client.views.open({ trigger_id: fresh, view: reasonModal as never }).catch((e: { data: { error: string } }) => e.data)).toMatchObject({ error: 'exchanged_trigger_id' });
  });
});

describe('view_submission', () => {
  async function openFor(user: string) {
    const { triggerId } = await emulator.command({ user, text: 'help' });
    await webClient(emulator).views.open({ trigger_id: triggerId, view: reasonModal as never });
  }

  it('is signed to the bot with state.values; response_action errors, update and close act on the modal', async () => {
    bot = await startTinyBot();
    emulator = await startEmulator({ botUrl: bot.url });
    await openFor('U0LEAD');
    bot.received.length = 0;

    // A required input left empty never leaves the client.
    expect(await emulator.submitView({ user: 'U0LEAD', values: { ticket: 'T-1' } })).toMatchObject({ outcome: 'not-sent', errors: { reason: expect.any(String) } });
    expect(bot.received).toHaveLength(0);

    bot.answerWith((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ response_action: 'errors', errors: { reason: 'Say more.' } })));
    const refused = await emulator.submitView({ user: 'U0LEAD', values: { reason: ' ' } });
    expect(refused).toMatchObject({ outcome: 'errors', errors: { reason: 'Say more.' } });
    const sent = payloadOf(bot.received[0]!.rawBody);
    expect(bot.received[0]!.signatureValid).toBe(true);
    expect(sent).toMatchObject({
      type: 'view_submission',
      user: { id: 'U0LEAD' },
      api_app_id: 'A0ROLLGATE',
      trigger_id: expect.any(String),
      view: { callback_id: 'why', private_metadata: '{"r":"r1"}', state: { values: { reason: { reason_input: { type: 'plain_text_input', value: ' ' } }, ticket: { ticket_input: { type: 'plain_text_input', value: null } } } } },
    });
    expect(emulator.state().modalErrors.U0LEAD).toEqual({ reason: 'Say more.' });

    bot.answerWith((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ response_action: 'update', view: { type: 'modal', title: { type: 'plain_text', text: 'Nothing changed' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Already decided.' } }] } })));
    expect(await emulator.submitView({ user: 'U0LEAD', values: { reason: 'x' } })).toMatchObject({ outcome: 'updated' });
    expect(emulator.state().modals.U0LEAD).toMatchObject({ title: { text: 'Nothing changed' } });
    expect(emulator.state().modalErrors.U0LEAD).toBeUndefined();

    await openFor('U0LEAD');
    bot.answerWith((_req, res) => void res.writeHead(200).end());
    expect(await emulator.submitView({ user: 'U0LEAD', values: { reason: 'because' } })).toMatchObject({ outcome: 'closed' });
    expect(emulator.state().modals.U0LEAD).toBeUndefined();
  });

  it('a bot that does not answer leaves the modal open with Slack\'s connection error', async () => {
    emulator = await startEmulator({ botUrl: 'http://127.0.0.1:1/slack/events' });
    await openFor('U0LEAD');
    expect(await emulator.submitView({ user: 'U0LEAD', values: { reason: 'x' } })).toMatchObject({ outcome: 'failed', error: 'dispatch_failed' });
    expect(emulator.state().modals.U0LEAD).toBeDefined();
    expect(emulator.state().modalErrors.U0LEAD?._).toContain('trouble connecting');
    expect((await postJson(`${emulator.url}/_emulator/close-view`, { user: 'U0LEAD' })).status).toBe(200);
    expect(emulator.state().modals.U0LEAD).toBeUndefined();
  });
});

describe('the Home tab and direct messages', () => {
  it('a Home button sends block_actions with a view container, no message and no response_url', async () => {
    bot = await startTinyBot();
    emulator = await startEmulator({ botUrl: bot.url });
    const home = { type: 'home', blocks: [{ type: 'actions', block_id: 'g0', elements: [{ type: 'button', action_id: 'rollout_approve', value: '{"r":"r1","s":1}', text: { type: 'plain_text', text: 'Approve' } }] }] };
    await webClient(emulator).views.publish({ user_id: 'U0LEAD', view: home as never });
    const viewId = (emulator.state().views.U0LEAD as { id: string }).id;
    const result = await postJson(`${emulator.url}/_emulator/click-view`, { user: 'U0LEAD', action_id: 'rollout_approve' });
    expect(result.status).toBe(200);
    const payload = payloadOf(bot.received.at(-1)!.rawBody);
    expect(payload).toMatchObject({ type: 'block_actions', container: { type: 'view', view_id: viewId }, view: { id: viewId, type: 'home' }, actions: [{ action_id: 'rollout_approve', value: '{"r":"r1","s":1}', block_id: 'g0' }] });
    expect(payload.response_url).toBeUndefined();
    expect(payload.message).toBeUndefined();
    expect(payload.channel).toBeUndefined();
    expect((await postJson(`${emulator.url}/_emulator/click-view`, { user: 'U0SRE', action_id: 'rollout_approve' })).status).toBe(404);
  });

  it('conversations.open gives the app one IM per person, and chat.postMessage posts there', async () => {
    emulator = await startEmulator();
    const client = webClient(emulator);
    const first = await client.conversations.open({ users: 'U0LEAD' });
    expect(first).toMatchObject({ ok: true, channel: { id: 'D0LEAD' } });
    expect(first.already_open).toBeUndefined();
    expect(await client.conversations.open({ users: 'U0LEAD', return_im: true })).toMatchObject({ already_open: true, channel: { id: 'D0LEAD', is_im: true, user: 'U0LEAD' } });
    expect(await client.conversations.open({ users: 'U0NOBODY' }).catch((e: { data: { error: string } }) => e.data)).toMatchObject({ error: 'user_not_found' });
    await client.chat.postMessage({ channel: 'D0LEAD', text: 'A gate is waiting for you' });
    expect(emulator.state().messages.find((m) => m.channel === 'D0LEAD')?.text).toBe('A gate is waiting for you');
    expect(emulator.state().ims).toEqual([{ id: 'D0LEAD', user: 'U0LEAD' }]);
  });
});
