// The Redis store against real Redis: atomic creation with the app lock, compare-and-set
// commits, and a lock that a dead rollout cannot hold forever.
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { COMMIT_ROLLOUT } from '../../jobs/scripts.js';
import { createRolloutStore } from '../../jobs/store.js';
import { created, transition } from '../../rollout/machine.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { createTestStore } from '../support/test-store.js';
import { waitFor } from '../support/wait-for.js';

const testStore = createTestStore(inject('redisUrl'));
const { redis, store, prefix } = testStore;
const app = testConfig().apps[0]!;

afterAll(() => testStore.close());

async function create(requester = 'U0DEV') {
  const rollout = newRollout({ id: await store.nextId(app.name), app, version: 'v2', requester, nowMs: 1000 });
  return { rollout, result: await store.create(rollout, created(rollout, 1000), [{ at: 1000, who: requester, what: 'start', outcome: 'queued' }]) };
}

describe('rollout store', () => {
  it('creates a rollout with its outbox, pending start step and audit entry in one go', async () => {
    const { rollout, result } = await create();
    expect(result).toEqual({ ok: true });
    expect(await store.get(rollout.id)).toEqual(rollout);
    expect((await store.outbox(rollout.id)).map((i) => i.notice.kind)).toEqual(['root']);
    expect(await store.pending(rollout.id)).toEqual([{ jobId: `${rollout.id}.0.start`, rolloutId: rollout.id, step: 'start', seq: 0, at: 1000 }]);
    expect(await store.audit(rollout.id)).toEqual([{ at: 1000, who: 'U0DEV', what: 'start', outcome: 'queued' }]);
    expect(await store.activeIds()).toContain(rollout.id);

    // A second rollout of the same app is refused, naming the active one.
    const second = await create('U0SRE');
    expect(second.result).toEqual({ ok: false, activeId: rollout.id });
    expect(await store.get(second.rollout.id)).toBeUndefined();

    // Compare-and-set: the first writer wins, a writer holding the old seq loses.
    const step = transition(rollout, { type: 'RolloutStarted', fromVersion: 'v1' }, 2000);
    if (!step.ok) throw new Error('refused');
    expect(await store.commit(rollout, step.rollout, step.effects, [])).toBe(true);
    expect(await store.commit(rollout, step.rollout, step.effects, [])).toBe(false);
    expect((await store.get(rollout.id))?.seq).toBe(1);

    // Ending the rollout releases the lock; the app can roll out again.
    const failed = transition(step.rollout, { type: 'StepFailed', step: 'deploy-canary', problem: { said: 'refused', message: 'x' } }, 3000);
    if (!failed.ok) throw new Error('refused');
    expect(await store.commit(step.rollout, failed.rollout, failed.effects, [])).toBe(true);
    expect(await store.activeFor(app.name)).toBeUndefined();
    expect((await create('U0SRE')).result).toEqual({ ok: true });
  });

  it('takes over a lock whose rollout ended without releasing it (a crash)', async () => {
    const other = createRolloutStore({ redis, prefix: `${prefix}-crash` });
    const rollout = newRollout({ id: 'http-probe-app-77', app, version: 'v2', requester: 'U0DEV', nowMs: 1 });
    await other.create(rollout, [], []);
    // Simulate a crash that wrote the terminal state but never released the lock.
    await redis.set(other.keys.rollout(rollout.id), JSON.stringify({ ...rollout, phase: 'rolled-back' }));
    const next = newRollout({ id: 'http-probe-app-78', app, version: 'v3', requester: 'U0DEV', nowMs: 2 });
    expect(await other.create(next, [], [])).toEqual({ ok: true });
    const keys = await redis.keys(`${prefix}-crash:*`);
    await redis.del(...keys);
  });

  it('leases expire by themselves and only the holder releases them', async () => {
    const key = `${prefix}:lease`;
    const token = await store.acquire(key, 200);
    expect(token).toBeTruthy();
    expect(await store.acquire(key, 200)).toBeUndefined();
    await store.release(key, 'not-the-token');
    expect(await store.acquire(key, 200)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 250));
    expect(await store.acquire(key, 200)).toBeTruthy();
  });

  it('calls its scripts by SHA, and goes on when Redis has forgotten them (a restart, a failover)', async () => {
    const own = { ...app, name: 'by-sha' };
    const rollout = newRollout({ id: await store.nextId(own.name), app: own, version: 'v2', requester: 'U0OPS', nowMs: 1000 });
    expect(await store.create(rollout, created(rollout, 1000), [])).toEqual({ ok: true });
    const started = transition(rollout, { type: 'RolloutStarted', fromVersion: 'v1' }, 2000);
    if (!started.ok) throw new Error('refused');
    expect(await store.commit(rollout, started.rollout, started.effects, [])).toBe(true);
    const sha = createHash('sha1').update(COMMIT_ROLLOUT).digest('hex');
    expect(await redis.script('EXISTS', sha)).toEqual([1]);
    // Every script gone, as after a restart without persistence: the next commit loads it again.
    await redis.script('FLUSH');
    const deployed = transition(started.rollout, { type: 'CanaryDeployed' }, 3000);
    if (!deployed.ok) throw new Error('refused');
    const monitor = await new Redis(inject('redisUrl')).monitor();
    const sent: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (!source.includes('lua') && args.some((a) => a.startsWith(`${prefix}:rollout:${rollout.id}`))) sent.push(String(args[0]).toLowerCase());
    });
    expect(await store.commit(started.rollout, deployed.rollout, deployed.effects, [])).toBe(true);
    const next = transition(deployed.rollout, { type: 'ReadinessChecked', ready: true }, 4000);
    if (!next.ok) throw new Error('refused');
    expect(await store.commit(deployed.rollout, next.rollout, next.effects, [])).toBe(true);
    await waitFor('both commits seen by MONITOR', () => sent.filter((c) => c === 'evalsha').length >= 2);
    monitor.disconnect();
    // The forgotten script: tried by SHA, sent once in full (unless a test running beside this one
    // loaded it first); the next commit by SHA alone.
    expect(sent.join(' ')).toMatch(/^evalsha (eval )?evalsha$/);
    expect((await store.get(rollout.id))?.seq).toBe(next.rollout.seq);
    expect(await redis.script('EXISTS', sha)).toEqual([1]);
  });
});
