// The notifier against the Slack emulator over real HTTP, with the real WebClient and real
// Redis, on a fake clock that only the test moves (the emulator records calls on the same
// clock): posts to one channel go one per second of that clock while another channel's go at
// once, a burst of root updates becomes few chat.update calls with the final content, and a
// 429 delays the drain job (nothing sleeps in a worker, nothing is lost). Nothing here depends
// on how fast the machine is: the test waits for each consequence, then moves the clock.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Effect, Notice } from '../../rollout/events.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { createSlackEmulator, type SlackEmulator } from '@rollgate/slack-emulator';
import { testConfig } from '../fixtures/config.js';
import { createFakeClock } from '../support/fake-clock.js';
import { createNotifierHarness } from '../support/notifier-harness.js';

const harness = createNotifierHarness(inject('redisUrl'));
const { store, queues } = harness;
const app = testConfig().apps[0]!;
const T = Date.UTC(2026, 10, 21, 12, 0, 0);
const clock = createFakeClock(T);
let slack: SlackEmulator;

beforeAll(async () => {
  slack = createSlackEmulator({ now: clock.now, signingSecret: 'unused', channels: [{ id: 'C0ROLLOUTS', name: 'rollouts' }, { id: 'C0OTHER', name: 'other' }] });
  await slack.listen(0);
  harness.startNotifier({ slackApiUrl: slack.apiUrl, clock: clock.now, sleep: clock.sleep, lockDurationMs: 2000 });
});

afterAll(async () => {
  await harness.close();
  await slack?.close();
});

/** Waits (in real time) for a consequence; the deadline only stops a hung test, it measures nothing. */
async function waitFor<T>(what: string, probe: () => T | false | Promise<T | false>, timeoutMs = 50_000): Promise<T> {
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
  const rollout: Rollout = { ...newRollout({ id, app, version: 'v2', requester: 'U0DEV', nowMs: clock.now() }), app: id, channel };
  expect(await store.create(rollout, [notify({ kind: 'root' }), ...notices.map(notify)], [])).toEqual({ ok: true });
  await queues.drain(id, 0);
  return rollout;
}

const posted = (channel: string, id: string) =>
  slack.calls('chat.postMessage').filter((c) => c.status === 200 && c.args.channel === channel && String(c.args.text).includes(id));
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);
const drained = (id: string) => waitFor(`${id}'s outbox drained`, async () => (await store.outbox(id)).length === 0);

/**
 * Lets one rollout's drain run to the end: whenever its drainer sleeps (waiting for a slot or
 * the coalescing window), moves the clock to its wake-up time. With one drainer, the clock never
 * moves while a call is on its way, so the emulator records each call at the time it was due.
 */
async function driveUntilDrained(id: string): Promise<void> {
  await waitFor(`${id}'s outbox drained`, async () => {
    if ((await store.outbox(id)).length === 0) return true;
    if (clock.sleeping() > 0) clock.advanceToNextWake();
    return false;
  });
}

describe('the paced notifier', () => {
  it('spaces posts to one channel a second apart; another channel is not held up by that backlog', async () => {
    const start = clock.now();
    const a = await rolloutWith('busy', 'C0ROLLOUTS', [1, 2, 3, 4, 5].map((n) => held(`reason ${n}`)));
    // The root goes at once; the first reply waits for the channel's next slot, a second later.
    await waitFor('the busy root posted and its drainer waiting', () => posted('C0ROLLOUTS', a.id).length === 1 && clock.sleeping() === 1);
    const b = await rolloutWith('quiet', 'C0OTHER', [held('only one')]);
    // Same instant, other channel: its root goes without waiting for the busy channel's backlog.
    await waitFor('the quiet root posted and its reply waiting', () => posted('C0OTHER', b.id).length === 1 && clock.sleeping() === 2);
    expect(posted('C0ROLLOUTS', a.id)).toHaveLength(1);

    // Each second of the clock lets exactly one more busy post out (and the quiet reply with the first).
    for (let n = 1; n <= 5; n++) {
      clock.advance(1000);
      await waitFor(`busy post ${n + 1}`, () => posted('C0ROLLOUTS', a.id).length === n + 1 && (n === 5 || clock.sleeping() === 1));
      expect(posted('C0ROLLOUTS', a.id), `after ${n} s`).toHaveLength(n + 1);
    }
    await drained(a.id);
    await drained(b.id);

    const at = (channel: string, id: string) => posted(channel, id).map((c) => c.at - start);
    expect(at('C0ROLLOUTS', a.id)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(at('C0OTHER', b.id)).toEqual([0, 1000]);
    // Each notice once, in order.
    expect(posted('C0ROLLOUTS', a.id).slice(1).map((c) => /reason (\d)/.exec(String(c.args.text))?.[1])).toEqual(['1', '2', '3', '4', '5']);
  });

  it('collapses a burst of root updates into few chat.update calls, the last one with the final state', async () => {
    const rollout = await rolloutWith('burst', 'C0ROLLOUTS', []);
    await driveUntilDrained(rollout.id);
    const rootTs = await store.messageTs(rollout.id, 'root');
    // Twenty state changes in a burst, each asking for the root to be updated.
    let current = (await store.get(rollout.id))!;
    for (let n = 1; n <= 20; n++) {
      const next: Rollout = { ...current, seq: current.seq + 1, held: { step: 'tick', reason: `change ${n}`, since: clock.now() } };
      expect(await store.commit(current, next, [notify({ kind: 'root-update' })], [])).toBe(true);
      await queues.drain(rollout.id, next.seq);
      current = next;
    }
    await driveUntilDrained(rollout.id);

    const updates = slack.calls('chat.update').filter((c) => c.args.ts === rootTs);
    console.log(`20 root updates became ${updates.length} chat.update calls, ${gaps(updates.map((u) => u.at)).join(', ')} ms apart (fake clock)`);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThanOrEqual(3);
    for (const gap of gaps(updates.map((u) => u.at))) expect(gap).toBeGreaterThanOrEqual(1000);
    expect(JSON.stringify(updates.at(-1)!.args.blocks)).toContain('change 20');
    expect(JSON.stringify(slack.state().messages.find((m) => m.ts === rootTs)?.blocks)).toContain('change 20');
  });

  it('answers a 429 by delaying the drain job for Retry-After, then posts every notice exactly once', async () => {
    slack.setFaults({ rateLimit: { method: 'chat.postMessage', forMs: 1500, retryAfterSeconds: 1 } });
    const stormEnds = clock.now() + 1500;
    const rollout = await rolloutWith('storm', 'C0ROLLOUTS', [held('first'), held('second')]);
    const job = (await queues.notify.getJob(`${rollout.id}.drain.0`))!;
    // The job waits in Redis, not in a worker, and spends no attempt; the notices wait in the outbox.
    await waitFor('the drain job delayed', async () => (await job.getState()) === 'delayed');
    expect((await queues.notify.getJob(job.id!))?.attemptsMade).toBe(0);
    expect((await store.outbox(rollout.id)).map((i) => i.notice.kind)).toEqual(['root', 'held', 'held']);
    // However often the delayed job comes back meanwhile, no call goes to Slack before the clock moves.
    const tried = () => slack.calls('chat.postMessage').filter((c) => String(c.args.text).includes(rollout.id)).length;
    expect(tried()).toBe(1);

    // Move the clock a second at a time, each time once the job has come back and been turned away again.
    let lastRun = (await queues.notify.getJob(job.id!))?.processedOn;
    await waitFor(`${rollout.id}'s outbox drained`, async () => {
      if ((await store.outbox(rollout.id)).length === 0) return true;
      if (clock.sleeping() > 0) clock.advanceToNextWake();
      const current = await queues.notify.getJob(job.id!);
      if (current && (await current.getState()) === 'delayed' && current.processedOn !== lastRun) {
        lastRun = current.processedOn;
        clock.advance(1000);
      }
      return false;
    });

    const calls = slack.calls('chat.postMessage').filter((c) => String(c.args.text).includes(rollout.id));
    const limited = calls.filter((c) => c.status === 429);
    const accepted = calls.filter((c) => c.status === 200);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited.length).toBeLessThanOrEqual(2); // one try per Retry-After over a 1.5 s storm, not a hammering
    expect(gaps(limited.map((c) => c.at)).every((gap) => gap >= 1000)).toBe(true);
    expect(accepted.map((c) => c.args.text)).toEqual([...new Set(accepted.map((c) => c.args.text))]);
    expect(accepted).toHaveLength(3);
    expect(accepted[0]!.at).toBeGreaterThanOrEqual(stormEnds);
    expect(gaps(accepted.map((c) => c.at)).every((gap) => gap >= 1000)).toBe(true);
  });
});

describe('a notice Slack refuses for good', () => {
  it('is skipped and logged, and the notices after it still go out', async () => {
    slack.setFaults({ error: { method: 'chat.postMessage', error: 'invalid_blocks', count: 1 } });
    // The root post is the one refused: the thread replies after it cannot go anywhere and are skipped too.
    const lost = await rolloutWith('refused', 'C0ROLLOUTS', [held('first'), held('second')]);
    await driveUntilDrained(lost.id);
    expect(posted('C0ROLLOUTS', lost.id).filter((c) => (c.response as { ok?: boolean }).ok)).toEqual([]);
    slack.clearFaults();
    const rollout = await rolloutWith('partly', 'C0OTHER', [held('will be refused'), held('goes out')]);
    // Posts to one channel are a second apart: refuse the next one once the root is in.
    await waitFor('the root posted', () => posted('C0OTHER', rollout.id).length === 1);
    slack.setFaults({ error: { method: 'chat.postMessage', error: 'invalid_blocks', count: 1 } });
    await driveUntilDrained(rollout.id);
    const accepted = posted('C0OTHER', rollout.id).filter((c) => (c.response as { ok?: boolean }).ok).map((c) => String(c.args.text));
    expect(accepted.some((t) => t.includes('goes out'))).toBe(true);
    expect(accepted.some((t) => t.includes('will be refused'))).toBe(false);
    slack.clearFaults();
  });
});
