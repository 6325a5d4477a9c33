// The App Home tab, rendered for the person who opens it (app_home_opened) and published with
// views.publish: the gates waiting for them (they may approve: an approver of the app or of the
// gate's clusters, or anyone when none are listed; never the requester unless self-approval
// is allowed), then every active rollout. Clicks on it are handled with the gate's own buttons.
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Rollout } from '../../rollout/model.js';
import { homeBlocks, type HomeNotice, type WaitingGate } from '../blocks/home-view.js';
import type { BotContext } from '../context.js';

/** The open gates `user` may decide, oldest first. */
export async function gatesWaitingFor(ctx: BotContext, rollouts: Rollout[], user: string): Promise<WaitingGate[]> {
  const waiting: WaitingGate[] = [];
  for (const rollout of rollouts) {
    const gate = rollout.gates.find((g) => g.state === 'open');
    const app = ctx.config.apps.find((a) => a.name === rollout.app);
    if (!gate || !app || rollout.phase !== 'awaiting-approval') continue;
    if (user === rollout.requester && !rollout.settings.allowSelfApproval) continue;
    if (gate.approvals?.some((a) => a.user === user)) continue;
    const may = ctx.approvers ? await ctx.approvers.isApprover(app, user, gate.clusters).catch(() => false) : false;
    if (may) waiting.push({ rollout, stage: gate.stage });
  }
  return waiting.sort((a, b) => (a.rollout.gates[a.stage - 1]?.openedAt ?? 0) - (b.rollout.gates[b.stage - 1]?.openedAt ?? 0));
}

export async function publishHome(ctx: BotContext, client: WebClient, user: string, notice?: HomeNotice): Promise<void> {
  const rollouts = await ctx.store.activeRollouts();
  const gates = await gatesWaitingFor(ctx, rollouts, user);
  const blocks = homeBlocks({ gates, rollouts, now: ctx.clock(), ...(notice ? { notice } : {}) });
  await client.views.publish({ user_id: user, view: { type: 'home', blocks: blocks as never } });
}

export function registerAppHome(app: App, ctx: BotContext): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(ctx, client, event.user);
  });
}
