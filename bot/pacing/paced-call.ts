// One Slack call in a channel's lane: wait for the slot (briefly), call, and turn a 429 into
// a hold on the channel plus a NoticePostponed the drain job answers by delaying itself. The
// WebClient is built to throw on 429 (createNoticeClient), so it never sleeps in a job.
import { ErrorCode } from '@slack/web-api';
import type { ChannelPacer, Lane } from './channel-pacer.js';

/** The notice cannot go before `until`; the drain job is delayed to then, nothing is lost. */
export class NoticePostponed extends Error {
  constructor(
    readonly until: number,
    readonly reason: 'paced' | 'rate-limited',
  ) {
    super(`notice postponed until ${new Date(until).toISOString()} (${reason})`);
    this.name = 'NoticePostponed';
  }
}

/** Milliseconds Slack asked us to wait, when `error` is a 429 from the WebClient. */
export function rateLimitedForMs(error: unknown): number | undefined {
  const e = error as { code?: unknown; retryAfter?: unknown } | undefined;
  if (e?.code !== ErrorCode.RateLimitedError || typeof e.retryAfter !== 'number') return undefined;
  // A Retry-After of 0 would only make us spin; Slack's smallest window is a second.
  return Math.max(1, e.retryAfter) * 1000;
}

export interface PacedCallOptions {
  pacer: ChannelPacer;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  onRateLimited?: (channel: string, retryAfterMs: number) => void;
}

export function createPacedCall(options: PacedCallOptions) {
  const { pacer, clock, sleep } = options;
  /** `maxWaitMs`: how long this call may wait for its slot (default: the pacer's); past it, NoticePostponed. */
  return async function pacedCall<T>(channel: string, lane: Lane, call: () => Promise<T>, maxWaitMs?: number): Promise<T> {
    const claim = await pacer.claim(channel, lane, clock(), maxWaitMs);
    if (!claim.ok) throw new NoticePostponed(claim.notBefore, claim.held ? 'rate-limited' : 'paced');
    const wait = claim.at - clock();
    if (wait > 0) await sleep(wait);
    try {
      return await call();
    } catch (error) {
      const retryAfterMs = rateLimitedForMs(error);
      if (retryAfterMs === undefined) throw error;
      const until = clock() + retryAfterMs;
      await pacer.hold(channel, until, clock());
      options.onRateLimited?.(channel, retryAfterMs);
      throw new NoticePostponed(until, 'rate-limited');
    }
  };
}

export type PacedCall = ReturnType<typeof createPacedCall>;
