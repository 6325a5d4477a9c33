// Puts lost work back on the queues: a process that died between writing a rollout and
// enqueuing its next step, or in the middle of posting its notices, a step job BullMQ gave up
// on, a tick missing from the tick set (a Redis that lost it). Safe to run any time and on
// every replica: step ids are deterministic, a tick in the set is left as it is, and stale
// steps do nothing. (A tick whose claimer died needs nothing here: its claim runs out.)
import type { Logger } from 'pino';
import type { Queues } from './queues.js';
import type { RolloutStore } from './store.js';
import { StoredRecordError } from './stored-records.js';

/**
 * One round. A record rollgate cannot read (StoredRecordError) is that rollout's problem only:
 * it is reported through `onBadRecord` and the round goes on with the next rollout. Any other
 * error (Redis down) ends the round; the next one tries again.
 */
export async function reconcileOnce(store: RolloutStore, queues: Queues, round: string, onBadRecord: (error: StoredRecordError) => void = () => undefined): Promise<number> {
  const each = async (work: () => Promise<unknown>): Promise<boolean> => {
    try {
      await work();
      return true;
    } catch (error) {
      if (!(error instanceof StoredRecordError)) throw error;
      onBadRecord(error);
      return false;
    }
  };
  let touched = 0;
  for (const id of await store.activeIds()) {
    const ok = await each(async () => {
      const pending = await store.pending(id);
      if (pending.length > 0) await queues.reschedule(pending);
    });
    if (ok) touched++;
  }
  // Notices left in an outbox, of active and of finished rollouts alike: a finished rollout's
  // last drain may have failed, and its closing notices must still be posted.
  for (const id of await store.undrainedIds()) await queues.drain(id, `r${round}`);
  return touched;
}

/** Reconciles now and then every `everyMs`, until stop() is called. */
export function startReconciler(options: { store: RolloutStore; queues: Queues; everyMs: number; log: Logger; clock?: () => number }): { stop(): void; done: Promise<void> } {
  const clock = options.clock ?? Date.now;
  // A bad record stays bad until a person looks: say so once per key, not every round.
  const reported = new Set<string>();
  const onBadRecord = (error: StoredRecordError) => {
    if (reported.has(error.key)) return;
    reported.add(error.key);
    options.log.error({ key: error.key, field: error.field, code: error.code, err: error.message }, 'reconciler skips a rollout whose stored record it cannot read');
  };
  const run = () =>
    reconcileOnce(options.store, options.queues, String(clock()), onBadRecord).catch((error: unknown) =>
      options.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'reconcile failed'),
    );
  const done = run().then(() => undefined);
  const timer = setInterval(run, options.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), done };
}
