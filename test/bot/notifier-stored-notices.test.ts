// Notices queued by an older rollgate, whose domain still wrote the sentence (a thread note
// with Slack markup, a private answer), sit in the outbox in Redis through an upgrade. The new
// notifier must still post them as they were written, next to notices that carry only facts
// (issue 11: the domain speaks data, bot/blocks/ writes the words).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { answerWords } from '../../bot/blocks/answer-words.js';
import type { Answer } from '../../jobs/ports.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { createSlackEmulator, type SlackEmulator } from '@rollgate/slack-emulator';
import { testConfig } from '../fixtures/config.js';
import { createFakeClock } from '../support/fake-clock.js';
import { createNotifierHarness } from '../support/notifier-harness.js';

const harness = createNotifierHarness(inject('redisUrl'));
const { redis, store, queues } = harness;
const app = testConfig().apps[0]!;
const clock = createFakeClock(Date.UTC(2026, 10, 21, 12, 0, 0));
const answers: { url: string | undefined; answer: Answer }[] = [];
let slack: SlackEmulator;

beforeAll(async () => {
  slack = createSlackEmulator({ now: clock.now, signingSecret: 'unused', channels: [{ id: 'C0ROLLOUTS', name: 'rollouts' }] });
  await slack.listen(0);
  // The replies port is where private answers leave rollgate: record what would be sent.
  const replies = { reply: async (url: string | undefined, answer: Answer) => void answers.push({ url, answer }) };
  harness.startNotifier({ slackApiUrl: slack.apiUrl, clock: clock.now, sleep: clock.sleep, lockDurationMs: 2000, replies });
});

afterAll(async () => {
  await harness.close();
  await slack?.close();
});

async function waitFor(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 50_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Drains the outbox to the end, moving the fake clock whenever the drainer waits for a slot. */
async function driveUntilDrained(id: string): Promise<void> {
  await waitFor(`${id}'s outbox drained`, async () => {
    if ((await store.outbox(id)).length === 0) return true;
    if (clock.sleeping() > 0) clock.advanceToNextWake();
    return false;
  });
}

const OLD_PAUSE = ':double_vertical_bar: <@U0LEAD> paused rollout `old-1`: no analysis, no gate decisions until `/rollout resume old-1`.';
const OLD_PRIVATE = ':no_entry: Rollout old-1 of http-probe-app v2 could not start: the base Deployment does not exist';

describe('outbox records written before the domain spoke data', () => {
  it('a stored note and a stored private answer are sent as they were written; a new note is written from its facts', async () => {
    const id = `old-${randomUUID().slice(0, 6)}`;
    const rollout: Rollout = { ...newRollout({ id, app, version: 'v2', requester: 'U0DEV', nowMs: clock.now() }), channel: 'C0ROLLOUTS', notifyUrl: 'http://127.0.0.1:9/response' };
    expect(await store.create(rollout, [{ type: 'notify', notice: { kind: 'root' } }], [])).toEqual({ ok: true });
    // Exactly as the previous version's Lua script pushed them: JSON strings of {key, notice}.
    await redis.rpush(
      store.keys.outbox(id),
      JSON.stringify({ key: '3.0.note', notice: { kind: 'note', text: OLD_PAUSE } }),
      JSON.stringify({ key: '4.0.private', notice: { kind: 'private', text: OLD_PRIVATE } }),
      JSON.stringify({ key: '5.0.note', notice: { kind: 'note', line: { said: 'resumed', by: 'U0LEAD' } } }),
    );
    await queues.drain(id, 0);
    await driveUntilDrained(id);

    const thread = slack.calls('chat.postMessage').filter((c) => c.status === 200 && c.args.channel === 'C0ROLLOUTS' && c.args.thread_ts !== undefined).map((c) => String(c.args.text));
    expect(thread).toContain(OLD_PAUSE);
    expect(thread).toContain(`:arrow_forward: <@U0LEAD> resumed rollout \`${id}\`.`);
    expect(thread.indexOf(OLD_PAUSE)).toBeLessThan(thread.indexOf(`:arrow_forward: <@U0LEAD> resumed rollout \`${id}\`.`));
    expect(answers.map((a) => [a.url, answerWords(a.answer)])).toEqual([['http://127.0.0.1:9/response', OLD_PRIVATE]]);
  });
});
