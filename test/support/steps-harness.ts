// What the steps worker's tests share: real Redis under a key prefix of their own, the store
// and queues on it, and steps workers with quiet default ports (every user an approver, replies
// dropped, a silent log) that each test overrides. close() stops every worker it started (and
// whatever else was handed to track), then the queues, then removes the prefix's keys.
import { pino } from 'pino';
import { createQueues } from '../../jobs/queues.js';
import { createRolloutStore } from '../../jobs/store.js';
import { createStepWorker, type StepWorker, type StepWorkerOptions } from '../../jobs/worker.js';
import { testConfig } from '../fixtures/config.js';
import { redisPrefix } from './redis-prefix.js';

type OwnPorts = Pick<StepWorkerOptions, 'fleet' | 'metrics'> & Partial<Omit<StepWorkerOptions, 'connection' | 'prefix' | 'store' | 'queues'>>;

export function createStepsHarness(redisUrl: string, clock: () => number) {
  const redisKeys = redisPrefix(redisUrl);
  const { prefix, connect } = redisKeys;
  const redis = connect();
  const store = createRolloutStore({ redis, prefix });
  const queues = createQueues({ connection: connect(), prefix, clock });
  const started: { close(): Promise<unknown> }[] = [];
  return {
    prefix,
    connect,
    redis,
    store,
    queues,
    startWorker(ports: OwnPorts): StepWorker {
      const worker = createStepWorker({
        config: testConfig(),
        approvers: { isApprover: async () => true },
        replies: { reply: async () => undefined },
        clock,
        log: pino({ level: 'silent' }),
        lockDurationMs: 2000,
        ...ports,
        connection: connect(),
        prefix,
        store,
        queues,
      });
      started.push(worker);
      return worker;
    },
    /** Closed with the workers, before the queues (a notifier, say). */
    track<T extends { close(): Promise<unknown> }>(closeable: T): T {
      started.push(closeable);
      return closeable;
    },
    async close() {
      for (const closeable of started) await closeable.close();
      await queues.close();
      await redisKeys.close();
    },
  };
}
