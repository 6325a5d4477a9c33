// The Approve and Rollback buttons of a gate. The value names the rollout and stage, and the
// click must come from that gate's own message. A click is queued for the worker first, then,
// when it will be accepted, its message changes at once ("Approving member1… by @lead", through
// the click's response_url, which does not wait behind the channel's pacer); the worker applies
// it (or refuses it, answering the clicker privately and putting the gate back). Queued before
// the 200 where Slack's 3 s allow it (see ack-after.ts).
import type { AllMiddlewareArgs, App, BlockButtonAction, RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { transition } from '../../rollout/machine.js';
import type { Rollout } from '../../rollout/model.js';
import { settledOrLate } from '../ack-after.js';
import { APPROVE_ACTION, gateDecidingMessage, ROLLBACK_ACTION } from '../blocks/messages.js';
import type { BotContext } from '../context.js';
import { parseButtonValue } from './button-value.js';

/** How long a gate click waits in Redis for its "Approving…" to be shown, at most. */
const DECIDING_HOLD_MS = 3_000;

const buttonValue = z.object({ r: z.string().min(1).max(200), s: z.int().min(1).max(1000) });
type Kind = 'approve' | 'rollback';

/** Is the clicked message the gate message this value names, in the rollout's channel? */
async function onItsGate(ctx: BotContext, rollout: Rollout, stage: number, body: BlockButtonAction): Promise<boolean> {
  const clickedTs = body.message?.ts ?? body.container?.message_ts;
  const channel = body.channel?.id ?? body.container?.channel_id;
  const gateTs = await ctx.store.messageTs(rollout.id, `gate-${stage}`);
  return gateTs !== undefined && clickedTs === gateTs && channel === rollout.channel;
}

/** The worker's rules, tried on the current state: would this click decide the gate? */
async function willDecide(ctx: BotContext, rollout: Rollout, kind: Kind, stage: number, user: string): Promise<boolean> {
  const app = ctx.config.apps.find((a) => a.name === rollout.app);
  if (!app || !ctx.approvers) return false;
  const isApprover = await ctx.approvers.isApprover(app, user, kind === 'approve' ? rollout.gates[stage - 1]?.clusters : undefined);
  const by = { user, isApprover };
  const result = transition(rollout, kind === 'approve' ? { type: 'GateApproved', stage, by } : { type: 'RollbackRequested', by, stage }, ctx.clock());
  if (!result.ok) return false;
  return kind === 'approve' ? result.rollout.gates[stage - 1]?.state === 'approved' : result.rollout.phase === 'rolling-back';
}

async function click(kind: Kind, body: BlockButtonAction, action: BlockButtonAction['actions'][number], respond: RespondFn, ctx: BotContext): Promise<void> {
  const refuse = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text: `:no_entry: ${text}` });
  const target = parseButtonValue(buttonValue, action.value);
  if (!target) return void (await refuse('This button does not belong to a rollout gate.'));
  const rollout = await ctx.store.get(target.r);
  if (!rollout) return void (await refuse(`There is no rollout ${target.r}.`));
  if (!(await onItsGate(ctx, rollout, target.s, body))) return void (await refuse(`This button does not belong to this message: use the buttons on the gate of rollout ${rollout.id}.`));
  const user = body.user.id;
  const showDeciding = Boolean(body.response_url) && (await willDecide(ctx, rollout, kind, target.s, user).catch(() => false));
  // The click is safe in Redis before its buttons go away (the other way round, a process killed
  // between the two left a gate with no buttons and no decision: seen in the chaos run), and
  // held until they are gone, so the worker's answer (the decided gate, or the gate put back on
  // a refusal) always lands after "Approving…". A process killed while holding: the job runs
  // when the hold ends.
  const input = { rolloutId: target.r, stage: target.s, inputId: action.action_ts, kind, user, ...(body.response_url ? { responseUrl: body.response_url } : {}) };
  const release = await ctx.queues.input(input, showDeciding ? { heldForMs: DECIDING_HOLD_MS } : {});
  if (!showDeciding) return;
  await respond({ replace_original: true, ...gateDecidingMessage(rollout, target.s, kind, user) } as never).catch((error: unknown) => {
    ctx.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not mark the clicked gate as deciding');
  });
  await release();
}

export function registerGateButtons(app: App, ctx: BotContext): void {
  const handle = (kind: Kind) => async ({ ack, body, action, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    const work = click(kind, body, action, respond, ctx);
    await settledOrLate(work);
    await ack();
    await work.catch(async (error: unknown) => {
      ctx.log.error({ err: error instanceof Error ? error.message : String(error) }, 'gate click failed');
      await respond({ response_type: 'ephemeral', replace_original: false, text: ':warning: Your click was not recorded; try again.' }).catch(() => undefined);
    });
  };
  app.action<BlockButtonAction>(APPROVE_ACTION, handle('approve'));
  app.action<BlockButtonAction>(ROLLBACK_ACTION, handle('rollback'));
}
