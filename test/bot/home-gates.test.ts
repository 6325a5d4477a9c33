// Which open gates the Home tab lists for the person who opens it: those they may decide under
// the worker's own approver rules (the app's approvers and groups, a cluster's own approvers,
// anyone when none are listed), never the requester's own gate, nor one they already approved.
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApproverDirectory } from '../../bot/approvers.js';
import type { BotContext } from '../../bot/context.js';
import { gatesWaitingFor } from '../../bot/home/app-home.js';
import { createSlackEmulator, type SlackEmulator } from '@rollgate/slack-emulator';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';

let slack: SlackEmulator;
beforeAll(async () => {
  slack = createSlackEmulator({ signingSecret: 'x'.repeat(16) });
  await slack.listen(0);
});
afterAll(() => slack.close());

function contextFor(mutate?: (doc: Record<string, any>) => void): { ctx: BotContext; rollout: (id: string, gate?: Partial<Rollout['gates'][number]>) => Rollout } {
  const config = testConfig(mutate);
  const client = new WebClient('xoxb-local-rollgate', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  const ctx = { config, approvers: createApproverDirectory({ client }), clock: () => 10_000 } as unknown as BotContext;
  const rollout = (id: string, gate: Partial<Rollout['gates'][number]> = {}): Rollout => {
    const r = newRollout({ id, app: config.apps[0]!, version: 'v2', requester: 'U0DEV', nowMs: 1_000 });
    return { ...r, phase: 'awaiting-approval', gates: r.gates.map((g, i) => (i === 0 ? { ...g, state: 'open', openedAt: 2_000, ...gate } : g)) };
  };
  return { ctx, rollout };
}

const listed = async (ctx: BotContext, rollouts: Rollout[], user: string) => (await gatesWaitingFor(ctx, rollouts, user)).map((g) => `${g.rollout.id}#${g.stage}`);

it.each([
  ['an approver user', 'U0LEAD', ['r1#1']],
  ['a member of an approver group', 'U0SRE', ['r1#1']],
  ['someone else', 'U0GUEST', []],
  ['the requester', 'U0DEV', []],
])('app approvers: %s', async (_who, user, expected) => {
  const { ctx, rollout } = contextFor();
  expect(await listed(ctx, [rollout('r1'), { ...rollout('r2'), phase: 'analysing', gates: rollout('r2').gates.map((g) => ({ ...g, state: 'pending' as const })) }], user)).toEqual(expected);
});

it('no approvers listed: anyone but the requester', async () => {
  const { ctx, rollout } = contextFor((doc) => (doc.apps[0].approvals.approvers = { users: [], groups: [] }));
  expect(await listed(ctx, [rollout('r1')], 'U0GUEST')).toEqual(['r1#1']);
  expect(await listed(ctx, [rollout('r1')], 'U0DEV')).toEqual([]);
});

it("a cluster's own approvers decide its gate; one who already approved a two-approval gate is not asked again", async () => {
  const { ctx, rollout } = contextFor((doc) => (doc.apps[0].approvals.clusters = { member1: { users: ['U0GUEST', 'U0LEAD'], required: 2 } }));
  const open = rollout('r1', { required: 2, approvals: [{ user: 'U0LEAD', at: 3_000 }] });
  expect(await listed(ctx, [open], 'U0GUEST')).toEqual(['r1#1']);
  expect(await listed(ctx, [open], 'U0SRE')).toEqual([]);
  expect(await listed(ctx, [open], 'U0LEAD')).toEqual([]);
});

it('the oldest gate first', async () => {
  const { ctx, rollout } = contextFor();
  const older = rollout('old', { openedAt: 500 });
  expect(await listed(ctx, [rollout('new'), older], 'U0LEAD')).toEqual(['old#1', 'new#1']);
});
