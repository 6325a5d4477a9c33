// One unreadable record does not end the reconciler's round: the rollouts after it still get
// their lost steps back on the queue, and the bad one is reported with its key.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createQueues, type Queues } from '../../jobs/queues.js';
import { reconcileOnce } from '../../jobs/reconciler.js';
import { createRolloutStore, type RolloutStore } from '../../jobs/store.js';
import type { StoredRecordError } from '../../jobs/stored-records.js';
import { created } from '../../rollout/machine.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';

const prefix = `test-${randomUUID().slice(0, 8)}`;
const first = testConfig().apps[0]!;
const second = { ...first, name: 'other-app' };
let redis: Redis;
let queueConnection: Redis;
let store: RolloutStore;
let queues: Queues;

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
  queueConnection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  store = createRolloutStore({ redis, prefix });
  queues = createQueues({ connection: queueConnection, prefix });
});

afterAll(async () => {
  await queues.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  queueConnection.disconnect();
});

it('skips a rollout whose stored record is bad, reports its key, and reschedules the others', async () => {
  const make = async (app: typeof first) => {
    const rollout = newRollout({ id: await store.nextId(app.name), app, version: 'v2', requester: 'U0DEV', nowMs: 1000 });
    expect(await store.create(rollout, created(rollout, 1000), [])).toEqual({ ok: true });
    return rollout;
  };
  // Whatever order Redis lists the active set in, the bad record used to end the round (it threw).
  const bad = [await make(first)];
  const good = await make(second);
  for (const rollout of bad) await redis.set(store.keys.pending(rollout.id), '{"not": "a list"');

  const reported: StoredRecordError[] = [];
  const touched = await reconcileOnce(store, queues, '1', (error) => reported.push(error));

  expect(touched).toBe(1);
  expect(reported.map((e) => e.key)).toEqual(bad.map((r) => store.keys.pending(r.id)));
  const job = await queues.steps.getJob(`${good.id}.0.start`);
  expect(job?.data).toEqual({ rolloutId: good.id, seq: 0, step: 'start' });
  // The bad record is left as it was, for a person to look at.
  expect(await redis.get(store.keys.pending(bad[0]!.id))).toBe('{"not": "a list"');
});
