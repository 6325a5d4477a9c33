// A step that finds its rollout's lease held by the step that just scheduled it waits for it
// to be let go instead of answering busy (issue 13: start -> canary). Real Redis; the test
// decides when the holder lets go, through the injected sleep.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { withLease } from '../../jobs/lease.js';
import { createRolloutStore, type RolloutStore } from '../../jobs/store.js';

const prefix = `test-${randomUUID().slice(0, 8)}`;
let redis: Redis;
let store: RolloutStore;

beforeAll(() => {
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  store = createRolloutStore({ redis, prefix });
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** Holds the lease until the returned release() is called. */
async function holder(key: string): Promise<() => void> {
  let letGo: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (letGo = resolve));
  let acquired: () => void = () => undefined;
  const isHeld = new Promise<void>((resolve) => (acquired = resolve));
  void withLease(store, key, 30_000, async () => {
    acquired();
    await held;
  });
  await isHeld;
  return letGo;
}

it('runs once the holder lets go within the wait, asking again in between', async () => {
  const key = `${prefix}:exec:a`;
  const letGo = await holder(key);
  let asks = 0;
  const sleep = async () => {
    if (++asks === 3) {
      letGo();
      // The holder's release is a Redis call of its own: until it lands, the lease is still held.
      while (await redis.exists(key)) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const result = await withLease(store, key, 30_000, async () => 'ran', { waitMs: 100, sleep });
  expect(result).toEqual({ busy: false, value: 'ran' });
  expect(asks).toBe(3);
});

it('answers busy after the wait when the holder keeps it, and at once without a wait', async () => {
  const key = `${prefix}:exec:b`;
  const letGo = await holder(key);
  let asks = 0;
  const sleep = async () => void asks++;
  expect(await withLease(store, key, 30_000, async () => 'ran', { waitMs: 100, sleep })).toEqual({ busy: true });
  expect(asks).toBe(20);
  asks = 0;
  expect(await withLease(store, key, 30_000, async () => 'ran', { sleep })).toEqual({ busy: true });
  expect(asks).toBe(0);
  letGo();
});
