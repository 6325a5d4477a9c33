// A click never waits behind a backlog of analysis ticks: ticks are not in the steps queue at
// all (they live in the tick set, jobs/tick-set.ts), so with 30 ticks already due, a click
// (input job) and a rollout's next step are all a steps worker has to take. Real Redis, the
// real queues, a plain BullMQ worker taking one job at a time and noting the order.
import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import { createQueues, STEPS_QUEUE } from '../../jobs/queues.js';

const prefix = `test-${randomUUID().slice(0, 8)}`;
const connections: Redis[] = [];
const connect = () => {
  const connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  connections.push(connection);
  return connection;
};
const queues = createQueues({ connection: connect(), prefix });
let worker: Worker | undefined;

afterAll(async () => {
  await worker?.close();
  await queues.close();
  const redis = connect();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  for (const connection of connections) connection.disconnect();
});

it('takes a click and a rollout step at once, whatever ticks are due', async () => {
  const ticks = Array.from({ length: 30 }, (_, n) => ({ rolloutId: `app-${n}`, seq: 3, step: 'tick' as const, jobId: `app-${n}.3.tick`, at: 0 }));
  await queues.schedule(ticks);
  await queues.input({ rolloutId: 'app-7', inputId: 'click-1', kind: 'approve', stage: 1, user: 'U0LEAD' });
  await queues.schedule([{ rolloutId: 'app-9', seq: 5, step: 'promote', jobId: 'app-9.5.promote', at: 0 }]);

  const order: string[] = [];
  const all = new Promise<void>((resolve) => {
    worker = new Worker(
      STEPS_QUEUE,
      async (job) => {
        order.push(job.name === 'input' ? 'click' : (job.data as { step: string }).step);
        if (order.length === 2) resolve();
      },
      { connection: connect(), prefix, concurrency: 1 },
    );
  });
  await all;
  expect(order.sort()).toEqual(['click', 'promote']);
  expect(await queues.steps.getJobCountByTypes('waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed')).toBe(2);
});
