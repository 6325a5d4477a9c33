// Starting a rollout: one per app at a time, not inside the app's cooldown. Used by the
// start command and by a superseding start once the rollout it replaces is rolled back.
import type { AppConfig } from '../rollout/config.js';
import { created } from '../rollout/machine.js';
import { isTerminal, type Rollout, type SuccessorRequest } from '../rollout/model.js';
import { newRollout } from '../rollout/plan.js';
import type { RolloutRunner } from './rollout-runner.js';
import type { RolloutStore } from './store.js';

export type StartOutcome = { kind: 'started'; rollout: Rollout } | { kind: 'busy'; activeId: string } | { kind: 'cooldown'; app: string; leftMs: number; cooldownMs: number };

export interface StartDeps {
  store: RolloutStore;
  runner: Pick<RolloutRunner, 'dispatch'>;
  clock: () => number;
  tuning: { readyPollMs?: number };
}

/** How many earlier rollouts the cooldown looks back past starts that found nothing to do. */
const NOOP_LOOKBACK = 5;

/**
 * Time left in the app's cooldown after its last rollout ended, or 0. A start that found its
 * version already running changed nothing: the cooldown runs from the rollout before it.
 */
export async function cooldownLeft(store: RolloutStore, app: AppConfig, now: number): Promise<number> {
  if (app.cooldown <= 0) return 0;
  const latest = await store.latestFor(app.name);
  const n = latest ? Number(latest.slice(app.name.length + 1)) : 0;
  for (let seq = n; seq > 0 && seq > n - NOOP_LOOKBACK; seq--) {
    const last = await store.get(`${app.name}-${seq}`);
    if (!last?.outcome || !isTerminal(last.phase)) return 0;
    if (last.outcome.kind === 'failed' && last.outcome.nothingToDo) continue;
    return Math.max(0, last.outcome.at + app.cooldown - now);
  }
  return 0;
}

export async function startRollout(deps: StartDeps, app: AppConfig, request: SuccessorRequest, options: { ignoreCooldown?: boolean } = {}): Promise<StartOutcome> {
  const { store, clock } = deps;
  const now = clock();
  const left = options.ignoreCooldown ? 0 : await cooldownLeft(store, app, now);
  if (left > 0) return { kind: 'cooldown', app: app.name, leftMs: left, cooldownMs: app.cooldown };
  const rollout = newRollout(
    {
      id: await store.nextId(app.name),
      app,
      version: request.version,
      requester: request.requester,
      nowMs: now,
      ...(request.clusters ? { clusters: request.clusters } : {}),
      ...(request.strategy ? { strategy: request.strategy } : {}),
      ...(request.autoPromote ? { autoPromote: true } : {}),
      ...(request.notifyUrl ? { notifyUrl: request.notifyUrl } : {}),
    },
    deps.tuning,
  );
  const effects = created(rollout, now);
  const result = await store.create(rollout, effects, [{ at: now, who: request.requester, what: 'start', outcome: 'queued', detail: `${app.name} ${request.version}` }]);
  if (!result.ok) return { kind: 'busy', activeId: result.activeId };
  await deps.runner.dispatch(rollout, effects);
  return { kind: 'started', rollout };
}
