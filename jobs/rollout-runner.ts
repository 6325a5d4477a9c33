// Applies events to stored rollouts: load, transition, compare-and-set, then hand the
// effects to the queues. A lost race reloads and tries again with the newer state.
import type { Effect, Refusal, RolloutEvent } from '../rollout/events.js';
import { transition } from '../rollout/machine.js';
import type { Rollout } from '../rollout/model.js';
import { auditEvent } from './audit.js';
import type { Queues } from './queues.js';
import { splitEffects, type AuditEntry, type RolloutStore } from './store.js';

export type ApplyOutcome =
  | { kind: 'applied'; rollout: Rollout }
  | { kind: 'refused'; rollout: Rollout; refusal: Refusal }
  | { kind: 'skipped'; reason: string };

export interface Decision {
  event: RolloutEvent;
  /** Extra fields on the written rollout (e.g. the id of the click that caused it). */
  amend?: (next: Rollout) => Rollout;
}

export function createRolloutRunner(options: { store: RolloutStore; queues: Queues; clock: () => number }) {
  const { store, queues, clock } = options;

  async function dispatch(rollout: Rollout, effects: Effect[]): Promise<void> {
    const { steps, outbox } = splitEffects(rollout, effects);
    await queues.schedule(steps);
    if (outbox.length > 0) await queues.drain(rollout.id, rollout.seq);
  }

  /**
   * `decide` sees the freshest rollout and returns the event to apply, or a reason to skip.
   * It may run more than once when another writer wins the race.
   */
  async function apply(id: string, decide: (rollout: Rollout) => Promise<Decision | string>): Promise<ApplyOutcome> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const rollout = await store.get(id);
      if (!rollout) return { kind: 'skipped', reason: `no rollout ${id}` };
      const decision = await decide(rollout);
      if (typeof decision === 'string') return { kind: 'skipped', reason: decision };
      const now = clock();
      const result = transition(rollout, decision.event, now);
      if (!result.ok) return { kind: 'refused', rollout, refusal: result.refusal };
      const next = decision.amend ? decision.amend(result.rollout) : result.rollout;
      const quietPoll = decision.event.type === 'ReadinessChecked' && !decision.event.ready && next.phase === rollout.phase;
      // A start still waiting for its confirm-rollout webhook is audited once, not every interval.
      const quietWait = decision.event.type === 'StartHeldByWebhook' && rollout.hookWait !== undefined;
      const audit: AuditEntry[] = quietPoll || quietWait ? [] : [auditEvent(decision.event, next, now)];
      if (await store.commit(rollout, next, result.effects, audit)) {
        await dispatch(next, result.effects);
        return { kind: 'applied', rollout: next };
      }
    }
    throw new Error(`rollout ${id}: too much contention, giving up this attempt`);
  }

  return { apply, dispatch };
}

export type RolloutRunner = ReturnType<typeof createRolloutRunner>;
