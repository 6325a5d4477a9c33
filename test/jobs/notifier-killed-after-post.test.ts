// One root and one closing notice per rollout even when a drainer is killed after Slack accepted
// its post and before the ts reached Redis (issue 8): the next drainer finds the message in Slack
// by its metadata and records it instead of posting it again. Real Redis, real drainers, the
// Slack emulator over HTTP on a fake clock. The first drainer posts through a proxy that, for
// the chosen post, forwards it to Slack and never answers (what a SIGKILL right after Slack's
// answer leaves: the marker, the message, no ts), or never forwards it (a post that never landed).
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { slackLogger } from '../../bot/bolt-logger.js';
import { createSlackEmulator, type SlackEmulator } from '@rollgate/slack-emulator';
import { createOutboxDrainer } from '../../bot/notifier.js';
import { createNoticeClient } from '../../bot/pacing/notice-client.js';
import type { Notice } from '../../rollout/events.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { createFakeClock } from '../support/fake-clock.js';
import { createNotifierHarness } from '../support/notifier-harness.js';

const CHANNEL = 'C0ROLLOUTS';
const GRACE_MS = 30_000;
const IN_FLIGHT_MS = 20_000;
const harness = createNotifierHarness(inject('redisUrl'));
const { redis, store } = harness;
const app = testConfig().apps[0]!;
const clock = createFakeClock(Date.UTC(2026, 11, 4, 12, 0, 0));
const logged: { msg: string }[] = [];
const log = pino({ level: 'info' }, new Writable({ write: (line, _enc, done) => void (logged.push(JSON.parse(String(line))), done()) }));
let slack: SlackEmulator;
let proxyUrl: string;
let closeProxy: () => Promise<void>;
/** The next chat.postMessage this picks is held: forwarded to Slack first ('after') or not at all ('before'). */
let hold: { pick: (form: URLSearchParams) => boolean; forward: 'after' | 'before'; seen?: true } | undefined;
const held: ServerResponse[] = [];
let closing = false;
const stalled: Promise<unknown>[] = [];

beforeAll(async () => {
  slack = createSlackEmulator({ now: clock.now, signingSecret: 'unused', channels: [{ id: CHANNEL, name: 'rollouts' }] });
  await slack.listen(0);
  const proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (closing) return void res.destroy(); // a retry of a held post never reaches Slack
    const forward = () => fetch(new URL(req.url!.replace(/^\/api\//, ''), slack.apiUrl), { method: req.method, headers: req.headers as Record<string, string>, body });
    if (hold && !hold.seen && req.url?.endsWith('chat.postMessage') && hold.pick(new URLSearchParams(body.toString()))) {
      if (hold.forward === 'after') await forward();
      hold.seen = true;
      held.push(res);
      return;
    }
    const answer = await forward();
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api/`;
  closeProxy = async () => {
    closing = true;
    for (const res of held) res.destroy();
    await Promise.allSettled(stalled);
    await new Promise((resolve) => proxy.close(resolve));
  };
});

afterAll(async () => {
  await closeProxy();
  await harness.close();
  await slack.close();
});

function drainer(apiUrl: string) {
  const client = createNoticeClient({ token: 'xoxb-local-rollgate', slackApiUrl: apiUrl, timeoutMs: 600_000, logger: slackLogger(harness.log) });
  return createOutboxDrainer({ redis, store, client, clock: clock.now, sleep: clock.sleep, log, lockDurationMs: 60_000, postGraceMs: GRACE_MS, postInFlightMs: IN_FLIGHT_MS });
}

/** Lets a drain run, moving the fake clock whenever it sleeps (the channel's pacing). */
async function drive<T>(work: Promise<T>): Promise<T> {
  let done = false;
  void work.finally(() => (done = true)).catch(() => undefined);
  while (!done) {
    if (clock.sleeping() > 0) clock.advanceToNextWake();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return work;
}

async function until(what: string, probe: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; !(await probe()); i += 1) {
    if (i > 2000) throw new Error(`timed out waiting for ${what}`);
    if (clock.sleeping() > 0) clock.advanceToNextWake();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let apps = 0;

/** A rollout (of an app of its own) whose outbox holds its root and `then` (a closing notice unless said); returns that notice's key. */
async function rolloutWithClosingNotice(then: Notice = { kind: 'finished' }): Promise<{ rollout: Rollout; closingKey: string }> {
  const own = { ...app, name: `${app.name}-${(apps += 1)}` };
  const planned = newRollout({ id: await store.nextId(own.name), app: own, version: 'v2', requester: 'U0DEV', nowMs: clock.now() });
  const rollout = { ...planned, channel: CHANNEL, settings: { ...planned.settings, notifyDm: true } };
  const notify = (notice: Notice) => ({ type: 'notify' as const, notice });
  expect(await store.create(rollout, [notify({ kind: 'root' }), notify(then)], [])).toEqual({ ok: true });
  const closing = (await store.outbox(rollout.id)).find((i) => i.notice.kind === then.kind)!;
  return { rollout, closingKey: closing.key };
}

/** Drainer A starts, posts until its held post, then is "killed": its lease is gone and it never comes back. */
async function killedWhilePosting(rolloutId: string, pick: (form: URLSearchParams) => boolean, forward: 'after' | 'before'): Promise<void> {
  hold = { pick, forward };
  stalled.push(drainer(proxyUrl).drain(rolloutId).catch(() => undefined));
  await until('the held post', () => hold?.seen === true);
  await redis.del(store.keys.notifyLock(rolloutId));
}

const posted = (rolloutId: string) =>
  slack.calls('chat.postMessage').filter((c) => c.response.ok && (c.args.metadata as { event_payload?: { rollout?: string } } | undefined)?.event_payload?.rollout === rolloutId);
const noticeOf = (call: { args: Record<string, unknown> }) => (call.args.metadata as { event_payload: { notice: string } }).event_payload.notice;
const tsOf = (call: { response: unknown }) => (call.response as { ts: string }).ts;

it('a closing notice Slack took from a killed drainer is recorded by the next one, not posted again', async () => {
  const { rollout, closingKey } = await rolloutWithClosingNotice();
  await killedWhilePosting(rollout.id, (form) => form.has('thread_ts'), 'after');
  const before = posted(rollout.id);
  expect(before.map(noticeOf)).toEqual([expect.stringMatching(/root$/), closingKey]);
  expect(before[1]!.args.metadata).toEqual({ event_type: 'rollgate_notice', event_payload: { rollout: rollout.id, notice: closingKey } });
  expect(await store.messageTs(rollout.id, closingKey)).toBeUndefined();

  // The next drainer comes after the lease and the grace ran out (a job taken over after a SIGKILL).
  clock.advance(GRACE_MS + 1000);
  expect(await drive(drainer(slack.apiUrl).drain(rollout.id))).toEqual({ kind: 'done' });

  expect(posted(rollout.id).filter((c) => noticeOf(c) === closingKey)).toHaveLength(1);
  expect(await store.messageTs(rollout.id, closingKey)).toBe(tsOf(before[1]!));
  expect(await store.outbox(rollout.id)).toEqual([]);
});

it('a root Slack took from a killed drainer is found in the channel and the thread goes on under it', async () => {
  const { rollout, closingKey } = await rolloutWithClosingNotice();
  await killedWhilePosting(rollout.id, (form) => !form.has('thread_ts'), 'after');
  const [root] = posted(rollout.id);
  expect(await store.messageTs(rollout.id, 'root')).toBeUndefined();

  clock.advance(GRACE_MS + 1000);
  expect(await drive(drainer(slack.apiUrl).drain(rollout.id))).toEqual({ kind: 'done' });

  const after = posted(rollout.id);
  expect(after.filter((c) => c.args.thread_ts === undefined)).toEqual([root]);
  expect(await store.messageTs(rollout.id, 'root')).toBe(tsOf(root!));
  expect(after.find((c) => noticeOf(c) === closingKey)?.args.thread_ts).toBe(tsOf(root!));
});

it('a post that never reached Slack is posted once the earlier one can no longer land, before the grace ends', async () => {
  const { rollout, closingKey } = await rolloutWithClosingNotice();
  await killedWhilePosting(rollout.id, (form) => form.has('thread_ts'), 'before');
  const marker = Number(await store.messageTs(rollout.id, `posting:${closingKey}`));

  // Not in Slack, but the earlier post may still be on its way: wait.
  expect(await drive(drainer(slack.apiUrl).drain(rollout.id))).toEqual({ kind: 'postponed', until: marker + GRACE_MS });
  expect(posted(rollout.id).filter((c) => noticeOf(c) === closingKey)).toHaveLength(0);

  // Past the longest a post can take (before the grace): posted now.
  clock.advance(marker + IN_FLIGHT_MS - clock.now());
  expect(await drive(drainer(slack.apiUrl).drain(rollout.id))).toEqual({ kind: 'done' });
  expect(posted(rollout.id).filter((c) => noticeOf(c) === closingKey)).toHaveLength(1);
});

it('when Slack refuses the lookup, says so once and keeps the grace (the duplicate stays possible)', async () => {
  slack.setFaults({ error: { method: 'conversations.replies', error: 'missing_scope' } });
  try {
    const { rollout, closingKey } = await rolloutWithClosingNotice();
    await killedWhilePosting(rollout.id, (form) => form.has('thread_ts'), 'after');
    const marker = Number(await store.messageTs(rollout.id, `posting:${closingKey}`));
    const saidBefore = logged.filter((l) => l.msg.startsWith('cannot look in Slack')).length;

    // One process's drainer, twice: before the grace ends, it waits; after, it posts.
    const next = drainer(slack.apiUrl);
    clock.advance(IN_FLIGHT_MS + 1000);
    expect(await drive(next.drain(rollout.id))).toEqual({ kind: 'postponed', until: marker + GRACE_MS });
    clock.advance(marker + GRACE_MS - clock.now());
    expect(await drive(next.drain(rollout.id))).toEqual({ kind: 'done' });

    expect(slack.calls('conversations.replies').filter((c) => c.args.ts === tsOf(posted(rollout.id)[0]!))).toHaveLength(2);
    expect(logged.filter((l) => l.msg.startsWith('cannot look in Slack')).length - saidBefore).toBe(1);
    expect(posted(rollout.id).filter((c) => noticeOf(c) === closingKey)).toHaveLength(2);
  } finally {
    slack.clearFaults();
  }
});

it('a gate message Slack took from a killed drainer is recorded as the gate, and its approvers get their DMs once', async () => {
  const { rollout, closingKey: gateKey } = await rolloutWithClosingNotice({ kind: 'gate-opened', stage: 1 });
  const dms = () => slack.calls('chat.postMessage').filter((c) => c.response.ok && String(c.args.channel).startsWith('D') && String(c.args.text).includes(rollout.version) && JSON.stringify(c.args).includes(rollout.id));
  await killedWhilePosting(rollout.id, (form) => form.has('thread_ts'), 'after');
  const gate = posted(rollout.id).find((c) => noticeOf(c) === gateKey)!;
  expect(dms()).toHaveLength(0);

  clock.advance(GRACE_MS + 1000);
  expect(await drive(drainer(slack.apiUrl).drain(rollout.id))).toEqual({ kind: 'done' });

  expect(posted(rollout.id).filter((c) => noticeOf(c) === gateKey)).toEqual([gate]);
  expect(await store.messageTs(rollout.id, 'gate-1')).toBe(tsOf(gate));
  expect(new Set(dms().map((c) => c.args.channel)).size).toBe(2); // U0LEAD, and U0SRE of @sre
  expect(dms()).toHaveLength(2);
});
