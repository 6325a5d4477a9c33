// The notifier against the Slack emulator over real HTTP, with the real WebClient and real
// Redis: posts to one channel are spaced about a second apart while another channel's go at
// once, a burst of root updates becomes few chat.update calls with the final content, and a
// 429 delays the drain job (nothing sleeps in a worker, nothing is lost).
import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { slackLogger } from '../../bot/bolt-logger.js';
import { createNotifier } from '../../bot/notifier.js';
import { createNoticeClient } from '../../bot/pacing/notice-client.js';
import { createQueues, type Queues } from '../../jobs/queues.js';
import { createRolloutStore, type RolloutStore } from '../../jobs/store.js';
import type { Effect, Notice } from '../../rollout/events.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { createSlackEmulator, type SlackEmulator } from '../../local/slack/index.js';
import { testConfig } from '../fixtures/config.js';

const prefix = `test-${randomUUID().slice(0, 8)}`;
const app = testConfig().apps[0]!;
let redis: Redis;
let store: RolloutStore;
let queues: Queues;
let notifier: Worker;
let slack: SlackEmulator;
const connections: Redis[] = [];
const connect = () => {
  const connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  connections.push(connection);
  return connection;
};

beforeAll(async () => {
  slack = createSlackEmulator({ signingSecret: 'unused', channels: [{ id: 'C0ROLLOUTS', name: 'rollouts' }, { id: 'C0OTHER', name: 'other' }] });
  await slack.listen(0);
  redis = connect();
  store = createRolloutStore({ redis, prefix });
  queues = createQueues({ connection: connect(), prefix });
  const log = pino({ level: 'silent' });
  const client = createNoticeClient({ token: 'xoxb-local-rollgate', slackApiUrl: slack.apiUrl, logger: slackLogger(log) });
  notifier = createNotifier({ connection: connect(), redis, prefix, store, client, clock: Date.now, log, lockDurationMs: 2000 });
});

afterAll(async () => {
  await notifier?.close();
  await queues?.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  for (const connection of connections) connection.disconnect();
  await slack?.close();
});

async function waitFor<T>(what: string, probe: () => T | false | Promise<T | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const notify = (notice: Notice): Effect => ({ type: 'notify', notice });
const held = (reason: string): Notice => ({ kind: 'held', reason });

/** A rollout of its own app (one active rollout per app) in `channel`, with `notices` after its root message. */
async function rolloutWith(name: string, channel: string, notices: Notice[]): Promise<Rollout> {
  const id = `${name}-${randomUUID().slice(0, 6)}`;
  const rollout: Rollout = { ...newRollout({ id, app, version: 'v2', requester: 'U0DEV', nowMs: Date.now() }), app: id, channel };
  expect(await store.create(rollout, [notify({ kind: 'root' }), ...notices.map(notify)], [])).toEqual({ ok: true });
  await queues.drain(id, 0);
  return rollout;
}

const posted = (channel: string, id: string) =>
  slack.calls('chat.postMessage').filter((c) => c.status === 200 && c.args.channel === channel && String(c.args.text).includes(id));
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);
const drained = (id: string) => waitFor(`${id}'s outbox drained`, async () => (await store.outbox(id)).length === 0, 20_000);

describe('the paced notifier', () => {
  it('spaces posts to one channel about a second apart; another channel is not held up by that backlog', async () => {
    const a = await rolloutWith('busy', 'C0ROLLOUTS', [1, 2, 3, 4, 5].map((n) => held(`reason ${n}`)));
    await waitFor('the busy channel started', () => posted('C0ROLLOUTS', a.id).length > 0);
    const queuedAt = Date.now();
    const b = await rolloutWith('quiet', 'C0OTHER', [held('only one')]);
    await drained(b.id);
    await drained(a.id);

    const busy = posted('C0ROLLOUTS', a.id).map((c) => c.at);
    const quiet = posted('C0OTHER', b.id).map((c) => c.at);
    expect(busy).toHaveLength(6);
    expect(quiet).toHaveLength(2);
    console.log(`busy channel gaps (ms): ${gaps(busy).join(', ')}; quiet channel: first post ${quiet[0]! - queuedAt} ms after queueing, gap ${gaps(quiet).join(', ')} ms`);
    // About one a second (never a burst), and no slower than the pace needs.
    for (const gap of gaps(busy)) expect(gap).toBeGreaterThanOrEqual(950);
    for (const gap of gaps(busy)) expect(gap).toBeLessThan(3000); // spaced, not stalled (loose: a loaded CI machine is slow)
    // The other channel's root goes at once and its reply a second later, while the busy one still has ~4 s to go.
    expect(quiet[0]! - queuedAt).toBeLessThan(2500); // well before the busy channel's 5 s backlog clears
    expect(quiet[1]!).toBeLessThan(busy[5]! - 1500);
    // Each notice once, in order.
    expect(posted('C0ROLLOUTS', a.id).slice(1).map((c) => /reason (\d)/.exec(String(c.args.text))?.[1])).toEqual(['1', '2', '3', '4', '5']);
  });

  it('collapses a burst of root updates into few chat.update calls, the last one with the final state', async () => {
    const rollout = await rolloutWith('burst', 'C0ROLLOUTS', []);
    await drained(rollout.id);
    const rootTs = await store.messageTs(rollout.id, 'root');
    // Twenty state changes within about a second, each asking for the root to be updated.
    let current = (await store.get(rollout.id))!;
    for (let n = 1; n <= 20; n++) {
      const next: Rollout = { ...current, seq: current.seq + 1, held: { step: 'tick', reason: `change ${n}`, since: Date.now() } };
      expect(await store.commit(current, next, [notify({ kind: 'root-update' })], [])).toBe(true);
      await queues.drain(rollout.id, next.seq);
      current = next;
      await new Promise((r) => setTimeout(r, 50));
    }
    await drained(rollout.id);

    const updates = slack.calls('chat.update').filter((c) => c.args.ts === rootTs);
    console.log(`20 root updates became ${updates.length} chat.update calls, ${gaps(updates.map((u) => u.at)).join(', ')} ms apart`);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThanOrEqual(3);
    for (const gap of gaps(updates.map((u) => u.at))) expect(gap).toBeGreaterThanOrEqual(950);
    expect(JSON.stringify(updates.at(-1)!.args.blocks)).toContain('change 20');
    expect(JSON.stringify(slack.state().messages.find((m) => m.ts === rootTs)?.blocks)).toContain('change 20');
  });

  it('answers a 429 by delaying the drain job for Retry-After, then posts every notice exactly once', async () => {
    slack.setFaults({ rateLimit: { method: 'chat.postMessage', forMs: 1500, retryAfterSeconds: 1 } });
    const stormEnds = Date.now() + 1500;
    const rollout = await rolloutWith('storm', 'C0ROLLOUTS', [held('first'), held('second')]);
    const job = (await queues.notify.getJob(`${rollout.id}.drain.0`))!;
    // The job waits in Redis, not in a worker, and spends no attempt; the notices wait in the outbox.
    await waitFor('the drain job delayed', async () => (await job.getState()) === 'delayed', 5000);
    expect((await queues.notify.getJob(job.id!))?.attemptsMade).toBe(0);
    expect((await store.outbox(rollout.id)).map((i) => i.notice.kind)).toEqual(['root', 'held', 'held']);
    await drained(rollout.id);

    const calls = slack.calls('chat.postMessage').filter((c) => String(c.args.text).includes(rollout.id));
    const limited = calls.filter((c) => c.status === 429);
    const accepted = calls.filter((c) => c.status === 200);
    console.log(`429 storm of 1.5 s: ${limited.length} calls answered 429, first accepted post ${accepted[0]!.at - stormEnds} ms after the storm`);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited.length).toBeLessThanOrEqual(3); // about one try per Retry-After, not a hammering
    expect(gaps(limited.map((c) => c.at)).every((gap) => gap >= 950)).toBe(true);
    expect(accepted.map((c) => c.args.text)).toEqual([...new Set(accepted.map((c) => c.args.text))]);
    expect(accepted).toHaveLength(3);
    expect(accepted[0]!.at).toBeGreaterThanOrEqual(stormEnds);
  });
});

describe('a notice Slack refuses for good', () => {
  it('is skipped and logged, and the notices after it still go out', async () => {
    slack.setFaults({ error: { method: 'chat.postMessage', error: 'invalid_blocks', count: 1 } });
    // The root post is the one refused: the thread replies after it cannot go anywhere and are skipped too.
    const lost = await rolloutWith('refused', 'C0ROLLOUTS', [held('first'), held('second')]);
    await drained(lost.id);
    expect(posted('C0ROLLOUTS', lost.id).filter((c) => (c.response as { ok?: boolean }).ok)).toEqual([]);
    slack.clearFaults();
    const rollout = await rolloutWith('partly', 'C0OTHER', [held('will be refused'), held('goes out')]);
    // Posts to one channel are a second apart: refuse the next one once the root is in.
    await waitFor('the root posted', () => posted('C0OTHER', rollout.id).length === 1);
    slack.setFaults({ error: { method: 'chat.postMessage', error: 'invalid_blocks', count: 1 } });
    await drained(rollout.id);
    const accepted = posted('C0OTHER', rollout.id).filter((c) => (c.response as { ok?: boolean }).ok).map((c) => String(c.args.text));
    expect(accepted.some((t) => t.includes('goes out'))).toBe(true);
    expect(accepted.some((t) => t.includes('will be refused'))).toBe(false);
    slack.clearFaults();
  });
});
