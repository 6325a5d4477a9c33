// Applies events to stored rollouts: load, transition, compare-and-set, then hand the
// effects to the queues. A lost race reloads and tries again with the newer state.
// The notices a commit queued are posted right here when a drainer is at hand and Slack lets
// them go at once; a drain job takes them otherwise. The outbox stays the record either way.
import type { Effect, Refusal, RolloutEvent } from '../rollout/events.js';
import { transition } from '../rollout/machine.js';
import type { Rollout } from '../rollout/model.js';
import { auditEvent } from './audit.js';
import type { OutboxDrainer } from './ports.js';
import type { Queues } from './queues.js';
import { splitEffects, type AuditEntry, type RolloutStore } from './store.js';

export type ApplyOutcome =
  /** `drainLater`, with the deferDrain option: posts this commit's notices; the caller runs it once, out of its lease. */
  | { kind: 'applied'; rollout: Rollout; drainLater?: () => Promise<void> }
  | { kind: 'refused'; rollout: Rollout; refusal: Refusal }
  | { kind: 'skipped'; reason: string };

export interface Decision {
  event: RolloutEvent;
  /** Extra fields on the written rollout (e.g. the id of the click that caused it). */
  amend?: (next: Rollout) => Rollout;
}

export function createRolloutRunner(options: { store: RolloutStore; queues: Queues; clock: () => number; drainer?: OutboxDrainer }) {
  const { store, queues, clock, drainer } = options;

  async function drainOutbox(rollout: Rollout): Promise<void> {
    if (drainer && (await drainer.drainNow(rollout.id, rollout))) return;
    await queues.drain(rollout.id, rollout.seq);
  }

  /** Queues the steps; returns the drain of the notices, if any. */
  async function schedule(rollout: Rollout, effects: Effect[]): Promise<(() => Promise<void>) | undefined> {
    const { steps, outbox } = splitEffects(rollout, effects);
    await queues.schedule(steps);
    return outbox.length > 0 ? () => drainOutbox(rollout) : undefined;
  }

  async function dispatch(rollout: Rollout, effects: Effect[]): Promise<void> {
    await (await schedule(rollout, effects))?.();
  }

  /**
   * `decide` sees the freshest rollout and returns the event to apply, or a reason to skip.
   * It may run more than once when another writer wins the race. With `deferDrain`, the
   * notices are left to the caller (`drainLater`), which posts them once it let go of its lease.
   */
  async function apply(id: string, decide: (rollout: Rollout) => Promise<Decision | string>, opts: { deferDrain?: boolean } = {}): Promise<ApplyOutcome> {
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
        const drain = await schedule(next, result.effects);
        if (drain && opts.deferDrain) return { kind: 'applied', rollout: next, drainLater: drain };
        await drain?.();
        return { kind: 'applied', rollout: next };
      }
    }
    throw new Error(`rollout ${id}: too much contention, giving up this attempt`);
  }

  return { apply, dispatch };
}

export type RolloutRunner = ReturnType<typeof createRolloutRunner>;
