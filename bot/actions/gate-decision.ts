// What a gate click or a reason submission would do, tried on the current state with the
// worker's own rules (rollout/machine.ts): it lets the click show "Approving…" at once, skip
// a modal that could change nothing, and say so where the person is. The worker still decides.
import { transition } from '../../rollout/machine.js';
import type { Refusal } from '../../rollout/events.js';
import type { Rollout } from '../../rollout/model.js';
import type { DecisionKind } from '../blocks/reason-modal.js';
import type { BotContext } from '../context.js';

/** How long a gate decision waits in Redis for its "Approving…" to be shown, at most (a process killed meanwhile: it runs when the hold ends). */
export const DECIDING_HOLD_MS = 3_000;

export type Preview = { kind: 'decides' } | { kind: 'accepted' } | { kind: 'refused'; refusal: Refusal } | { kind: 'unknown' };

export async function previewDecision(ctx: BotContext, rollout: Rollout, kind: DecisionKind, stage: number, user: string): Promise<Preview> {
  const app = ctx.config.apps.find((a) => a.name === rollout.app);
  if (!app || !ctx.approvers) return { kind: 'unknown' };
  const isApprover = await ctx.approvers.isApprover(app, user, kind === 'approve' ? rollout.gates[stage - 1]?.clusters : undefined).catch(() => undefined);
  if (isApprover === undefined) return { kind: 'unknown' };
  const by = { user, isApprover };
  const result = transition(rollout, kind === 'approve' ? { type: 'GateApproved', stage, by } : { type: 'RollbackRequested', by, stage }, ctx.clock());
  if (!result.ok) return { kind: 'refused', refusal: result.refusal };
  const decides = kind === 'approve' ? result.rollout.gates[stage - 1]?.state === 'approved' : result.rollout.phase === 'rolling-back';
  return decides ? { kind: 'decides' } : { kind: 'accepted' };
}

/** A refusal answered here rather than by the worker is audited the same way. */
export async function auditRefusal(ctx: BotContext, rolloutId: string, user: string, kind: DecisionKind, refusal: Refusal): Promise<void> {
  await ctx.store.appendAudit(rolloutId, [{ at: ctx.clock(), who: user, what: kind, outcome: `refused: ${refusal.code}`, refusal }]);
}

/** Does this rollout's gate ask why before this decision (approvals.reasons, as at its start)? */
export function reasonNeed(rollout: Rollout, kind: DecisionKind): 'required' | 'optional' | 'off' {
  return rollout.settings.reasons?.[kind] ?? 'off';
}
