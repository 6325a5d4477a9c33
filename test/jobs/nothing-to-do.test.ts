// A start of the version that already runs, caught by the start step (the receiver's quick read
// was too slow or failed): what the channel and the requester see. Real Redis, the real
// notifier and replies, the Slack emulator over HTTP; the start command's response_url is a
// real one the emulator issued, answered "queued" first as the receiver does. Each case is
// ordered by waiting for its consequences (a posted root, a drained outbox), never by time.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createReplies } from '../../bot/replies.js';
import { createRolloutRunner } from '../../jobs/rollout-runner.js';
import { cooldownLeft } from '../../jobs/start-rollout.js';
import type { SlackEmulator } from '@rollgate/slack-emulator';
import { created } from '../../rollout/machine.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { createNotifierHarness } from '../support/notifier-harness.js';
import { waitFor } from '../e2e/stack.js';
import { startEmulator, startTinyBot } from '../../local/slack-emulator/test/helpers.js';

const harness = createNotifierHarness(inject('redisUrl'));
const { store, queues, log } = harness;
const app = testConfig().apps[0]!;
let slack: SlackEmulator;
let bot: Awaited<ReturnType<typeof startTinyBot>>;
let runner: ReturnType<typeof createRolloutRunner>;

beforeAll(async () => {
  // The receiver's part: answer the command, then say "queued" through its response_url.
  bot = await startTinyBot(async (req, res) => {
    res.writeHead(200).end();
    const url = req.form.get('response_url')!;
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response_type: 'ephemeral', text: `:rocket: Rollout of ${req.form.get('text')} is queued` }) });
  });
  slack = await startEmulator({ botUrl: bot.url });
  runner = createRolloutRunner({ store, queues, clock: Date.now });
  // A root waits up to a minute for its start step's answer: only a rollout created longer ago posts it at once.
  harness.startNotifier({ slackApiUrl: slack.apiUrl, clock: Date.now, lockDurationMs: 5000, replies: createReplies({ log }), rootWaitMs: ROOT_WAIT_MS });
});

afterAll(async () => {
  await harness.close();
  await slack?.close();
  await bot?.close();
});

const ROOT_WAIT_MS = 60_000;
const privateTo = (user: string) => slack.state().ephemerals.filter((e) => e.user === user).map((e) => e.text);

/**
 * `/rollout start` of the running version as the receiver records it when its read is late:
 * queued, with the command's response_url; `ageMs` ago (past the root's wait: its root posts at once).
 */
async function queuedByCommand(ageMs = 0): Promise<Rollout> {
  const before = bot.received.length;
  await slack.command({ user: 'U0DEV', text: `start ${app.name} v1` });
  await waitFor('the "queued" answer', () => privateTo('U0DEV').some((t) => t.includes('is queued')));
  const notifyUrl = bot.received[before]!.form.get('response_url')!;
  const rollout = newRollout({ id: await store.nextId(app.name), app, version: 'v1', requester: 'U0DEV', nowMs: Date.now() - ageMs, notifyUrl });
  expect(await store.create(rollout, created(rollout, Date.now()), [])).toEqual({ ok: true });
  return rollout;
}

const drained = (id: string) => waitFor(`the outbox of ${id} drained`, async () => (await store.outbox(id)).length === 0 && (await store.get(id))?.phase === 'failed');
const rootsOf = (id: string) => slack.calls('chat.postMessage').filter((c) => !c.args.thread_ts && String(c.args.text).includes(id));

describe('the start step finds the version already running', () => {
  it('before the root was posted: nothing ever reaches the channel, and "queued" becomes the one private answer', async () => {
    slack.reset();
    const rollout = await queuedByCommand();
    // The start step answers before any drain ran (the notifier is slower than the read here).
    await runner.apply(rollout.id, async () => ({ event: { type: 'AlreadyRunning' } }));
    await drained(rollout.id);
    expect(slack.calls('chat.postMessage')).toEqual([]);
    expect(slack.calls('chat.delete')).toEqual([]);
    expect(slack.state().messages).toEqual([]);
    expect(privateTo('U0DEV')).toEqual([':information_source: http-probe-app already runs v1: there is nothing to roll out. Nothing was started.']);
    expect((await store.get(rollout.id))?.outcome).toMatchObject({ kind: 'failed', nothingToDo: { root: 'withdrawn' } });
  });

  it('drained while the start step runs: the root waits for its answer, then is never posted', async () => {
    slack.reset();
    const rollout = await queuedByCommand();
    await queues.drain(rollout.id, 0);
    await waitFor('the drain put off', async () => (await queues.notify.getJobState(`${rollout.id}.drain.0`)) === 'delayed');
    expect(slack.calls('chat.postMessage')).toEqual([]);
    await runner.apply(rollout.id, async () => ({ event: { type: 'AlreadyRunning' } }));
    await drained(rollout.id);
    expect(slack.calls('chat.postMessage')).toEqual([]);
    expect(slack.state().messages).toEqual([]);
    expect(privateTo('U0DEV')).toEqual([':information_source: http-probe-app already runs v1: there is nothing to roll out. Nothing was started.']);
  });

  it('a start step slower than the wait of the root: the root posted meanwhile is deleted (no tombstone: nothing was in its thread)', async () => {
    slack.reset();
    const rollout = await queuedByCommand(ROOT_WAIT_MS + 1000);
    await queues.drain(rollout.id, 0);
    const root = await waitFor('the root posted', () => store.messageTs(rollout.id, 'root'));
    expect(rootsOf(rollout.id)).toHaveLength(1);
    await runner.apply(rollout.id, async () => ({ event: { type: 'AlreadyRunning' } }));
    await drained(rollout.id);
    expect(slack.calls('chat.delete').map((c) => c.args.ts)).toEqual([root]);
    expect(slack.state().messages).toEqual([]); // what the channel shows: nothing at all
    expect(privateTo('U0DEV')).toEqual([':information_source: http-probe-app already runs v1: there is nothing to roll out. Nothing was started.']);
    expect(slack.calls('chat.postMessage').filter((c) => c.args.thread_ts)).toEqual([]);
  });

  it('after a held start put a notice in the thread: the root stays and says nothing was rolled out; no failure broadcast', async () => {
    slack.reset();
    const rollout = await queuedByCommand();
    // A held start posts its root (the hold needs a thread) without waiting.
    await runner.apply(rollout.id, async () => ({ event: { type: 'StepHeld', step: 'start', problem: { said: 'unreachable', cluster: 'karmada', message: 'connect ECONNREFUSED' } } }));
    await waitFor('the held notice', () => slack.state().messages.find((m) => m.text.includes('is *held*')));
    await runner.apply(rollout.id, async () => ({ event: { type: 'AlreadyRunning' } }));
    await drained(rollout.id);
    expect(slack.calls('chat.delete')).toEqual([]);
    const root = slack.state().messages.find((m) => m.text.includes(`Rollout ${rollout.id}`));
    await waitFor('the root updated', () => slack.state().messages.find((m) => m.ts === root?.ts && JSON.stringify(m.blocks).includes('Nothing to roll out: http-probe-app already runs v1')));
    const everything = JSON.stringify(slack.state().messages);
    expect(everything).not.toContain(':x:');
    expect(everything).not.toContain('Failed');
    expect(slack.state().messages.find((m) => m.ts === root?.ts)?.replies.map((r) => r.text)).toEqual([expect.stringContaining('is *held*')]);
    expect(privateTo('U0DEV')).toEqual([':information_source: http-probe-app already runs v1: there is nothing to roll out. Nothing was started.']);
  });
});

describe('the cooldown', () => {
  it('is not started by a start that found nothing to do, nor hidden by one', async () => {
    const cooled = { ...app, name: `cooled-${randomUUID().slice(0, 6)}`, cooldown: 600_000 };
    const T = Date.UTC(2026, 10, 21, 12);
    const record = async (phase: Rollout['phase'], outcome: Rollout['outcome']) => {
      const rollout = { ...newRollout({ id: await store.nextId(cooled.name), app: cooled, version: 'v2', requester: 'U0DEV', nowMs: T }), phase, outcome };
      expect(await store.create(rollout, [], [])).toEqual({ ok: true });
    };
    await record('succeeded', { kind: 'succeeded', at: T });
    expect(await cooldownLeft(store, cooled, T + 60_000)).toBe(540_000);
    await record('failed', { kind: 'failed', at: T + 120_000, reason: `${cooled.name} already runs v2`, nothingToDo: { root: 'withdrawn' } });
    // Still counted from the real rollout, not restarted by the no-op.
    expect(await cooldownLeft(store, cooled, T + 180_000)).toBe(420_000);
    await record('failed', { kind: 'failed', at: T + 200_000, reason: 'no such Deployment' });
    expect(await cooldownLeft(store, cooled, T + 300_000)).toBe(500_000);
  });
});
