// A finished rollout whose last drain job failed still gets its closing notices: the
// reconciler drains every rollout with notices left, not only the active ones. Real Redis,
// the real notifier and WebClient against the Slack emulator over HTTP.
import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { slackLogger } from '../../bot/bolt-logger.js';
import { createNotifier } from '../../bot/notifier.js';
import { createNoticeClient } from '../../bot/pacing/notice-client.js';
import { createQueues, type Queues } from '../../jobs/queues.js';
import { reconcileOnce } from '../../jobs/reconciler.js';
import { createRolloutStore, type RolloutStore } from '../../jobs/store.js';
import { createSlackEmulator, type SlackEmulator } from '@rollgate/slack-emulator';
import { created, transition } from '../../rollout/machine.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';

const prefix = `test-${randomUUID().slice(0, 8)}`;
const app = testConfig().apps[0]!;
const connections: Redis[] = [];
const connect = () => {
  const connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  connections.push(connection);
  return connection;
};
let redis: Redis;
let store: RolloutStore;
let queues: Queues;
let slack: SlackEmulator;
let notifier: Worker | undefined;

beforeAll(async () => {
  slack = createSlackEmulator({ signingSecret: 'unused' });
  await slack.listen(0);
  redis = connect();
  store = createRolloutStore({ redis, prefix });
  queues = createQueues({ connection: connect(), prefix });
});

afterAll(async () => {
  await notifier?.close();
  await queues.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  for (const connection of connections) connection.disconnect();
  await slack.close();
});

it('posts the closing notice of a finished rollout whose drain failed', async () => {
  const rollout = newRollout({ id: await store.nextId(app.name), app, version: 'v2', requester: 'U0DEV', nowMs: 1000 });
  expect(await store.create(rollout, created(rollout, 1000), [])).toEqual({ ok: true });
  const failed = transition(rollout, { type: 'StepFailed', step: 'start', problem: { said: 'refused', message: 'the base does not exist' } }, 2000);
  if (!failed.ok) throw new Error('refused');
  expect(await store.commit(rollout, failed.rollout, failed.effects, [])).toBe(true);
  // The rollout has ended (no longer active) and its drain job never ran to the end: its
  // root message and its "failed" notice are still in the outbox.
  expect(await store.activeIds()).not.toContain(rollout.id);
  expect((await store.outbox(rollout.id)).map((i) => i.notice.kind)).toEqual(['root', 'root-update', 'failed']);

  const log = pino({ level: 'silent' });
  const client = createNoticeClient({ token: 'xoxb-local-rollgate', slackApiUrl: slack.apiUrl, logger: slackLogger(log) });
  notifier = createNotifier({ connection: connect(), redis, prefix, store, client, clock: Date.now, log, lockDurationMs: 2000 });
  await reconcileOnce(store, queues, 'round-1');

  const deadline = Date.now() + 30_000;
  while ((await store.outbox(rollout.id)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const texts = slack.calls('chat.postMessage').map((c) => String(c.args.text));
  expect(texts.filter((t) => t.includes(`Rollout ${rollout.id}`))).toHaveLength(1);
  expect(texts.some((t) => t.includes('the base does not exist'))).toBe(true);
  expect(await store.outbox(rollout.id)).toEqual([]);
});
