// One root message per rollout when a drainer loses its lease mid-post (a Redis restart, a
// long pause): the second drainer must not post the root again while the first's post may
// still land. Real Redis, two real notifiers, the Slack emulator over HTTP; the first
// drainer's chat.postMessage is held in a proxy (network level) until the test lets it go.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createSlackEmulator, type SlackEmulator } from '@rollgate/slack-emulator';
import { created } from '../../rollout/machine.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { waitFor } from '../e2e/stack.js';
import { createNotifierHarness } from '../support/notifier-harness.js';

const harness = createNotifierHarness(inject('redisUrl'));
const { redis, store, queues } = harness;
const app = testConfig().apps[0]!;
let slack: SlackEmulator;
let proxy: Server;
let heldSeen = false;
let release: () => void = () => undefined;
const released = new Promise<void>((resolve) => (release = resolve));

beforeAll(async () => {
  slack = createSlackEmulator({ signingSecret: 'unused' });
  await slack.listen(0);
  // Forwards to the emulator; the first chat.postMessage waits until released.
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.url?.endsWith('chat.postMessage') && !heldSeen) {
      heldSeen = true;
      await released;
    }
    const answer = await fetch(new URL(req.url!.replace(/^\/api\//, ''), slack.apiUrl), { method: req.method, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  release();
  await harness.close();
  await new Promise((resolve) => proxy.close(resolve));
  await slack.close();
});

it('does not post the root again when the first drainer lost its lease while posting it', async () => {
  const rollout = newRollout({ id: await store.nextId(app.name), app, version: 'v2', requester: 'U0DEV', nowMs: Date.now() });
  expect(await store.create(rollout, created(rollout, Date.now()), [])).toEqual({ ok: true });
  let offset = 0;
  const clock = () => Date.now() + offset;
  const notifier = (apiUrl: string) => harness.startNotifier({ slackApiUrl: apiUrl, clientTimeoutMs: 600_000, clock, lockDurationMs: 60_000, postGraceMs: 3_600_000 });
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api/`;

  // Drainer A starts posting the root; its post hangs in the proxy.
  notifier(proxyUrl);
  await queues.drain(rollout.id, 'a');
  await waitFor('the first root post in flight', () => heldSeen);
  // A lost lease: what a Redis restart without the lock (or a pause past its TTL) leaves.
  await redis.del(store.keys.notifyLock(rollout.id));

  // Drainer B takes the lease and finds the root without a ts.
  const b = notifier(slack.apiUrl);
  await queues.drain(rollout.id, 'b');
  const bJob = await waitFor('B has decided', async () => {
    const job = await queues.notify.getJob(`${rollout.id}.drain.b`);
    const state = await job?.getState();
    return state === 'delayed' || state === 'completed' ? state : undefined;
  });
  expect(bJob).toBe('delayed'); // it waits for A's post rather than posting the root itself
  expect(slack.calls('chat.postMessage')).toHaveLength(0);

  // A's post lands and A records its ts; A then sees its lease is gone and stops.
  release();
  await waitFor('the root ts recorded', () => store.messageTs(rollout.id, 'root'));

  // Past the grace, a drain finishes the rest of the outbox without posting the root again.
  offset = 3_600_001;
  await queues.drain(rollout.id, 'c');
  await waitFor('the outbox drained', async () => (await store.outbox(rollout.id)).length === 0, 60_000);
  const roots = slack.calls('chat.postMessage').filter((c) => !c.args.thread_ts);
  expect(roots).toHaveLength(1);
  await b.close();
});
