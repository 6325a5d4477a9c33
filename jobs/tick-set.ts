// The due analysis ticks, outside BullMQ: one sorted set (PREFIX:ticks), tick id -> due time
// (ms). A tick is the most frequent step by far (every rollout, every interval), and as a
// BullMQ job it cost ~60 Redis commands; here it costs a share of one claim. The commit that
// schedules a tick writes it (jobs/scripts.ts), any worker process claims due ones
// (jobs/tick-runner.ts), and the commit the tick makes removes it. A claim re-scores the
// tick to the claim's deadline, so a claimer that dies leaves it to come due again then.
import type { Redis } from 'ioredis';
import { run } from './scripts.js';
import type { PendingStep } from './store.js';

export interface ClaimedTick {
  /** The tick's id in the set, the same as its pending step's job id: `ROLLOUT.SEQ.tick`. */
  id: string;
  rolloutId: string;
  seq: number;
  /** When it was due (or, for a tick taken over from a claimer that died, when that claim ran out). */
  dueAt: number;
  /** The claim's deadline: the tick's score while this claimer holds it. */
  claimedUntil: number;
}

/** `ROLLOUT.SEQ.tick` -> its parts (a rollout id may itself hold dots). */
export function parseTickId(id: string): { rolloutId: string; seq: number } | undefined {
  const match = /^(.+)\.(\d+)\.tick$/.exec(id);
  return match ? { rolloutId: match[1] as string, seq: Number(match[2]) } : undefined;
}

export interface TickSetOptions {
  /** The client to use; a function for a client that is not connected yet (a BullMQ queue's). */
  redis: () => Promise<Redis>;
  key: string;
}

export function createTickSet(options: TickSetOptions) {
  const { key } = options;
  return {
    key,

    /** Claims up to `limit` ticks due by `until` until `deadline`; `nextAt`: the earliest score left (when to look again). */
    async claim(claim: { until: number; limit: number; deadline: number }): Promise<{ claimed: ClaimedTick[]; unreadable: string[]; nextAt: number | undefined }> {
      const redis = await options.redis();
      const deadline = Math.floor(claim.deadline);
      const reply = (await run.claimTicks(redis, [key], [String(Math.floor(claim.until)), String(claim.limit), String(deadline)])) as string[];
      const last = reply.pop();
      const claimed: ClaimedTick[] = [];
      const unreadable: string[] = [];
      for (let i = 0; i + 1 < reply.length; i += 2) {
        const id = reply[i] as string;
        const parts = parseTickId(id);
        if (parts) claimed.push({ id, ...parts, dueAt: Number(reply[i + 1]), claimedUntil: deadline });
        else unreadable.push(id);
      }
      return { claimed, unreadable, nextAt: last ? Number(last) : undefined };
    },

    /** Done with these (all claimed with the same deadline): removes them, unless another claimer took them over. */
    async finish(ids: string[], claimedUntil: number): Promise<number> {
      return ids.length === 0 ? 0 : Number(await run.settleTicks(await options.redis(), [key], [String(claimedUntil), '', ...ids]));
    },

    /** Hands these back, due again at `at` (a retry, a busy rollout, a claimer stopping), unless another claimer took them over. */
    async release(ids: string[], claimedUntil: number, at: number): Promise<number> {
      return ids.length === 0 ? 0 : Number(await run.settleTicks(await options.redis(), [key], [String(claimedUntil), String(Math.floor(at)), ...ids]));
    },

    /**
     * The reconciler's repair: a pending tick missing from the set (lost with a Redis that
     * restarted without its data, or scheduled by a rollgate from before the tick set) is added;
     * one that is there, claimed or not, is left alone. Returns how many were added.
     */
    async ensure(pending: PendingStep[]): Promise<number> {
      const ticks = pending.filter((p) => p.step === 'tick');
      if (ticks.length === 0) return 0;
      return (await options.redis()).zadd(key, 'NX', ...ticks.flatMap((p) => [String(Math.floor(p.at)), p.jobId]));
    },

    /** For /metrics: ticks due now and not claimed (or whose claim ran out), and the rest. */
    async counts(now: number): Promise<{ due: number; later: number }> {
      const redis = await options.redis();
      const [due, all] = await Promise.all([redis.zcount(key, '-inf', String(Math.floor(now))), redis.zcard(key)]);
      return { due, later: all - due };
    },
  };
}

export type TickSet = ReturnType<typeof createTickSet>;
