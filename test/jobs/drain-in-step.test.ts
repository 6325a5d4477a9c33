// A tick's summary is posted by the step that committed it, not by a drain job (issue 13: Redis
// commands per tick), as long as Slack lets it go at once; on a busy channel slot or a failed
// post the notify job takes it, and either way it reaches the thread exactly once. The steps
// worker with a fleet and metrics stand-in at the ports, real Redis and BullMQ, the real
// drainer and WebClient against the Slack emulator over HTTP, on a clock only the test moves.
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { slackLogger } from '../../bot/bolt-logger.js';
import { createNotifier, createOutboxDrainer } from '../../bot/notifier.js';
import { createChannelPacer } from '../../bot/pacing/channel-pacer.js';
import { createNoticeClient } from '../../bot/pacing/notice-client.js';
import type { Queues } from '../../jobs/queues.js';
import { stepJobId, type RolloutStore } from '../../jobs/store.js';
import type { ClusterState, Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { createSlackEmulator, type SlackEmulator } from '@rollgate/slack-emulator';
import { testConfig } from '../fixtures/config.js';
import { createFakeClock, type FakeClock } from '../support/fake-clock.js';
import { createStepsHarness } from '../support/steps-harness.js';
import { waitFor } from '../support/wait-for.js';
import { readyFleet } from '../support/ready-fleet.js';

const config = testConfig();
const app = config.apps[0]!;
const CHANNEL = 'C0ROLLOUTS';
const log = pino({ level: 'silent' });

const fleet = readyFleet;
const healthy = { measure: async () => [{ metric: 'request-success-rate', value: 99.9 }, { metric: 'request-duration', value: 120 }] };

interface Harness {
  clock: FakeClock;
  redis: Redis;
  store: RolloutStore;
  queues: Queues;
  slack: SlackEmulator;
  startNotifier(): Worker;
  close(): Promise<void>;
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function startHarness(): Promise<Harness> {
  const clock = createFakeClock(Date.UTC(2026, 11, 4, 12));
  const base = createStepsHarness(inject('redisUrl'), clock.now);
  const slack = createSlackEmulator({ now: clock.now, signingSecret: 'unused', channels: [{ id: CHANNEL, name: 'rollouts' }] });
  await slack.listen(0);
  const { redis, store, prefix } = base;
  const client = createNoticeClient({ token: 'xoxb-local-rollgate', slackApiUrl: slack.apiUrl, logger: slackLogger(log) });
  const notices = { redis, store, client, clock: clock.now, sleep: clock.sleep, log, lockDurationMs: 5000 };
  base.startWorker({ config, fleet, metrics: healthy, log, lockDurationMs: 5000, drainer: createOutboxDrainer(notices) });
  return {
    clock,
    redis,
    store,
    queues: base.queues,
    slack,
    startNotifier: () => base.track(createNotifier({ connection: base.connect(), prefix, ...notices })),
    async close() {
      await base.close();
      await slack.close();
    },
  };
}


/** A rollout analysing its canaries in CHANNEL, its root message already in the channel (posted a while ago). */
async function analysing(h: Harness): Promise<Rollout> {
  const base = newRollout({ id: await h.store.nextId(app.name), app, version: 'v2', requester: 'U0DEV', nowMs: h.clock.now() });
  const deployed: ClusterState = { canary: 'deployed', promoted: false, failedChecks: 0, history: [] };
  const cluster = Object.fromEntries(base.clusters.map((c) => [c, { ...base.cluster[c], ...deployed }]));
  const rollout: Rollout = { ...base, channel: CHANNEL, phase: 'analysing', fromVersion: 'v1', cluster };
  expect(await h.store.create(rollout, [{ type: 'notify', notice: { kind: 'root' } }], [])).toEqual({ ok: true });
  const drainer = createOutboxDrainer({ redis: h.redis, store: h.store, client: createNoticeClient({ token: 'xoxb-local-rollgate', slackApiUrl: h.slack.apiUrl }), clock: h.clock.now, log });
  expect(await drainer.drainNow(rollout.id)).toBe(true);
  expect(await h.store.messageTs(rollout.id, 'root')).toMatch(/^\d+\.\d+$/);
  // Past the channel's post spacing and the root's coalescing window.
  h.clock.advance(5000);
  return rollout;
}

/** Puts the rollout's tick in the tick set, due now (as its commit would), and waits until the step is done with it and its notices. */
async function tick(h: Harness, rollout: Rollout): Promise<void> {
  const jobId = stepJobId(rollout.id, rollout.seq, 'tick');
  await h.queues.reschedule([{ jobId, rolloutId: rollout.id, step: 'tick', seq: rollout.seq, at: h.clock.now() }]);
  await waitFor('the tick step done, its notices posted or handed to a drain job', async () => {
    if ((await h.store.get(rollout.id))?.tick !== 1) return false;
    return (await h.store.outbox(rollout.id)).length === 0 || (await drainJobs(h)).length > 0;
  });
}

const summaries = (h: Harness) =>
  h.slack.calls('chat.postMessage').filter((c) => c.status === 200 && (c.response as { ok?: boolean }).ok && String(c.args.text).startsWith('Analysis #1'));
const drainJobs = async (h: Harness) => h.queues.notify.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized']);

/** Starts the notify worker and moves the clock along until the rollout's outbox is empty. */
async function drainJobRuns(h: Harness, rollout: Rollout): Promise<void> {
  h.startNotifier();
  await waitFor('the summary posted by the drain job', async () => {
    if (h.clock.sleeping() > 0) h.clock.advanceToNextWake();
    return (await h.store.outbox(rollout.id)).length === 0;
  });
}

describe('the notices of a tick', () => {
  it('are posted by the tick step itself when the channel is free: once, in the thread, and no drain job is queued', async () => {
    const h = (harness = await startHarness());
    const rollout = await analysing(h);
    await tick(h, rollout);

    const posted = summaries(h);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.args.thread_ts).toBe(await h.store.messageTs(rollout.id, 'root'));
    expect(await h.store.outbox(rollout.id)).toEqual([]);
    expect(await drainJobs(h)).toEqual([]);
    // Recorded as the latest summary of its stage, as a drain job would have.
    expect(await h.store.messageTs(rollout.id, `summary-${rollout.stage}`)).toBe((posted[0]!.response as { ts?: string }).ts);
  });

  it('go to a drain job when the channel has just been posted to, which posts them once its slot comes', async () => {
    const h = (harness = await startHarness());
    const rollout = await analysing(h);
    // Another rollout in the channel took the post slot a moment ago: the next one is a second away.
    await createChannelPacer({ redis: h.redis, prefix: h.store.keys.prefix }).claim(CHANNEL, 'post', h.clock.now());
    await tick(h, rollout);

    // The step did not wait for the slot: the summary is in the outbox, with a drain job for it.
    expect(summaries(h)).toHaveLength(0);
    expect((await h.store.outbox(rollout.id)).map((i) => i.notice.kind)).toContain('summary');
    expect((await drainJobs(h)).map((j) => j.id)).toEqual([`${rollout.id}.drain.${rollout.seq + 1}`]);

    await drainJobRuns(h, rollout);
    expect(summaries(h)).toHaveLength(1);
  });

  it('go to a drain job when the post fails in the step, and reach the thread once', async () => {
    const h = (harness = await startHarness());
    const rollout = await analysing(h);
    h.slack.setFaults({ error: { method: 'chat.postMessage', error: 'internal_error', count: 1 } });
    await tick(h, rollout);

    expect(summaries(h)).toHaveLength(0);
    expect((await drainJobs(h)).map((j) => j.id)).toEqual([`${rollout.id}.drain.${rollout.seq + 1}`]);
    await drainJobRuns(h, rollout);
    expect(summaries(h)).toHaveLength(1);
  });
});

describe('the drain in the step', () => {
  it('renders from the rollout its commit wrote, but reads the stored one when a newer commit queued notices meanwhile', async () => {
    const h = (harness = await startHarness());
    const base = newRollout({ id: await h.store.nextId(app.name), app, version: 'v2', requester: 'U0DEV', nowMs: h.clock.now() });
    const queued: Rollout = { ...base, channel: CHANNEL };
    expect(await h.store.create(queued, [{ type: 'notify', notice: { kind: 'root' } }], [])).toEqual({ ok: true });
    // Before the first commit's drain ran, another commit (the start step's) moved the rollout on and queued a notice.
    const deploying: Rollout = { ...queued, seq: queued.seq + 1, phase: 'deploying', fromVersion: 'v1' };
    expect(await h.store.commit(queued, deploying, [{ type: 'notify', notice: { kind: 'root-update' } }], [])).toBe(true);
    const drainer = createOutboxDrainer({ redis: h.redis, store: h.store, client: createNoticeClient({ token: 'xoxb-local-rollgate', slackApiUrl: h.slack.apiUrl }), clock: h.clock.now, log });
    // The first commit's drain, handed the rollout as that commit wrote it (the root update then waits out its window).
    await drainer.drainNow(queued.id, queued);
    const root = h.slack.calls('chat.postMessage').find((c) => c.status === 200 && c.args.channel === CHANNEL);
    // The root shows the rollout as stored (deploying), not as the first commit left it (queued).
    expect(JSON.stringify(root?.args.blocks)).toContain('Deploying the canary');
    expect(JSON.stringify(root?.args.blocks)).not.toContain('Queued');
  });
});
