// One Redis connection as the environment describes it: REDIS_URL alone (redis:// or TLS
// rediss://), or the primary that Redis Sentinel names. With REDIS_SENTINELS, ioredis asks
// the sentinels for the primary of REDIS_SENTINEL_NAME and asks again after a failover;
// REDIS_URL then gives only the primary's credentials, database and TLS (its host is not used).
import { Redis, type RedisOptions } from 'ioredis';
import type { Env } from './env.js';

type RedisEnv = Pick<Env, 'REDIS_URL' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME' | 'REDIS_SENTINEL_PASSWORD'>;

export function sentinelOptions(env: RedisEnv): Pick<RedisOptions, 'sentinels' | 'name' | 'sentinelPassword' | 'enableTLSForSentinelMode'> | undefined {
  if (!env.REDIS_SENTINELS) return undefined;
  const sentinels = env.REDIS_SENTINELS.split(',').map((entry) => {
    const at = entry.lastIndexOf(':');
    return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
  });
  return {
    sentinels,
    name: env.REDIS_SENTINEL_NAME ?? 'mymaster',
    ...(env.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: env.REDIS_SENTINEL_PASSWORD } : {}),
    // rediss:// with sentinels: TLS to the primary and replicas too, not only to the sentinels.
    ...(env.REDIS_URL.startsWith('rediss://') ? { enableTLSForSentinelMode: true } : {}),
  };
}

/** `options` as ioredis takes them (BullMQ needs maxRetriesPerRequest: null). */
export function connectRedis(env: RedisEnv, options: RedisOptions = {}): Redis {
  return new Redis(env.REDIS_URL, { ...options, ...sentinelOptions(env) });
}
