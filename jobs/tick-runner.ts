// Takes due analysis ticks from the tick set (jobs/tick-set.ts) and runs them, a few at a time,
// through the same step path as a step job (jobs/worker.ts). One claim per poll takes every
// tick due within the next `windowMs` (up to the free slots), so at a steady rate a claim
// serves many ticks; each waits here until its due time. With nothing due the runner sleeps
// until the earliest tick in the set (at most `idleMs`), and a tick scheduled by this process
// wakes it sooner. A tick it claims but cannot finish (the process dies) comes due again at the
// claim's deadline, for any process; a long tick renews its claim.
import type { Logger } from 'pino';
import type { ClaimedTick, TickSet } from './tick-set.js';

/**
 * What became of a tick: `committed` (its commit took it out of the set), `finished` (nothing to
 * do; remove it), or `later` (due again in `inMs`; `attempted`: it counts as a try, as a failure
 * does and a busy rollout does not).
 */
export type TickResult = { kind: 'committed' } | { kind: 'finished' } | { kind: 'later'; inMs: number; attempted: boolean };

export interface TickRunnerOptions {
  ticks: TickSet;
  /** Runs one tick; `attempt` counts this process's earlier tries of it (0 first). */
  run(tick: ClaimedTick, attempt: number): Promise<TickResult>;
  /** Registers for the ticks this process schedules (Queues.onTickScheduled). */
  onScheduled?(listener: (at: number) => void): () => void;
  concurrency: number;
  /** How long a claim lasts without renewal: a dead claimer's ticks come back after this. */
  claimMs: number;
  clock: () => number;
  log: Pick<Logger, 'warn' | 'error'>;
  /** How much ahead one claim looks (default 100 ms): ticks due that soon are claimed in the same round trip. */
  windowMs?: number;
  /** The longest sleep with nothing due (default 1 s): ticks scheduled by other processes are seen that soon. */
  idleMs?: number;
  /** Told how late each tick started, in ms (metrics). */
  onStarted?(tick: ClaimedTick, lateMs: number): void;
}

export interface TickRunner {
  /** Claims no more, hands back the ticks claimed but not started, and resolves when the running ones are done. */
  close(): Promise<void>;
}

export function startTickRunner(options: TickRunnerOptions): TickRunner {
  const { ticks, clock, log } = options;
  const windowMs = options.windowMs ?? 100;
  const idleMs = options.idleMs ?? 1_000;
  /** Claimed ticks, by id: waiting for their due time (with the timer) or running. */
  const held = new Map<string, { tick: ClaimedTick; timer?: NodeJS.Timeout; startedAt?: number }>();
  const attempts = new Map<string, number>();
  const running = new Set<Promise<void>>();
  let stopping = false;
  let wake: { at: number; timer: NodeJS.Timeout; resolve: () => void } | undefined;
  let lastClaim = -Infinity;
  /** The loop sleeps because every slot is taken: a tick that ends wakes it. */
  let saturated = false;
  /** Claims are failing (Redis down): said once, not every second. */
  let claimsFailing = false;

  /** Sleeps until `at` (on the injected clock), or until woken for an earlier time. */
  const sleepUntil = (at: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, Math.max(0, at - clock()));
      wake = { at, timer, resolve };
    });
  const wakeFor = (at: number) => {
    // Not sooner than a window after the last claim, which already took everything due by then.
    const when = Math.max(at - windowMs, lastClaim + windowMs);
    if (!wake || when >= wake.at) return;
    clearTimeout(wake.timer);
    const { resolve } = wake;
    wake = undefined;
    if (when <= clock()) resolve();
    else void sleepUntil(when).then(resolve);
  };
  const unsubscribe = options.onScheduled?.((at) => wakeFor(at)) ?? (() => undefined);

  async function settle(tick: ClaimedTick, result: TickResult): Promise<void> {
    if (result.kind === 'committed') return;
    if (result.kind === 'finished') await ticks.finish([tick.id], tick.claimedUntil);
    else await ticks.release([tick.id], tick.claimedUntil, clock() + result.inMs);
  }

  function start(tick: ClaimedTick): void {
    const entry = held.get(tick.id);
    if (!entry || stopping) return;
    entry.startedAt = clock();
    options.onStarted?.(tick, Math.max(0, entry.startedAt - tick.dueAt));
    const attempt = attempts.get(tick.id) ?? 0;
    const work = options
      .run(tick, attempt)
      .catch((error: unknown): TickResult => {
        log.error({ tick: tick.id, err: error instanceof Error ? error.message : String(error) }, 'tick failed; retrying it in a second');
        return { kind: 'later', inMs: 1_000, attempted: true };
      })
      .then(async (result) => {
        if (result.kind !== 'later') attempts.delete(tick.id);
        else if (result.attempted) attempts.set(tick.id, attempt + 1);
        // With the claim as renewed meanwhile. Redis unreachable: the claim's deadline hands the tick back instead.
        await settle(held.get(tick.id)?.tick ?? tick, result).catch((error: unknown) => log.warn({ tick: tick.id, err: error instanceof Error ? error.message : String(error) }, 'could not settle a tick; it comes back when its claim runs out'));
      })
      .finally(() => {
        held.delete(tick.id);
        running.delete(work);
        if (saturated) wakeFor(-Infinity);
      });
    running.add(work);
  }

  /** Ticks running longer than a third of a claim keep it, as the per-rollout lease is kept. */
  const renewal = setInterval(() => {
    const now = clock();
    const old = [...held.values()].filter((e) => e.startedAt !== undefined && e.tick.claimedUntil - now < (options.claimMs * 2) / 3);
    for (const entry of old) {
      const until = now + options.claimMs;
      void ticks.release([entry.tick.id], entry.tick.claimedUntil, until).then(
        (kept) => void (kept > 0 && (entry.tick = { ...entry.tick, claimedUntil: Math.floor(until) })),
        () => undefined,
      );
    }
  }, Math.max(100, Math.floor(options.claimMs / 3)));

  async function loop(): Promise<void> {
    while (!stopping) {
      const free = options.concurrency - held.size;
      const now = clock();
      saturated = free <= 0;
      if (saturated) {
        // A tick that ends wakes the loop.
        await sleepUntil(now + idleMs);
        continue;
      }
      let nextAt: number | undefined;
      try {
        lastClaim = now;
        const round = await ticks.claim({ until: now + windowMs, limit: free, deadline: now + options.claimMs });
        nextAt = round.nextAt;
        if (round.unreadable.length > 0) {
          log.error({ ticks: round.unreadable }, 'the tick set held ids that are not ticks; removed');
          await ticks.finish(round.unreadable, Math.floor(now + options.claimMs));
        }
        if (stopping) {
          for (const tick of round.claimed) await ticks.release([tick.id], tick.claimedUntil, tick.dueAt).catch(() => undefined);
          break;
        }
        for (const tick of round.claimed) {
          const entry: { tick: ClaimedTick; timer?: NodeJS.Timeout } = { tick };
          held.set(tick.id, entry);
          const wait = tick.dueAt - clock();
          if (wait <= 0) start(tick);
          else entry.timer = setTimeout(() => start(tick), wait);
        }
        if (round.claimed.length >= free) nextAt = now; // maybe more due: look again after the window
        claimsFailing = false;
      } catch (error) {
        if (!claimsFailing) log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not claim ticks; trying again every second');
        claimsFailing = true;
      }
      const at = nextAt === undefined ? now + idleMs : Math.min(Math.max(nextAt - windowMs, now + windowMs), now + idleMs);
      if (!stopping) await sleepUntil(at);
    }
  }

  const looping = loop().catch((error: unknown) => log.error({ err: error instanceof Error ? error.message : String(error) }, 'tick runner stopped'));

  return {
    async close() {
      stopping = true;
      unsubscribe();
      clearInterval(renewal);
      if (wake) {
        clearTimeout(wake.timer);
        wake.resolve();
      }
      await looping;
      // Claimed, not started: back to the set, due as they were, for another process.
      const waiting = [...held.values()].filter((e) => e.startedAt === undefined);
      for (const entry of waiting) {
        clearTimeout(entry.timer);
        held.delete(entry.tick.id);
        await ticks.release([entry.tick.id], entry.tick.claimedUntil, entry.tick.dueAt).catch(() => undefined);
      }
      await Promise.all([...running]);
    },
  };
}
