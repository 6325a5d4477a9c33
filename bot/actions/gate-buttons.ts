// The Approve and Rollback buttons of a gate. Acknowledge, then enqueue the decision; the
// worker applies it (or refuses it, answering the clicker privately).
import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { APPROVE_ACTION, ROLLBACK_ACTION } from '../blocks/messages.js';
import type { BotContext } from '../context.js';

const buttonValue = z.object({ r: z.string().min(1).max(200), s: z.int().min(1).max(1000) });

function parseValue(value: string | undefined): z.infer<typeof buttonValue> | undefined {
  try {
    const parsed = buttonValue.safeParse(JSON.parse(value ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function registerGateButtons(app: App, ctx: BotContext): void {
  const handle = (kind: 'approve' | 'rollback') => async ({ ack, body, action, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const target = parseValue(action.value);
    if (!target) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: ':no_entry: This button does not belong to a rollout gate.' });
      return;
    }
    await ctx.queues.input({
      rolloutId: target.r,
      stage: target.s,
      inputId: action.action_ts,
      kind,
      user: body.user.id,
      ...(body.response_url ? { responseUrl: body.response_url } : {}),
    });
  };
  app.action<BlockButtonAction>(APPROVE_ACTION, handle('approve'));
  app.action<BlockButtonAction>(ROLLBACK_ACTION, handle('rollback'));
}
