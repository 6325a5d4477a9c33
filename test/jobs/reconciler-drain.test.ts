// A finished rollout whose last drain job failed still gets its closing notices: the
// reconciler drains every rollout with notices left, not only the active ones. Real Redis,
// the real notifier and WebClient against the Slack emulator over HTTP.
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { reconcileOnce } from '../../jobs/reconciler.js';
import { createSlackEmulator, type SlackEmulator } from '@rollgate/slack-emulator';
import { created, transition } from '../../rollout/machine.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { createNotifierHarness } from '../support/notifier-harness.js';

const harness = createNotifierHarness(inject('redisUrl'));
const { store, queues } = harness;
const app = testConfig().apps[0]!;
let slack: SlackEmulator;

beforeAll(async () => {
  slack = createSlackEmulator({ signingSecret: 'unused' });
  await slack.listen(0);
});

afterAll(async () => {
  await harness.close();
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

  harness.startNotifier({ slackApiUrl: slack.apiUrl, clock: Date.now, lockDurationMs: 2000 });
  await reconcileOnce(store, queues, 'round-1');

  const deadline = Date.now() + 30_000;
  while ((await store.outbox(rollout.id)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const texts = slack.calls('chat.postMessage').map((c) => String(c.args.text));
  expect(texts.filter((t) => t.includes(`Rollout ${rollout.id}`))).toHaveLength(1);
  expect(texts.some((t) => t.includes('the base does not exist'))).toBe(true);
  expect(await store.outbox(rollout.id)).toEqual([]);
});
