// Puts lost work back on the queues: a process that died between writing a rollout and
// enqueuing its next step, or in the middle of posting its notices. Safe to run any time
// and on every replica: step ids are deterministic, and stale steps do nothing.
import type { Logger } from 'pino';
import type { Queues } from './queues.js';
import type { RolloutStore } from './store.js';

export async function reconcileOnce(store: RolloutStore, queues: Queues, round: string): Promise<number> {
  let touched = 0;
  for (const id of await store.activeIds()) {
    const pending = await store.pending(id);
    if (pending.length > 0) await queues.reschedule(pending);
    touched++;
  }
  // Notices left in an outbox, of active and of finished rollouts alike: a finished rollout's
  // last drain may have failed, and its closing notices must still be posted.
  for (const id of await store.undrainedIds()) await queues.drain(id, `r${round}`);
  return touched;
}

/** Reconciles now and then every `everyMs`, until stop() is called. */
export function startReconciler(options: { store: RolloutStore; queues: Queues; everyMs: number; log: Logger; clock?: () => number }): { stop(): void; done: Promise<void> } {
  const clock = options.clock ?? Date.now;
  const run = () =>
    reconcileOnce(options.store, options.queues, String(clock())).catch((error: unknown) =>
      options.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'reconcile failed'),
    );
  const done = run().then(() => undefined);
  const timer = setInterval(run, options.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), done };
}
