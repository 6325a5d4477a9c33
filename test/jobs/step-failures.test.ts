// The steps worker against real Redis and BullMQ, with a fleet stand-in at the Fleet port:
// what happens to a rollout when a step fails (a bug, an outage, a rate limit, a job that
// BullMQ gave up on) and when a rollback arrives while finalize is writing.
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Queues } from '../../jobs/queues.js';
import { reconcileOnce } from '../../jobs/reconciler.js';
import { stepBackoff } from '../../jobs/step-errors.js';
import type { RolloutStore } from '../../jobs/store.js';
import type { StepWorker } from '../../jobs/worker.js';
import { created } from '../../rollout/machine.js';
import { FleetError, type Fleet } from '../../rollout/kube/fleet.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { answerWords } from '../../bot/blocks/answer-words.js';
import { createStepsHarness } from '../support/steps-harness.js';
import { waitFor } from '../support/wait-for.js';

const config = testConfig();
const app = config.apps[0]!;

interface Harness {
  prefix: string;
  redis: Redis;
  store: RolloutStore;
  queues: Queues;
  replies: string[];
  calls: string[];
  clock: { now: number };
  startWorker(): StepWorker;
  close(): Promise<void>;
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A fleet whose every call succeeds unless `override` says otherwise; calls are recorded by name. */
function stubFleet(calls: string[], override: Partial<Fleet>): Fleet {
  const record =
    <A extends unknown[], R>(name: string, fallback: (...args: A) => Promise<R>) =>
    (...args: A) => {
      calls.push(name);
      const own = (override as Record<string, ((...a: A) => Promise<R>) | undefined>)[name];
      return own ? own(...args) : fallback(...args);
    };
  return {
    readBase: record('readBase', async () => ({ version: 'v1', replicas: 3 })),
    setCanaries: record('setCanaries', async () => undefined),
    setPromoted: record('setPromoted', async () => undefined),
    checkReady: record('checkReady', async () => ({ ready: false, waitingFor: 'member1: canary 0/1 ready', pods: {} })),
    podsReady: record('podsReady', async () => ({})),
    finalize: record('finalize', async () => undefined),
    setWeights: record('setWeights', async () => ({})),
  };
}

function startHarness(fleetOverride: Partial<Fleet> = {}, tuning: { slowFailureMs?: number } = {}): Harness {
  const clock = { now: 1_000_000 };
  const base = createStepsHarness(inject('redisUrl'), () => clock.now);
  const replies: string[] = [];
  const calls: string[] = [];
  const fleet = stubFleet(calls, fleetOverride);
  return {
    prefix: base.prefix,
    redis: base.redis,
    store: base.store,
    queues: base.queues,
    replies,
    calls,
    clock,
    startWorker: () =>
      base.startWorker({
        config,
        fleet,
        metrics: { measure: async () => [] },
        replies: { reply: async (_url, answer) => void replies.push(answerWords(answer)) },
        tuning,
      }),
    close: () => base.close(),
  };
}


/** A queued rollout with its start step pending, as `/rollout start` leaves it. */
async function queuedRollout(h: Harness, changes: Partial<Rollout> = {}, firstStep: 'start' | 'finalize' = 'start'): Promise<Rollout> {
  const rollout = { ...newRollout({ id: await h.store.nextId(app.name), app, version: 'v2', requester: 'U0DEV', nowMs: h.clock.now }), ...changes };
  const effects = firstStep === 'start' ? created(rollout, h.clock.now) : [{ type: 'step' as const, step: 'finalize' as const, at: h.clock.now }];
  expect(await h.store.create(rollout, effects, [])).toEqual({ ok: true });
  return rollout;
}

const audited = async (h: Harness, id: string) => (await h.store.audit(id)).map((e) => e.what);
const notices = async (h: Harness, id: string) => (await h.store.outbox(id)).map((i) => i.notice);

describe('a step whose job BullMQ gave up on', () => {
  it('is retried by the reconciler, once, and the rollout moves on', async () => {
    const h = (harness = startHarness());
    const rollout = await queuedRollout(h);
    await h.queues.schedule(await h.store.pending(rollout.id));
    // What BullMQ does to a job interrupted by dying workers too often (or out of attempts):
    // it lands in the failed set under its deterministic id.
    const taker = new Worker('steps', null, { connection: new Redis(inject('redisUrl'), { maxRetriesPerRequest: null }), prefix: h.prefix, lockDuration: 2000, settings: { backoffStrategy: stepBackoff } });
    const job = (await taker.getNextJob('dead-worker')) as Job;
    expect(job.id).toBe(`${rollout.id}.0.start`);
    await job.moveToFailed(new UnrecoverableError('job stalled more than allowable limit'), 'dead-worker');
    expect(await job.getState()).toBe('failed');
    // BullMQ's stalled check leaves its count (seen at 14 in a chaos run) and a deferred
    // failure in the job's hash; a plain retry() of the failed job keeps both and fails again at once.
    await h.redis.hset(`${h.prefix}:steps:${job.id}`, 'stc', '14', 'defa', 'job stalled more than allowable limit');
    await taker.close();
    (await taker.client).disconnect();

    h.startWorker();
    // The reconciler's round re-adds the pending step; a failed job under that id must run again.
    await reconcileOnce(h.store, h.queues, '1');
    const moved = await waitFor('the start step applied', async () => ((await h.store.get(rollout.id))?.phase !== 'queued' ? h.store.get(rollout.id) : false));
    expect(moved?.phase).not.toBe('queued');
    // A second round finds nothing failed: the step is not run twice.
    await reconcileOnce(h.store, h.queues, '2');
    await waitFor('the canary written', async () => (await audited(h, rollout.id)).includes('CanaryDeployed'));
    expect((await audited(h, rollout.id)).filter((w) => w === 'RolloutStarted')).toHaveLength(1);
    expect(h.calls.filter((c) => c === 'readBase')).toHaveLength(1);
  });
});

describe('a rollback whose step job BullMQ gave up on', () => {
  it('runs again at once when someone asks for the rollback again', async () => {
    const h = (harness = startHarness());
    const base = newRollout({ id: await h.store.nextId(app.name), app, version: 'v2', requester: 'U0DEV', nowMs: h.clock.now });
    const rollout: Rollout = { ...base, phase: 'rolling-back', pendingOutcome: { kind: 'rolled-back', at: h.clock.now, by: 'U0DEV', reason: 'rolled back by a person', trigger: 'person' } };
    expect(await h.store.create(rollout, [{ type: 'step', step: 'rollback', at: h.clock.now }], [])).toEqual({ ok: true });
    await h.queues.schedule(await h.store.pending(rollout.id));
    const taker = new Worker('steps', null, { connection: new Redis(inject('redisUrl'), { maxRetriesPerRequest: null }), prefix: h.prefix, lockDuration: 2000, settings: { backoffStrategy: stepBackoff } });
    const job = (await taker.getNextJob('dead-worker')) as Job;
    expect(job.id).toBe(`${rollout.id}.0.rollback`);
    await job.moveToFailed(new UnrecoverableError('job stalled more than allowable limit'), 'dead-worker');
    await taker.close();
    (await taker.client).disconnect();

    h.startWorker();
    // No reconciler round: the person's second rollback is what frees it.
    await h.queues.input({ rolloutId: rollout.id, inputId: 'second-rollback', kind: 'rollback', user: 'U0DEV' });
    const ended = await waitFor('the rollback finished', async () => ((await h.store.get(rollout.id))?.phase === 'rolled-back' ? h.store.get(rollout.id) : false));
    expect(ended?.phase).toBe('rolled-back');
    expect(h.replies.some((r) => r.includes('already rolling back'))).toBe(true);
  });
});

describe('an error that is a bug, not an outage', () => {
  it.each([
    ['a TypeError', () => new TypeError("Cannot read properties of undefined (reading 'spec')")],
    ['a ZodError', () => z.object({ replicas: z.number() }).safeParse({}).error as Error],
  ])('%s fails the step in the channel at once: no retries, no hold', async (_name, error) => {
    const h = (harness = startHarness({
      readBase: async () => {
        throw error();
      },
    }));
    const rollout = await queuedRollout(h);
    await h.queues.schedule(await h.store.pending(rollout.id));
    h.startWorker();
    const ended = await waitFor('the rollout to end', async () => {
      const r = await h.store.get(rollout.id);
      return r && r.phase !== 'queued' ? r : false;
    });
    expect(ended.phase).toBe('failed');
    expect(await audited(h, rollout.id)).not.toContain('StepHeld');
    const failed = (await notices(h, rollout.id)).find((n) => n.kind === 'failed');
    expect(failed).toMatchObject({ kind: 'failed', reason: expect.stringContaining('internal error') });
    expect(h.calls.filter((c) => c === 'readBase')).toHaveLength(1);
  });
});

describe('a bug outside the step (the stored rollout cannot be read)', () => {
  it('fails the job at once instead of retrying it', async () => {
    const h = (harness = startHarness());
    const rollout = await queuedRollout(h);
    await h.redis.set(h.store.keys.rollout(rollout.id), '{"id": "torn');
    await h.queues.schedule(await h.store.pending(rollout.id));
    h.startWorker();
    const jobId = `${rollout.id}.0.start`;
    await waitFor('the job failed', async () => (await h.queues.steps.getJobState(jobId)) === 'failed');
    expect((await h.queues.steps.getJob(jobId))?.attemptsMade).toBe(1);
    expect(h.calls).toEqual([]);
  });
});

describe('an outage', () => {
  it('waits as long as the server asks (Retry-After) before the next attempt', async () => {
    let first = true;
    const h = (harness = startHarness({
      readBase: async () => {
        if (!first) return { version: 'v1', replicas: 3 };
        first = false;
        throw new FleetError('unavailable', 'member1: reading the base: HTTP 429', 'member1', { retryAfterMs: 7_000 });
      },
    }));
    const rollout = await queuedRollout(h);
    await h.queues.schedule(await h.store.pending(rollout.id));
    h.startWorker();
    const jobId = `${rollout.id}.0.start`;
    const delayed = await waitFor('the step delayed after the 429', async () => ((await h.queues.steps.getJobState(jobId)) === 'delayed' ? h.queues.steps.getJob(jobId) : false));
    const client = await h.queues.steps.client;
    const score = Number(await client.zscore(`${h.prefix}:steps:delayed`, jobId));
    // BullMQ scores a delayed job by its due time (ms) × 4096 plus a counter.
    const due = Math.floor(score / 0x1000);
    expect(due - (delayed?.processedOn ?? 0)).toBeGreaterThanOrEqual(7_000);
  });

  it('that makes a call time out holds the rollout after one attempt, not after attempts × timeout', async () => {
    let h: Harness;
    h = harness = startHarness(
      {
        readBase: async () => {
          h.clock.now += 15_000; // the call's own timeout, on the injected clock
          throw new FleetError('unavailable', 'member1: reading the base: no answer within 15000 ms', 'member1');
        },
      },
      { slowFailureMs: 5_000 },
    );
    const rollout = await queuedRollout(h);
    await h.queues.schedule(await h.store.pending(rollout.id));
    h.startWorker();
    await waitFor('the hold', async () => (await audited(h, rollout.id)).includes('StepHeld'));
    expect(h.calls.filter((c) => c === 'readBase')).toHaveLength(1);
    expect((await notices(h, rollout.id)).map((n) => n.kind)).toContain('held');
  });
});

describe('a rollback sent while finalize is writing', () => {
  it('is refused, and the rollout ends succeeded, as the clusters are', async () => {
    let release!: () => void;
    const finalizeMayEnd = new Promise<void>((resolve) => (release = resolve));
    let finalizing!: () => void;
    const finalizeStarted = new Promise<void>((resolve) => (finalizing = resolve));
    const h = (harness = startHarness({
      finalize: async () => {
        finalizing();
        await finalizeMayEnd;
      },
    }));
    const promoted = Object.fromEntries(['member1', 'member2', 'member3'].map((c) => [c, { canary: 'deployed' as const, promoted: true, failedChecks: 0, history: [] }]));
    const rollout = await queuedRollout(h, { phase: 'finalizing', stage: 3, fromVersion: 'v1', cluster: promoted }, 'finalize');
    await h.queues.schedule(await h.store.pending(rollout.id));
    h.startWorker();
    await finalizeStarted;

    await h.queues.input({ rolloutId: rollout.id, inputId: 'click-1', kind: 'rollback', user: 'U0LEAD', responseUrl: 'http://unused' });
    await waitFor('the rollback answered', async () => h.replies.length > 0);
    release();
    const ended = await waitFor('the rollout to end', async () => {
      const r = await h.store.get(rollout.id);
      return r && (r.phase === 'succeeded' || r.phase === 'rolled-back') ? r : false;
    });
    expect(ended.phase).toBe('succeeded');
    expect(h.replies[0]).toContain('can no longer be rolled back');
    expect(h.calls).not.toContain('setPromoted');
  });
});

describe('stopping a worker (what SIGTERM does)', () => {
  it('finishes the step in flight and commits it before the worker is closed', async () => {
    let release!: () => void;
    const finalizeMayEnd = new Promise<void>((resolve) => (release = resolve));
    let finalizing!: () => void;
    const finalizeStarted = new Promise<void>((resolve) => (finalizing = resolve));
    const h = (harness = startHarness({
      finalize: async () => {
        finalizing();
        await finalizeMayEnd;
      },
    }));
    const rollout = await queuedRollout(h, { phase: 'finalizing', stage: 3, fromVersion: 'v1' }, 'finalize');
    await h.queues.schedule(await h.store.pending(rollout.id));
    const worker = h.startWorker();
    await finalizeStarted;
    let closed = false;
    const closing = worker.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    release();
    await closing;
    expect((await h.store.get(rollout.id))?.phase).toBe('succeeded');
  });
});
