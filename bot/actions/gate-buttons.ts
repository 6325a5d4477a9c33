// The Approve and Rollback buttons of a gate, on its own message in the channel or on the
// Home tab. The value names the rollout and stage; a click in a channel must come from that
// gate's own message, a click on the Home tab is bound to the gate by the value alone (the
// same approver rules apply: the worker decides). When the app asks why (approvals.reasons),
// the click opens the reason modal (views.open with the click's trigger_id) and the decision
// is queued on its submission (reason-submit.ts). Otherwise the decision is queued for the
// worker, then a click that will be accepted changes its message at once ("Approving member1…
// by @lead", through the click's response_url); the worker applies it or refuses it, answering
// the clicker privately. Queued before the 200 where Slack's 3 s allow it.
import type { AllMiddlewareArgs, App, BlockButtonAction, RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Rollout } from '../../rollout/model.js';
import { settledOrLate } from '../ack-after.js';
import { APPROVE_ACTION, gateDecidingMessage, ROLLBACK_ACTION } from '../blocks/messages.js';
import { reasonModal, type DecisionKind } from '../blocks/reason-modal.js';
import { homeClickWords } from '../blocks/home-view.js';
import type { BotContext } from '../context.js';
import { publishHome } from '../home/app-home.js';
import { parseButtonValue } from './button-value.js';
import { refusalWords } from '../blocks/refusal-words.js';
import { auditRefusal, DECIDING_HOLD_MS, previewDecision, reasonNeed } from './gate-decision.js';
import { encodeReasonTarget } from './reason-target.js';

const buttonValue = z.object({ r: z.string().min(1).max(200), s: z.int().min(1).max(1000) });

/** Where the click came from: a gate message in a channel, or the clicker's Home tab. */
const fromHome = (body: BlockButtonAction) => body.container?.type === 'view' && body.view?.type === 'home';

/** Is the clicked message the gate message this value names (`gateTs`), in the rollout's channel? */
function onItsGate(rollout: Rollout, gateTs: string | undefined, body: BlockButtonAction): boolean {
  const clickedTs = body.message?.ts ?? body.container?.message_ts;
  const channel = body.channel?.id ?? body.container?.channel_id;
  return gateTs !== undefined && clickedTs === gateTs && channel === rollout.channel;
}

interface Click {
  kind: DecisionKind;
  body: BlockButtonAction;
  action: BlockButtonAction['actions'][number];
  respond: RespondFn;
  client: WebClient;
  /** Called once the decision is safe in Redis: Slack may have its 200 from then on. */
  queued: () => void;
}

async function click({ kind, body, action, respond, client, queued }: Click, ctx: BotContext): Promise<void> {
  const home = fromHome(body);
  const user = body.user.id;
  const refuse = (text: string) =>
    home ? publishHome(ctx, client, user, { text: `:no_entry: ${text}` }) : respond({ response_type: 'ephemeral', replace_original: false, text: `:no_entry: ${text}` });
  const target = parseButtonValue(buttonValue, action.value);
  if (!target) return void (await refuse('This button does not belong to a rollout gate.'));
  // Both reads in one round trip: a click waits on Redis once before it is queued.
  const [rollout, gateTs] = await Promise.all([ctx.store.get(target.r), home ? undefined : ctx.store.messageTs(target.r, `gate-${target.s}`)]);
  if (!rollout) return void (await refuse(`There is no rollout ${target.r}.`));
  if (!home && !onItsGate(rollout, gateTs, body)) return void (await refuse(`This button does not belong to this message: use the buttons on the gate of rollout ${rollout.id}.`));
  const preview = await previewDecision(ctx, rollout, kind, target.s, user);
  const need = reasonNeed(rollout, kind);
  if (need !== 'off' && preview.kind !== 'refused') {
    // Asking why: nothing is queued until the modal is submitted.
    const metadata = encodeReasonTarget({ r: rollout.id, s: target.s, k: kind, ...(body.response_url ? { u: body.response_url } : {}), ...(home ? { h: 1 } : {}) });
    await client.views.open({ trigger_id: body.trigger_id, view: reasonModal(rollout, target.s, kind, need, metadata) as never });
    return;
  }
  if (home && preview.kind === 'refused') {
    await auditRefusal(ctx, rollout.id, user, kind, preview.refusal);
    return void (await refuse(refusalWords(preview.refusal)));
  }
  const showDeciding = preview.kind === 'decides' && Boolean(body.response_url);
  // The click is safe in Redis before its buttons go away (the other way round, a process killed
  // between the two left a gate with no buttons and no decision: seen in the chaos run), and
  // held until they are gone, so the worker's answer (the decided gate, or the gate put back on
  // a refusal) always lands after "Approving…". A process killed while holding: the job runs
  // when the hold ends.
  const input = { rolloutId: target.r, stage: target.s, inputId: action.action_ts, kind, user, ...(body.response_url ? { responseUrl: body.response_url } : {}), ...(home ? { replyInDm: true } : {}) };
  const release = await ctx.queues.input(input, showDeciding ? { heldForMs: DECIDING_HOLD_MS } : {});
  queued();
  if (showDeciding) {
    await respond({ replace_original: true, ...gateDecidingMessage(rollout, target.s, kind, user) } as never).catch((error: unknown) => {
      ctx.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not mark the clicked gate as deciding');
    });
    await release();
  }
  if (home) await publishHome(ctx, client, user, { text: homeClickWords(rollout, target.s, kind), deciding: { r: rollout.id, s: target.s } });
}

export function registerGateButtons(app: App, ctx: BotContext): void {
  const handle = (kind: DecisionKind) => async ({ ack, body, action, respond, client }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    // Acknowledged as soon as the decision is queued (or the click is answered otherwise): the
    // message change and the release of the hold need not hold Slack's 200.
    let queued = () => undefined as void;
    const safe = new Promise<void>((resolve) => (queued = resolve));
    const work = click({ kind, body, action, respond, client, queued }, ctx);
    await settledOrLate(Promise.race([work, safe]));
    await ack();
    await work.catch(async (error: unknown) => {
      ctx.log.error({ err: error instanceof Error ? error.message : String(error) }, 'gate click failed');
      if (fromHome(body)) await publishHome(ctx, client, body.user.id, { text: ':warning: Your click was not recorded; try again.' }).catch(() => undefined);
      else await respond({ response_type: 'ephemeral', replace_original: false, text: ':warning: Your click was not recorded; try again.' }).catch(() => undefined);
    });
  };
  app.action<BlockButtonAction>(APPROVE_ACTION, handle('approve'));
  app.action<BlockButtonAction>(ROLLBACK_ACTION, handle('rollback'));
}
