// The notifier's per-channel pacing state in real Redis, at given times: slots a second
// apart per lane, lanes and channels independent, a 429 hold that stops every lane of its
// channel, and "come back later" instead of a long wait.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createChannelPacer, type ChannelPacer } from '../../bot/pacing/channel-pacer.js';
import { rootDueAt } from '../../bot/pacing/root-coalescing.js';

const prefix = `test-${randomUUID().slice(0, 8)}`;
let redis: Redis;
let pacer: ChannelPacer;
const T = 1_700_000_000_000;

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
  pacer = createChannelPacer({ redis, prefix });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('channel pacing', () => {
  it('hands out post slots a second apart, and sends a caller away when the next is more than a second off', async () => {
    expect(await pacer.claim('C1', 'post', T)).toEqual({ ok: true, at: T });
    expect(await pacer.claim('C1', 'post', T + 10)).toEqual({ ok: true, at: T + 1000 });
    expect(await pacer.claim('C1', 'post', T + 20)).toEqual({ ok: false, notBefore: T + 2000, held: false });
    // Not taken by the refusal: the next caller at that time gets it.
    expect(await pacer.claim('C1', 'post', T + 1500)).toEqual({ ok: true, at: T + 2000 });
    // Idle for a while: the next post goes at once.
    expect(await pacer.claim('C1', 'post', T + 10_000)).toEqual({ ok: true, at: T + 10_000 });
  });

  it('keeps lanes and channels apart: updates do not wait behind posts, another channel not behind this one', async () => {
    await pacer.claim('C2', 'post', T);
    await pacer.claim('C2', 'post', T);
    expect(await pacer.claim('C2', 'update', T)).toEqual({ ok: true, at: T });
    expect(await pacer.claim('C3', 'post', T)).toEqual({ ok: true, at: T });
  });

  it('holds every lane of a channel until Retry-After has passed; a hold only ever moves later', async () => {
    await pacer.hold('C4', T + 3000, T);
    await pacer.hold('C4', T + 1000, T); // an older, shorter answer does not shorten it
    expect(await pacer.claim('C4', 'post', T + 2900)).toEqual({ ok: false, notBefore: T + 3000, held: true });
    expect(await pacer.claim('C4', 'update', T + 100)).toEqual({ ok: false, notBefore: T + 3000, held: true });
    expect(await pacer.claim('C4', 'post', T + 3000)).toEqual({ ok: true, at: T + 3000 });
    expect(await pacer.claim('C5', 'post', T + 100)).toEqual({ ok: true, at: T + 100 });
  });
});

describe('root coalescing', () => {
  it('lets the root be written again one window after its last write', () => {
    expect(rootDueAt(undefined, 1000)).toBe(0);
    expect(rootDueAt(String(T), 1000)).toBe(T + 1000);
    expect(rootDueAt('not a time', 1000)).toBe(0);
  });
});
