// The reason modal and the Home tab stay within Slack's view limits (100 blocks, modal title,
// submit and close at most 24 characters, private_metadata 3,000), checked by opening and
// publishing them through the Slack emulator, which validates views as Slack does.
import type { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeReasonTarget } from '../../bot/actions/reason-target.js';
import { homeBlocks, MAX_HOME_GATES, MAX_HOME_ROLLOUTS } from '../../bot/blocks/home-view.js';
import { gateMessage } from '../../bot/blocks/messages.js';
import { nothingChangedModal, reasonModal } from '../../bot/blocks/reason-modal.js';
import type { SlackEmulator } from '@rollgate/slack-emulator';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { startValidatingSlack } from '../support/validating-slack.js';

let slack: SlackEmulator;
let client: WebClient;
beforeAll(async () => {
  ({ slack, client } = await startValidatingSlack());
});
afterAll(() => slack.close());

const LONG = 'a-very-long-application-name-that-goes-on-and-on-for-sixty-chars';

function waitingRollout(i: number, reasons?: Rollout['settings']['reasons']): Rollout {
  const config = testConfig((doc) => {
    doc.apps[0].name = LONG.slice(0, 60);
    doc.apps[0].approvals.reasons = reasons ?? { rollback: 'off', approve: 'off' };
  });
  const id = `${LONG.slice(0, 60)}-${'9'.repeat(40)}-${i}`;
  const rollout = newRollout({ id, app: config.apps[0]!, version: `v2.${i}.0-rc.1+build.${'7'.repeat(40)}`, requester: 'U0DEV', nowMs: 1_000 });
  return { ...rollout, fromVersion: 'v1', phase: 'awaiting-approval', gates: rollout.gates.map((g, k) => (k === 0 ? { ...g, state: 'open', openedAt: 2_000 } : g)) };
}

/** A trigger_id issued by the emulator (a command; no bot needs to answer it). */
async function trigger(): Promise<string> {
  return (await slack.command({ user: 'U0LEAD', text: 'help' })).triggerId;
}

describe('view limits', () => {
  it('the reason modal opens for the longest names, required or optional, rollback or approve', async () => {
    const rollout = waitingRollout(1, { rollback: 'required', approve: 'optional' });
    const metadata = encodeReasonTarget({ r: rollout.id, s: 1, k: 'rollback', u: `https://hooks.slack.com/actions/T0/${'1'.repeat(20)}/${'x'.repeat(24)}`, h: 1 });
    for (const [kind, need] of [['rollback', 'required'], ['approve', 'optional']] as const) {
      const view = reasonModal(rollout, 1, kind, need, metadata);
      const opened = await client.views.open({ trigger_id: await trigger(), view: view as never });
      expect(opened.ok).toBe(true);
      expect(view.title.text.length).toBeLessThanOrEqual(24);
    }
    const stale = await client.views.open({ trigger_id: await trigger(), view: nothingChangedModal(`The member1 gate is already approved by <@U0LEAD>. ${'x'.repeat(2900)}`) as never });
    expect(stale.ok).toBe(true);
  });

  it('the emulator refuses a modal Slack would refuse, naming the field', async () => {
    const view = { type: 'modal', title: { type: 'plain_text', text: 'A title longer than twenty-four' }, blocks: [{ type: 'input', label: { type: 'plain_text', text: 'Why?' }, element: { type: 'plain_text_input', action_id: 'x' } }] };
    const answer = await client.views.open({ trigger_id: await trigger(), view: view as never }).catch((error: { data: Record<string, unknown> }) => error.data);
    expect(answer).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(JSON.stringify(answer)).toContain('must be less than 25 characters [json-pointer:/view/title/text]');
    expect(JSON.stringify(answer)).toContain('must provide submit when the view has an input block');
  });

  it.each([
    [0, 0],
    [3, 3],
    [40, 60],
  ])('a Home tab with %i gates waiting and %i rollouts publishes, capped with "and N more"', async (gates, rollouts) => {
    const all = Array.from({ length: Math.max(gates, rollouts) }, (_, i) => waitingRollout(i, i % 2 ? { rollback: 'required', approve: 'off' } : undefined));
    const blocks = homeBlocks({
      gates: all.slice(0, gates).map((rollout) => ({ rollout, stage: 1 })),
      rollouts: all.slice(0, rollouts),
      now: 3_600_000,
      notice: { text: `:no_entry: ${'a refusal '.repeat(400)}`, deciding: gates ? { r: all[0]!.id, s: 1 } : undefined },
    });
    expect(blocks.length).toBeLessThanOrEqual(100);
    const published = await client.views.publish({ user_id: 'U0LEAD', view: { type: 'home', blocks: blocks as never } });
    expect(published.ok).toBe(true);
    const text = JSON.stringify(blocks);
    expect(text).toContain(`Gates waiting for you (${gates})`);
    if (gates > MAX_HOME_GATES) expect(text).toContain(`…and ${gates - MAX_HOME_GATES} more gates waiting for you`);
    if (rollouts > MAX_HOME_ROLLOUTS) expect(text).toContain(`…and ${rollouts - MAX_HOME_ROLLOUTS} more`);
    if (gates === 0) expect(text).toContain('No gate is waiting for you');
    // Every shown gate but the one being decided has both buttons.
    expect(text.match(/"action_id":"rollout_approve"/g)?.length ?? 0).toBe(Math.max(0, Math.min(gates, MAX_HOME_GATES) - 1));
  });

  it('a gate message: Rollback keeps its confirm dialog unless the app asks why', () => {
    const fast = JSON.stringify(gateMessage(waitingRollout(1), 1, 3_000).blocks);
    expect(fast).toContain('"confirm"');
    const asking = JSON.stringify(gateMessage(waitingRollout(1, { rollback: 'required', approve: 'optional' }), 1, 3_000).blocks);
    expect(asking).not.toContain('"confirm"');
    expect(asking).toContain('Rollback…');
    expect(asking).toContain('Approve member1…');
  });
});
