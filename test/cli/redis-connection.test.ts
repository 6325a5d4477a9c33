// How REDIS_URL and the Sentinel variables become ioredis options, and what a bad value says.
import { expect, it } from 'vitest';
import { readEnv } from '../../cli/env.js';
import { sentinelOptions } from '../../cli/redis-connection.js';

const env = (extra: Record<string, string>) => readEnv({ REDIS_URL: 'redis://:pw@ignored:6379/2', ...extra }, { slack: false, receiver: false });

it('reads the sentinels, the name and their password; REDIS_URL keeps password, db and TLS', () => {
  const read = env({ REDIS_SENTINELS: 'sentinel-0:26379,10.0.0.7:26380', REDIS_SENTINEL_NAME: 'rollgate', REDIS_SENTINEL_PASSWORD: 's3cret' });
  if (!read.ok) throw new Error(read.problems.join('\n'));
  expect(sentinelOptions(read.env)).toEqual({ sentinels: [{ host: 'sentinel-0', port: 26379 }, { host: '10.0.0.7', port: 26380 }], name: 'rollgate', sentinelPassword: 's3cret' });
  expect(sentinelOptions({ ...read.env, REDIS_URL: 'rediss://:pw@x:6380' })).toMatchObject({ enableTLSForSentinelMode: true });
  const plain = env({});
  expect(plain.ok && sentinelOptions(plain.env)).toBeUndefined();
  const defaultName = env({ REDIS_SENTINELS: 's:26379' });
  expect(defaultName.ok && sentinelOptions(defaultName.env)?.name).toBe('mymaster');
});

it('refuses a malformed sentinel list with one line saying how to write it, without echoing secrets', () => {
  const read = env({ REDIS_SENTINELS: 'sentinel-0', REDIS_SENTINEL_PASSWORD: 's3cret' });
  expect(read.ok).toBe(false);
  const problems = read.ok ? [] : read.problems;
  expect(problems).toEqual(['REDIS_SENTINELS: must be host:port of each sentinel, comma-separated, e.g. sentinel-0:26379,sentinel-1:26379']);
  expect(problems.join('')).not.toContain('s3cret');
});
