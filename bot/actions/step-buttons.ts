// approvals.trafficSteps: the "Increase member1 to 20 %" buttons on the root message. The value
// names the rollout, the cluster and the weight; the click must come from that rollout's root
// message. It is queued for the worker like a gate click, which applies it (approver rules,
// audit) or answers the clicker privately (a second click: "already at 20 %").
import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { settledOrLate } from '../ack-after.js';
import { INCREASE_ACTION_PREFIX } from '../blocks/messages.js';
import type { BotContext } from '../context.js';
import { parseButtonValue } from './button-value.js';

const buttonValue = z.object({ r: z.string().min(1).max(200), c: z.string().min(1).max(63), w: z.int().min(1).max(99) });

export function registerStepButtons(app: App, ctx: BotContext): void {
  app.action<BlockButtonAction>(new RegExp(`^${INCREASE_ACTION_PREFIX}`), async ({ ack, body, action, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    const refuse = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text: `:no_entry: ${text}` });
    const work = (async () => {
      const target = parseButtonValue(buttonValue, action.value);
      if (!target) return void (await refuse('This button does not belong to a traffic step.'));
      const rollout = await ctx.store.get(target.r);
      if (!rollout) return void (await refuse(`There is no rollout ${target.r}.`));
      const rootTs = await ctx.store.messageTs(rollout.id, 'root');
      const clickedTs = body.message?.ts ?? body.container?.message_ts;
      const channel = body.channel?.id ?? body.container?.channel_id;
      if (rootTs === undefined || clickedTs !== rootTs || channel !== rollout.channel) return void (await refuse(`This button does not belong to this message: use the one on rollout ${rollout.id}.`));
      await ctx.queues.input({ rolloutId: rollout.id, inputId: action.action_ts, kind: 'increase', cluster: target.c, weight: target.w, user: body.user.id, ...(body.response_url ? { responseUrl: body.response_url } : {}) });
    })();
    await settledOrLate(work);
    await ack();
    await work.catch(async (error: unknown) => {
      ctx.log.error({ err: error instanceof Error ? error.message : String(error) }, 'step click failed');
      await respond({ response_type: 'ephemeral', replace_original: false, text: ':warning: Your click was not recorded; try again.' }).catch(() => undefined);
    });
  });
}
