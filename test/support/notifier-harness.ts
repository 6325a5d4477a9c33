// What the notifier's tests share: real Redis under a key prefix of their own, the rollout store
// and queues on it, and real notifiers posting through the notice client (the WebClient
// rollgate posts with) to a Slack stand-in's URL. close() stops every notifier it started, then
// removes the prefix's keys and every connection it opened; the Slack stand-in is the test's own.
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { slackLogger } from '../../bot/bolt-logger.js';
import { createNotifier, type NotifierOptions } from '../../bot/notifier.js';
import { createNoticeClient } from '../../bot/pacing/notice-client.js';
import { createQueues, type Queues } from '../../jobs/queues.js';
import type { RolloutStore } from '../../jobs/store.js';
import { createTestStore } from './test-store.js';

export type HarnessNotifierOptions = Omit<NotifierOptions, 'connection' | 'redis' | 'prefix' | 'store' | 'client' | 'log'> & {
  /** Where the notice client posts: the emulator's apiUrl, or a proxy in front of it. */
  slackApiUrl: string;
  /** The notice client's timeout for one call (its own default when absent). */
  clientTimeoutMs?: number;
};

export interface NotifierHarness {
  prefix: string;
  /** The store's connection, for reading and writing keys directly. */
  redis: Redis;
  store: RolloutStore;
  queues: Queues;
  /** Silent; for what else a test builds (the replies port). */
  log: Logger;
  /** A real notifier on a connection of its own, stopped by close(). */
  startNotifier(options: HarnessNotifierOptions): Worker;
  close(): Promise<void>;
}

export function createNotifierHarness(redisUrl: string): NotifierHarness {
  const log = pino({ level: 'silent' });
  const { prefix, redis, store, close: closeStore } = createTestStore(redisUrl, {}, { maxRetriesPerRequest: null });
  const connections: Redis[] = [];
  const connect = () => {
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    connections.push(connection);
    return connection;
  };
  const notifiers: Worker[] = [];
  const queues = createQueues({ connection: connect(), prefix });

  return {
    prefix,
    redis,
    store,
    queues,
    log,
    startNotifier({ slackApiUrl, clientTimeoutMs, ...options }) {
      const timeout = clientTimeoutMs !== undefined ? { timeoutMs: clientTimeoutMs } : {};
      const client = createNoticeClient({ token: 'xoxb-local-rollgate', slackApiUrl, logger: slackLogger(log), ...timeout });
      const notifier = createNotifier({ connection: connect(), redis, prefix, store, client, log, ...options });
      notifiers.push(notifier);
      return notifier;
    },
    async close() {
      for (const notifier of notifiers) await notifier.close();
      await queues.close();
      await closeStore();
      for (const connection of connections) connection.disconnect();
    },
  };
}
