// The steps worker runs analysis ticks from the tick set, not from BullMQ: against real Redis,
// with a fleet and metrics stand-in at the ports and a fake clock (a tick comes due when the
// test moves the clock, never by waiting). What a user would notice: every tick analysed once,
// cheaply (Redis commands per tick counted with MONITOR), taken over after a claimer died,
// finished on SIGTERM, and tried again when its rollout is busy.
import { connect, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, expect, inject, it } from 'vitest';
import type { Queues } from '../../jobs/queues.js';
import { createRolloutRunner } from '../../jobs/rollout-runner.js';
import { createRolloutStore, type RolloutStore } from '../../jobs/store.js';
import type { StepWorker } from '../../jobs/worker.js';
import { created } from '../../rollout/machine.js';
import type { Measurement } from '../../rollout/metrics/source.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { createStepsHarness } from '../support/steps-harness.js';
import { waitFor } from '../support/wait-for.js';
import { readyFleet } from '../support/ready-fleet.js';

const config = testConfig();
const app = config.apps[0]!;
const T0 = 1_000_000;
const MIN = 60_000;

const fleet = readyFleet;
const goodMeasurements: Measurement[] = [
  { metric: 'request-success-rate', value: 99.9 },
  { metric: 'request-duration', value: 120 },
];

interface Harness {
  prefix: string;
  redis: Redis;
  store: RolloutStore;
  queues: Queues;
  clock: { now: number };
  /** Every measurement asked for (one per cluster per tick); `measure` may hold it. */
  measured: string[];
  measure: () => Promise<void>;
  startWorker(options?: { lockDurationMs?: number }): StepWorker;
  close(): Promise<void>;
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function startHarness(): Harness {
  const clock = { now: T0 };
  const base = createStepsHarness(inject('redisUrl'), () => clock.now);
  const h: Harness = {
    prefix: base.prefix,
    redis: base.redis,
    store: base.store,
    queues: base.queues,
    clock,
    measured: [],
    measure: async () => undefined,
    startWorker: (options = {}) =>
      base.startWorker({
        config,
        fleet,
        metrics: {
          measure: async (rollout, _app, cluster) => {
            h.measured.push(`${rollout.id}/${cluster}`);
            await h.measure();
            return goodMeasurements;
          },
        },
        lockDurationMs: options.lockDurationMs ?? 2000,
      }),
    close: () => base.close(),
  };
  return h;
}


/**
 * Redis MONITOR on a plain socket: ioredis's monitor() can take a burst of monitored lines for
 * a reply to its own ready check ("Command queue state error"). Each line: +TIME [DB SOURCE] "cmd" "arg"…
 */
async function monitorRedis(onCommand: (args: string[], source: string) => void): Promise<Socket> {
  const url = new URL(inject('redisUrl'));
  const socket = connect(Number(url.port || 6379), url.hostname);
  let buffered = '';
  let started!: () => void;
  const on = new Promise<void>((resolve) => (started = resolve));
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\r\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '+OK') started();
      const match = /^\+[\d.]+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
      if (match) onCommand([...(match[2] as string).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] as string), match[1] as string);
    }
  });
  socket.write('MONITOR\r\n');
  await on;
  return socket;
}

/** A rollout whose canaries are ready: its first analysis tick is due a minute after T0. */
async function analysing(h: Harness): Promise<Rollout> {
  let rollout = newRollout({ id: await h.store.nextId(app.name), app, version: 'v2', requester: 'U0DEV', nowMs: T0 });
  expect(await h.store.create(rollout, created(rollout, T0), [])).toEqual({ ok: true });
  const runner = createRolloutRunner({ store: h.store, queues: h.queues, clock: () => T0 });
  for (const event of [{ type: 'RolloutStarted', fromVersion: 'v1' }, { type: 'CanaryDeployed' }, { type: 'ReadinessChecked', ready: true }] as const) {
    rollout = ((await runner.apply(rollout.id, async () => ({ event }))) as { rollout: Rollout }).rollout;
  }
  // The steps those commits queued (deploy-canary, check-ready) are stale now: only the tick is left to run.
  await h.queues.steps.drain(true);
  return rollout;
}

const ticksDone = async (h: Harness, id: string) => (await h.store.audit(id)).filter((e) => e.what === 'AnalysisTicked').length;
const score = async (h: Harness, tickId: string) => {
  const s = await h.redis.zscore(h.store.keys.ticks, tickId);
  return s === null ? undefined : Number(s);
};

it('runs each due tick once, with no BullMQ job and at most 14 Redis commands a tick (the Slack drain aside)', async () => {
  const h = (harness = startHarness());
  const rollout = await analysing(h);
  h.startWorker({ lockDurationMs: 30_000 });
  h.clock.now = T0 + MIN;
  await waitFor('the first tick', async () => (await ticksDone(h, rollout.id)) === 1);
  const measuresPerTick = h.measured.length;
  const drains = () => h.queues.notify.getJobCountByTypes('waiting', 'prioritized', 'delayed');
  const drainsBefore = await drains();

  // The second tick, under MONITOR: every command on this test's keys but the test's own looking.
  const looker = new Redis(inject('redisUrl'));
  const look = { ...h, redis: looker, store: createRolloutStore({ redis: looker, prefix: h.prefix }) };
  await looker.ping();
  const lookerPort = `:${looker.stream.localPort}`;
  const seen: string[][] = [];
  const monitor = await monitorRedis((args, source) => {
    if (!source.endsWith(lookerPort) && args.some((a) => a.startsWith(`${h.prefix}:`))) seen.push(args);
  });
  h.clock.now = T0 + 2 * MIN;
  await waitFor('the second tick', async () => (await ticksDone(look, rollout.id)) === 2);
  const after = await look.store.get(rollout.id);
  await waitFor('the next tick scheduled', async () => (await score(look, `${rollout.id}.${after!.seq}.tick`)) === T0 + 3 * MIN);
  // The summary handed to a drain job (no drainer in this worker): the tick is over.
  await waitFor('the drain queued', async () => (await drains()) === drainsBefore + 1);
  monitor.end();
  looker.disconnect();

  expect(await h.queues.steps.getJobs(['completed', 'failed', 'waiting', 'delayed', 'active', 'prioritized'])).toEqual([]);
  const named = (args: string[]) => `${args[0]?.toLowerCase()} ${args.find((a) => a.startsWith(`${h.prefix}:`))?.slice(h.prefix.length)}`;
  // A claim round that found nothing due (the runner polls while the test waits) is not the tick's: 3 commands each.
  const idleClaims = seen.filter((args, i) => /^eval/i.test(args[0] ?? '') && seen[i + 1]?.[0]?.toLowerCase() === 'zrangebyscore' && seen[i + 2]?.[0]?.toLowerCase() !== 'zadd').length;
  // The queues' own bookkeeping (an idle worker's poll, the notify drain the summary asks for) is not the tick's.
  const tickCommands = seen.filter((args) => !args.some((a) => a.includes(':notify:') || a.includes(':steps:')));
  const perTick = tickCommands.length - 3 * idleClaims;
  expect(perTick, tickCommands.map(named).join('\n')).toBeLessThanOrEqual(14);
  expect(seen.filter((args) => args.some((a) => a.includes(':steps:') && a.includes('.tick')))).toEqual([]);
  expect(h.measured).toHaveLength(2 * measuresPerTick);
});

it('takes over a tick whose claimer died once its claim runs out, and analyses it once', async () => {
  const h = (harness = startHarness());
  const rollout = await analysing(h);
  const tickId = `${rollout.id}.${rollout.seq}.tick`;
  // A worker claimed it at its due time and was SIGKILLed: the tick is hidden until its claim deadline.
  h.clock.now = T0 + MIN;
  const dead = await h.queues.ticks.claim({ until: h.clock.now, limit: 10, deadline: h.clock.now + 2000 });
  expect(dead.claimed.map((t) => t.id)).toEqual([tickId]);

  h.startWorker({ lockDurationMs: 2000 });
  h.clock.now = T0 + MIN + 2000;
  await waitFor('the tick analysed', async () => (await ticksDone(h, rollout.id)) === 1);
  const next = await h.store.get(rollout.id);
  expect(await score(h, tickId)).toBeUndefined();
  expect(await score(h, `${rollout.id}.${next!.seq}.tick`)).toBe(T0 + MIN + 2000 + MIN);
  // Once: the dead claimer's tick was analysed by the live worker only.
  expect(await ticksDone(h, rollout.id)).toBe(1);
});

it('on SIGTERM finishes the tick in flight, commits it, and claims no more', async () => {
  const h = (harness = startHarness());
  const rollout = await analysing(h);
  let release!: () => void;
  const mayEnd = new Promise<void>((resolve) => (release = resolve));
  h.measure = () => mayEnd;
  const worker = h.startWorker();
  h.clock.now = T0 + MIN;
  await waitFor('the tick measuring', async () => h.measured.length > 0);

  let closed = false;
  const closing = worker.close().then(() => (closed = true));
  await new Promise((r) => setImmediate(r));
  expect(closed).toBe(false);
  release();
  await closing;
  expect(await ticksDone(h, rollout.id)).toBe(1);
  const next = await h.store.get(rollout.id);
  const nextTick = `${rollout.id}.${next!.seq}.tick`;
  // The next tick waits in the set, due, unclaimed, for another worker.
  h.clock.now = T0 + 3 * MIN;
  expect(await score(h, nextTick)).toBe(T0 + 2 * MIN);
  const measuredAtClose = h.measured.length;
  await new Promise((r) => setTimeout(r, 300));
  expect(h.measured).toHaveLength(measuredAtClose);
  expect(await score(h, nextTick)).toBe(T0 + 2 * MIN);
});

it('analyses a tick while another step holds its rollout (a tick only measures), and drops it when that step changed the rollout first', async () => {
  const h = (harness = startHarness());
  const rollout = await analysing(h);
  // A step of this rollout (say a promotion) is writing under the rollout's lease.
  const lease = await h.store.acquire(h.store.keys.exec(rollout.id), 60_000);
  let release!: () => void;
  const mayEnd = new Promise<void>((resolve) => (release = resolve));
  h.measure = () => mayEnd;
  h.startWorker();
  h.clock.now = T0 + MIN;
  // The tick does not wait for the lease: it measures at once.
  await waitFor('the tick measuring', async () => h.measured.length > 0);
  // While it measures, a click changes the rollout (a pause, committed without the lease, as inputs are).
  const runner = createRolloutRunner({ store: h.store, queues: h.queues, clock: () => h.clock.now });
  const paused = await runner.apply(rollout.id, async () => ({ event: { type: 'PauseRequested', by: { user: 'U0SRE', isApprover: true } } }));
  expect(paused.kind).toBe('applied');
  release();
  // The tick's commit lost the compare-and-set: its measurements are dropped, the pause stands.
  const tickId = `${rollout.id}.${rollout.seq}.tick`;
  await waitFor('the stale tick out of the set', async () => (await score(h, tickId)) === undefined);
  expect(await ticksDone(h, rollout.id)).toBe(0);
  const after = await h.store.get(rollout.id);
  expect(after?.phase).toBe('paused');
  expect(after?.seq).toBe(rollout.seq + 1);
  await h.store.release(h.store.keys.exec(rollout.id), lease!);
});

it('tries a tick that must write traffic weights again when another step holds its rollout, and does not drop it', async () => {
  const h = (harness = startHarness());
  const plain = await analysing(h);
  // The same rollout, with traffic-weighted steps: its tick re-applies the weights, a write to the fleet.
  const rollout = { ...plain, seq: plain.seq + 1, settings: { ...plain.settings, traffic: { provider: 'replicas' as const, weights: [10, 20] } } };
  expect(await h.store.commit(plain, rollout, [{ type: 'step', step: 'tick', at: T0 + MIN }], [])).toBe(true);
  const tickId = `${rollout.id}.${rollout.seq}.tick`;
  const lease = await h.store.acquire(h.store.keys.exec(rollout.id), 60_000);
  h.startWorker();
  h.clock.now = T0 + MIN;
  // The worker found the rollout busy and put the tick back a little later, having measured nothing.
  await waitFor('the tick put back', async () => (await score(h, tickId)) === T0 + MIN + 250);
  expect(h.measured).toEqual([]);
  expect(await ticksDone(h, rollout.id)).toBe(0);
  await h.store.release(h.store.keys.exec(rollout.id), lease!);
  h.clock.now = T0 + MIN + 250;
  await waitFor('the tick analysed', async () => (await ticksDone(h, rollout.id)) === 1);
});
