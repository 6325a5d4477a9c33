// Submitting the reason modal (view_submission): a required reason left empty is refused in
// the modal (response_action: errors); a gate decided meanwhile, or a person who may not
// decide it, changes nothing and the modal says so (response_action: update); otherwise the
// decision is queued with the reason, like a click, and the modal closes. The worker applies it
// under the same rules and answers privately if it refuses after all (a race).
import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { settledOrLate } from '../ack-after.js';
import { gateDecidingMessage } from '../blocks/messages.js';
import { cleanReason, nothingChangedModal, REASON_BLOCK, REASON_CALLBACK, REASON_INPUT, reasonMissingWords } from '../blocks/reason-modal.js';
import { homeClickWords } from '../blocks/home-view.js';
import type { BotContext } from '../context.js';
import { publishHome } from '../home/app-home.js';
import { refusalWords } from '../blocks/refusal-words.js';
import { auditRefusal, DECIDING_HOLD_MS, previewDecision, reasonNeed } from './gate-decision.js';
import { decodeReasonTarget } from './reason-target.js';

type Answer = { response_action: 'errors'; errors: Record<string, string> } | { response_action: 'update'; view: unknown } | undefined;

async function markDeciding(ctx: BotContext, responseUrl: string, message: object): Promise<void> {
  const response = await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ replace_original: true, ...message }), signal: AbortSignal.timeout(5000) }).catch(
    (error: unknown) => ctx.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not mark the gate as deciding'),
  );
  if (response && !response.ok) ctx.log.warn({ status: response.status }, 'response_url refused the deciding gate');
}

async function submit(body: ViewSubmitAction, ctx: BotContext, client: WebClient): Promise<Answer> {
  const { view } = body;
  const target = decodeReasonTarget(view.private_metadata);
  if (!target) return { response_action: 'update', view: nothingChangedModal('This form does not belong to a rollout gate.') };
  const rollout = await ctx.store.get(target.r);
  if (!rollout) return { response_action: 'update', view: nothingChangedModal(`There is no rollout ${target.r}.`) };
  const reason = cleanReason(view.state.values[REASON_BLOCK]?.[REASON_INPUT]?.value);
  if (!reason && reasonNeed(rollout, target.k) === 'required') return { response_action: 'errors', errors: { [REASON_BLOCK]: reasonMissingWords(target.k) } };
  const user = body.user.id;
  const preview = await previewDecision(ctx, rollout, target.k, target.s, user);
  if (preview.kind === 'refused') {
    await auditRefusal(ctx, rollout.id, user, target.k, preview.refusal);
    return { response_action: 'update', view: nothingChangedModal(refusalWords(preview.refusal)) };
  }
  const showDeciding = preview.kind === 'decides' && Boolean(target.u);
  // Safe in Redis before the gate's buttons go away, held until they are (see gate-buttons.ts).
  const release = await ctx.queues.input(
    {
      rolloutId: rollout.id,
      stage: target.s,
      // One modal, one decision: a redelivered submission is recognised by its view.
      inputId: `modal-${view.id}`,
      kind: target.k,
      user,
      ...(reason ? { reason } : {}),
      ...(target.u ? { responseUrl: target.u } : {}),
      ...(target.h ? { replyInDm: true } : {}),
    },
    showDeciding ? { heldForMs: DECIDING_HOLD_MS } : {},
  );
  if (showDeciding && target.u) {
    await markDeciding(ctx, target.u, gateDecidingMessage(rollout, target.s, target.k, user));
    await release();
  }
  // From the Home tab: Home says at once that the decision is being applied.
  if (target.h) await publishHome(ctx, client, user, { text: homeClickWords(rollout, target.s, target.k), deciding: { r: rollout.id, s: target.s } }).catch(() => undefined);
  return undefined;
}

export function registerReasonSubmit(app: App, ctx: BotContext): void {
  app.view<ViewSubmitAction>(REASON_CALLBACK, async ({ ack, body, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    let answer: Answer;
    let failed: unknown;
    const work = submit(body, ctx, client).then(
      (value) => void (answer = value),
      (error: unknown) => void (failed = error ?? new Error('failed')),
    );
    await settledOrLate(work);
    if (failed) {
      ctx.log.error({ err: failed instanceof Error ? failed.message : String(failed) }, 'reason submission failed');
      await ack({ response_action: 'errors', errors: { [REASON_BLOCK]: 'Your decision was not recorded; try again.' } });
      return;
    }
    await ack(answer as never);
  });
}
