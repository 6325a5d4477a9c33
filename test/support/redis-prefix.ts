// Connections to the test Redis under a key prefix of their own (BullMQ workers and queues want
// their own connection each, with maxRetriesPerRequest null); close() deletes the prefix's keys
// and disconnects every connection it handed out.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export interface RedisPrefix {
  prefix: string;
  connect(): Redis;
  close(): Promise<void>;
}

export function redisPrefix(redisUrl: string): RedisPrefix {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const connections: Redis[] = [];
  return {
    prefix,
    connect() {
      const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
      connections.push(connection);
      return connection;
    },
    async close() {
      const redis = connections[0] ?? new Redis(redisUrl);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      if (!connections.includes(redis)) redis.disconnect();
      for (const connection of connections) connection.disconnect();
    },
  };
}
