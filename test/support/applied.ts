// The domain's transition where the test expects it to be accepted: a refusal fails the test,
// saying which.
import type { Effect, RolloutEvent } from '../../rollout/events.js';
import { transition } from '../../rollout/machine.js';
import type { Rollout } from '../../rollout/model.js';

export function applied(rollout: Rollout, event: RolloutEvent, nowMs: number): { rollout: Rollout; effects: Effect[] } {
  const result = transition(rollout, event, nowMs);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.refusal)}`);
  return result;
}
