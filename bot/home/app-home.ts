// The App Home tab: every active rollout with its phase and open gate, rendered when a person
// opens the tab (app_home_opened) and published with views.publish.
import type { App } from '@slack/bolt';
import { humanDuration } from '../../rollout/duration.js';
import type { Rollout } from '../../rollout/model.js';
import { context, divider, header, section, type Block } from '../blocks/kit.js';
import { phaseLine } from '../blocks/words.js';
import type { BotContext } from '../context.js';

const MAX_ROLLOUTS = 30;

export function homeBlocks(rollouts: Rollout[], now: number): Block[] {
  if (rollouts.length === 0) return [header('Rollouts'), section('No rollout is running. Start one with `/rollout start APP VERSION`.')];
  const shown = rollouts.slice(0, MAX_ROLLOUTS).flatMap((r): Block[] => {
    const gate = r.gates.find((g) => g.state === 'open');
    const waiting = gate?.openedAt !== undefined ? `\n:raised_hand: *${gate.clusters.join(', ')}* gate waiting ${humanDuration(now - gate.openedAt)} for approval` : '';
    return [section(`*\`${r.id}\`* ${r.app} ${r.fromVersion ?? '…'} → ${r.version}\n${phaseLine(r, now)}${waiting}`), context(`requested by <@${r.requester}> · ${r.strategy} · ${r.clusters.join(', ')}`), divider()];
  });
  const more = rollouts.length > MAX_ROLLOUTS ? [context(`…and ${rollouts.length - MAX_ROLLOUTS} more; \`/rollout list\` shows them all`)] : [];
  return [header(`Rollouts (${rollouts.length} active)`), ...shown, ...more];
}

export function registerAppHome(app: App, ctx: BotContext): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const rollouts = await ctx.store.activeRollouts();
    await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: homeBlocks(rollouts, ctx.clock()) as never } });
  });
}
