// Per-channel pacing shared by every drainer in every process, kept in Redis under the
// store's prefix: the next free slot of each lane and a "not before" hold set when Slack
// answers 429. Slack allows about one chat.postMessage per second per channel (special tier,
// short bursts tolerated); chat.update is Tier 3 (50+ per minute, metered per method, not per
// channel), so updates get a lane of their own and never queue behind posts.
import type { Redis } from 'ioredis';
import { redisScript } from '../../jobs/redis-script.js';

export type Lane = 'post' | 'update';

/** A slot to call at (wait until `at`), or the time to come back at, without having taken one. */
export type Claim = { ok: true; at: number } | { ok: false; notBefore: number; held: boolean };

export interface PacingTuning {
  /** Spacing of each lane in one channel (default: 1000 ms each). */
  spacingMs: Record<Lane, number>;
  /** How far ahead a slot may be taken; a caller waits that long at most, else comes back later. */
  maxWaitMs: number;
}

export const DEFAULT_PACING: PacingTuning = { spacingMs: { post: 1000, update: 1000 }, maxWaitMs: 1000 };

/**
 * KEYS: lane slot, channel hold. ARGV: now, spacing, maxWait.
 * Returns {taken (1|0), at or notBefore, held (1|0)}; numbers as strings (ms timestamps).
 */
const CLAIM = `
local now = tonumber(ARGV[1])
local read = redis.call('MGET', KEYS[1], KEYS[2])
local hold = tonumber(read[2] or '0')
if hold > now then return {0, string.format('%.0f', hold), 1} end
local at = math.max(now, tonumber(read[1] or '0'))
if at - now > tonumber(ARGV[3]) then return {0, string.format('%.0f', at), 0} end
local after = at + tonumber(ARGV[2])
redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', math.ceil(after - now) + 60000)
return {1, string.format('%.0f', at), 0}
`;

/** KEYS: channel hold. ARGV: until, now. Only ever moves the hold later. */
const HOLD = `
local untilMs = tonumber(ARGV[1])
if untilMs > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', math.max(1, math.ceil(untilMs - tonumber(ARGV[2]))) + 60000)
end
return 1
`;

const claimScript = redisScript(CLAIM);
const holdScript = redisScript(HOLD);

export function createChannelPacer(options: { redis: Redis; prefix: string; tuning?: Partial<PacingTuning> }) {
  const { redis } = options;
  const tuning = { ...DEFAULT_PACING, ...options.tuning };
  const key = (channel: string, part: string) => `${options.prefix}:slack:channel:${channel}:${part}`;

  return {
    tuning,

    /**
     * Takes the lane's next slot if the channel is not held and the slot is at most `maxWaitMs`
     * away (default: the tuning's; 0: only a slot that is free now).
     */
    async claim(channel: string, lane: Lane, now: number, maxWaitMs = tuning.maxWaitMs): Promise<Claim> {
      const [taken, at, held] = (await claimScript(redis, [key(channel, `${lane}-slot`), key(channel, 'hold')], [String(now), String(tuning.spacingMs[lane]), String(maxWaitMs)])) as [number, string, number];
      return taken === 1 ? { ok: true, at: Number(at) } : { ok: false, notBefore: Number(at), held: held === 1 };
    },

    /** Nobody calls Slack for this channel before `until` (Slack's Retry-After). */
    async hold(channel: string, until: number, now: number): Promise<void> {
      await holdScript(redis, [key(channel, 'hold')], [String(Math.ceil(until)), String(now)]);
    },
  };
}

export type ChannelPacer = ReturnType<typeof createChannelPacer>;
