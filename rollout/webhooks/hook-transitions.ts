// The state-machine side of webhooks: a start held by confirm-rollout, a gate held by
// confirm-promotion, and the bookkeeping of hook answers carried by events. Pure.
import type { Effect, Refusal, RolloutEvent } from '../events.js';
import type { Rollout } from '../model.js';
import type { HookCall } from './hook-call.js';
import { confirmationHeld, preRolloutPassedIn } from './hook-verdicts.js';
import { refusal } from '../refusals.js';

export type HookChange = { ok: true; changes: Partial<Rollout>; effects: Effect[] } | { ok: false; refusal: Refusal };

const rootUpdate: Effect = { type: 'notify', notice: { kind: 'root-update' } };

/**
 * confirm-rollout did not answer 2xx: the rollout stays queued and asks again every interval
 * (Flagger: Waiting). The channel hears it once, unless the hook is muted; the root message
 * shows the wait for as long as it lasts.
 */
export function startHeld(rollout: Rollout, hooks: HookCall[], nowMs: number): HookChange {
  const held = confirmationHeld(hooks);
  if (rollout.phase !== 'queued' || !held) {
    return { ok: false, refusal: refusal('unexpected-event', { why: 'unexpected-event', rollout: rollout.id, event: 'StartHeldByWebhook', phase: rollout.phase }) };
  }
  const first = rollout.hookWait === undefined;
  const tell: Effect[] = first && !held.muted ? [{ type: 'notify', notice: { kind: 'note', line: { said: 'start-held-by-webhook', hook: held }, broadcast: true } }] : [];
  return {
    ok: true,
    changes: { hookWait: { call: held, since: rollout.hookWait?.since ?? nowMs } },
    effects: [{ type: 'step', step: 'start', at: nowMs + rollout.settings.intervalMs }, ...tell, ...(first ? [rootUpdate] : [])],
  };
}

/**
 * Approve (or `/rollout promote`, `retry` 'Promote') is refused, naming the hook, while a
 * confirm-promotion hook of the clusters it would promote does not answer 2xx.
 */
export function promotionRefusal(rollout: Rollout, hooks: HookCall[] | undefined, retry: 'Approve' | 'Promote' = 'Approve'): Refusal | undefined {
  const held = confirmationHeld(hooks);
  if (!held) return undefined;
  return refusal('held-by-webhook', { why: 'held-by-webhook', rollout: rollout.id, hook: held, retry });
}

/** What hook answers in an applied event change in the rollout, beyond the transition itself. */
export function recordHooks(before: Rollout, event: RolloutEvent, after: Rollout): Rollout {
  switch (event.type) {
    case 'RolloutStarted':
      return before.hookWait ? { ...after, hookWait: undefined } : after;
    case 'AnalysisTicked': {
      const passed = preRolloutPassedIn(event.results).filter((c) => after.cluster[c] && !after.cluster[c]?.preRolloutPassed);
      if (passed.length === 0) return after;
      const cluster = { ...after.cluster };
      for (const name of passed) cluster[name] = { ...(cluster[name] as Rollout['cluster'][string]), preRolloutPassed: true };
      return { ...after, cluster };
    }
    case 'Finalized':
    case 'RolledBack':
      return event.hooks && event.hooks.length > 0 ? { ...after, postRollout: event.hooks } : after;
    default:
      return after;
  }
}
