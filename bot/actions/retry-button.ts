// The Retry button on a held notice: the held step runs now instead of at its next retry.
// The value names the rollout, and the click must come from that rollout's latest held notice
// in its channel. The click is queued for the worker, which applies it under the machine's
// rules (requester or approver, once per hold) or refuses it, answering the clicker privately.
import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { settledOrLate } from '../ack-after.js';
import { RETRY_ACTION } from '../blocks/messages.js';
import type { BotContext } from '../context.js';
import { parseButtonValue } from './button-value.js';

const buttonValue = z.object({ r: z.string().min(1).max(200) });

export function registerRetryButton(app: App, ctx: BotContext): void {
  app.action<BlockButtonAction>(RETRY_ACTION, async ({ ack, body, action, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    const refuse = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text: `:no_entry: ${text}` });
    const work = (async () => {
      const target = parseButtonValue(buttonValue, action.value);
      if (!target) return void (await refuse('This button does not belong to a rollout.'));
      const rollout = await ctx.store.get(target.r);
      if (!rollout) return void (await refuse(`There is no rollout ${target.r}.`));
      const clickedTs = body.message?.ts ?? body.container?.message_ts;
      const channel = body.channel?.id ?? body.container?.channel_id;
      const heldTs = await ctx.store.messageTs(rollout.id, 'held');
      if (!heldTs || clickedTs !== heldTs || channel !== rollout.channel) {
        return void (await refuse(`This button does not belong to this message: use the Retry button on the latest held notice of rollout ${rollout.id}, or \`/rollout retry ${rollout.id}\`.`));
      }
      await ctx.queues.input({ rolloutId: rollout.id, inputId: action.action_ts, kind: 'retry', user: body.user.id, ...(body.response_url ? { responseUrl: body.response_url } : {}) });
    })();
    await settledOrLate(work);
    await ack();
    await work.catch(async (error: unknown) => {
      ctx.log.error({ err: error instanceof Error ? error.message : String(error) }, 'retry click failed');
      await respond({ response_type: 'ephemeral', replace_original: false, text: ':warning: Your click was not recorded; try again.' }).catch(() => undefined);
    });
  });
}
