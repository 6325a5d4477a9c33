// A rollout store on real Redis under a key prefix of its own; close() removes the prefix's keys
// and disconnects. Tests that read or write raw keys (records as an older rollgate left them)
// use its `redis`.
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { createRolloutStore, type RolloutStore, type RolloutStoreOptions } from '../../jobs/store.js';

export interface TestStore {
  prefix: string;
  redis: Redis;
  store: RolloutStore;
  close(): Promise<void>;
}

export function createTestStore(redisUrl: string, options: Omit<RolloutStoreOptions, 'redis' | 'prefix'> = {}, redisOptions: RedisOptions = {}): TestStore {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(redisUrl, redisOptions);
  const store = createRolloutStore({ ...options, redis, prefix });
  return {
    prefix,
    redis,
    store,
    async close() {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
