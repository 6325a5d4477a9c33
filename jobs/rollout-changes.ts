// What a committed transition means for rollgate's own metrics: a rollout that finished (and
// how), gates that were decided. Pure: compares the rollout before and after the commit, so
// it sees every transition exactly once, whichever process or job wrote it.
import { ABORT_WHY, isTerminal, type Outcome, type Rollout } from '../rollout/model.js';

export const FINISH_OUTCOMES = ['succeeded', 'rolled_back_automatically', 'rolled_back_by_person', 'aborted', 'failed'] as const;
export type FinishOutcome = (typeof FINISH_OUTCOMES)[number];

export const GATE_DECISIONS = ['approved', 'rolled_back', 'expired', 'closed'] as const;
export type GateDecision = (typeof GATE_DECISIONS)[number];

export interface RolloutChanges {
  finished?: FinishOutcome;
  gates: GateDecision[];
}

function finishOutcome(rollout: Rollout): FinishOutcome {
  if (rollout.phase === 'succeeded') return 'succeeded';
  if (rollout.phase === 'failed' || rollout.outcome?.kind !== 'rolled-back') return 'failed';
  if (rollout.outcome.trigger !== 'person') return 'rolled_back_automatically';
  return isAbort(rollout.outcome) ? 'aborted' : 'rolled_back_by_person';
}

/**
 * `/rollout abort` is a person's rollback asked with ABORT_WHY, which the outcome keeps as a fact
 * (`asked.why`). A rollback asked of a rollgate from before `asked` existed, and finished by this
 * one, kept it only in its plain reason, "aborted (<@U…>)".
 */
function isAbort(outcome: Extract<Outcome, { kind: 'rolled-back' }>): boolean {
  return outcome.asked ? outcome.asked.why === ABORT_WHY : outcome.reason.startsWith(`${ABORT_WHY} (`);
}

export function rolloutChanges(previous: Rollout, next: Rollout): RolloutChanges {
  const gates = next.gates.flatMap((gate, i): GateDecision[] => {
    if (previous.gates[i]?.state !== 'open' || gate.state === 'open' || gate.state === 'pending') return [];
    return [gate.state === 'rolled-back' ? 'rolled_back' : gate.state];
  });
  // A start that found its version already running did nothing: not a finished rollout (the
  // receiver's quick check refuses the same start without counting it either).
  const noop = next.outcome?.kind === 'failed' && next.outcome.nothingToDo !== undefined;
  const finished = !isTerminal(previous.phase) && isTerminal(next.phase) && !noop ? finishOutcome(next) : undefined;
  return { ...(finished ? { finished } : {}), gates };
}

/** The store with every successful commit reported to `changed` (the metrics), after it is written. */
export function observeCommits<S extends { commit(previous: Rollout, next: Rollout, ...rest: any[]): Promise<boolean> }>(store: S, changed: (changes: RolloutChanges) => void): S {
  return {
    ...store,
    async commit(previous: Rollout, next: Rollout, ...rest: any[]): Promise<boolean> {
      const written = await store.commit(previous, next, ...rest);
      if (written) changed(rolloutChanges(previous, next));
      return written;
    },
  };
}
