// Analysis ticks live in one sorted set, not in BullMQ (issue 13: a tick job cost ~60 Redis
// commands). Real Redis, times given as numbers (no clock runs): the commit that schedules a
// tick puts it in the set and the next commit takes it out; a claim hides a tick until the
// claim's deadline, so a claimer that dies (claims, never finishes) hands it to the next one
// then; and the reconciler puts back a tick the set lost.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createQueues } from '../../jobs/queues.js';
import { reconcileOnce } from '../../jobs/reconciler.js';
import { createRolloutRunner } from '../../jobs/rollout-runner.js';
import { createRolloutStore } from '../../jobs/store.js';
import { createTickSet } from '../../jobs/tick-set.js';
import { created } from '../../rollout/machine.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';

const prefix = `test-${randomUUID().slice(0, 8)}`;
const app = testConfig().apps[0]!;
const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
const store = createRolloutStore({ redis, prefix });
const queues = createQueues({ connection: new Redis(inject('redisUrl'), { maxRetriesPerRequest: null }), prefix });
const ticks = createTickSet({ redis: async () => redis, key: store.keys.ticks });
const T0 = 1_000_000;
const CLAIM_MS = 30_000;

afterAll(async () => {
  await queues.close();
  (await queues.steps.client).disconnect();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const inSet = async () => Object.fromEntries((await redis.zrange(store.keys.ticks, 0, -1, 'WITHSCORES')).flatMap((v, i, all) => (i % 2 === 0 ? [[v, Number(all[i + 1])]] : [])));

/** A rollout whose canaries are ready: its next step is the first analysis tick, due a minute later. */
async function analysing(): Promise<Rollout> {
  // Each under an app name of its own: one app has one active rollout at a time.
  let rollout = { ...newRollout({ id: await store.nextId(app.name), app, version: 'v2', requester: 'U0DEV', nowMs: T0 }), app: `app-${randomUUID().slice(0, 8)}` };
  expect(await store.create(rollout, created(rollout, T0), [])).toEqual({ ok: true });
  const runner = createRolloutRunner({ store, queues, clock: () => T0 });
  for (const event of [{ type: 'RolloutStarted', fromVersion: 'v1' }, { type: 'CanaryDeployed' }, { type: 'ReadinessChecked', ready: true }] as const) {
    const outcome = await runner.apply(rollout.id, async () => ({ event }));
    if (outcome.kind !== 'applied') throw new Error(`not applied: ${JSON.stringify(outcome)}`);
    rollout = outcome.rollout;
  }
  return rollout;
}

describe('the tick set', () => {
  it('holds the tick a commit schedules, not the steps queue, and the next commit takes it out', async () => {
    const rollout = await analysing();
    const tickId = `${rollout.id}.${rollout.seq}.tick`;
    expect(await inSet()).toMatchObject({ [tickId]: T0 + 60_000 });
    expect(await queues.steps.getJob(tickId)).toBeUndefined();

    const runner = createRolloutRunner({ store, queues, clock: () => T0 + 60_000 });
    const good = (cluster: string) => ({
      cluster,
      metrics: [
        { metric: 'request-success-rate', value: 99.9, min: 99, passed: true, dryRun: false },
        { metric: 'request-duration', value: 120, max: 500, passed: true, dryRun: false },
      ],
    });
    const ticked = await runner.apply(rollout.id, async (r) => ({ event: { type: 'AnalysisTicked', results: r.clusters.map(good) } }));
    expect(ticked.kind).toBe('applied');
    const next = (ticked as { rollout: Rollout }).rollout;
    const set = await inSet();
    expect(set[tickId]).toBeUndefined();
    expect(set[`${rollout.id}.${next.seq}.tick`]).toBe(T0 + 120_000);

    // A rollback (any commit) makes the waiting tick stale: it leaves the set with it.
    const rolledBack = await runner.apply(rollout.id, async () => ({ event: { type: 'RollbackRequested', by: { user: 'U0LEAD', isApprover: true } } }));
    expect(rolledBack.kind).toBe('applied');
    expect(Object.keys(await inSet()).filter((id) => id.startsWith(`${rollout.id}.`))).toEqual([]);
  });

  it('hands a tick whose claimer died to the next claimer at the claim deadline, and only then', async () => {
    const rollout = await analysing();
    const tickId = `${rollout.id}.${rollout.seq}.tick`;
    const due = T0 + 60_000;
    expect((await ticks.claim({ until: due - 1, limit: 10, deadline: due - 1 + CLAIM_MS })).claimed.map((t) => t.id)).not.toContain(tickId);

    // The first claimer takes it, then is SIGKILLed: it never finishes nor renews.
    const first = await ticks.claim({ until: due, limit: 10, deadline: due + CLAIM_MS });
    expect(first.claimed).toContainEqual({ id: tickId, rolloutId: rollout.id, seq: rollout.seq, dueAt: due, claimedUntil: due + CLAIM_MS });
    expect(first.nextAt).toBeGreaterThanOrEqual(due);

    const beforeDeadline = await ticks.claim({ until: due + CLAIM_MS - 1, limit: 10, deadline: due + 2 * CLAIM_MS });
    expect(beforeDeadline.claimed.map((t) => t.id)).not.toContain(tickId);
    expect(beforeDeadline.nextAt).toBe(due + CLAIM_MS); // the next claimer knows when to look again

    const second = await ticks.claim({ until: due + CLAIM_MS, limit: 10, deadline: due + 2 * CLAIM_MS });
    expect(second.claimed.map((t) => t.id)).toContain(tickId);

    // The first claimer, had it lived on late, cannot take the tick from the second one.
    expect(await ticks.finish([tickId], due + CLAIM_MS)).toBe(0);
    expect(await ticks.release([tickId], due + CLAIM_MS, due)).toBe(0);
    expect((await inSet())[tickId]).toBe(due + 2 * CLAIM_MS);
    // The second one hands it back for a retry a second later, then finishes it.
    expect(await ticks.release([tickId], due + 2 * CLAIM_MS, due + CLAIM_MS + 1000)).toBe(1);
    const retried = await ticks.claim({ until: due + CLAIM_MS + 1000, limit: 10, deadline: due + 3 * CLAIM_MS });
    expect(retried.claimed.map((t) => t.id)).toContain(tickId);
    expect(await ticks.finish([tickId], due + 3 * CLAIM_MS)).toBe(1);
    expect((await inSet())[tickId]).toBeUndefined();
  });

  it('claims no more than asked, earliest first', async () => {
    const key = `${prefix}:other-ticks`;
    const own = createTickSet({ redis: async () => redis, key });
    await redis.zadd(key, 3, 'c-1.1.tick', 1, 'a-1.1.tick', 2, 'b-1.1.tick', 50, 'd-1.1.tick');
    const round = await own.claim({ until: 10, limit: 2, deadline: 100 });
    expect(round.claimed.map((t) => t.id)).toEqual(['a-1.1.tick', 'b-1.1.tick']);
    expect(round.nextAt).toBe(3);
    expect(await own.counts(10)).toEqual({ due: 1, later: 3 });
  });

  it('is repaired by the reconciler: a lost tick is put back, a claimed one is left to its claimer', async () => {
    const lost = await analysing();
    const claimed = await analysing();
    const lostId = `${lost.id}.${lost.seq}.tick`;
    const claimedId = `${claimed.id}.${claimed.seq}.tick`;
    await redis.zrem(store.keys.ticks, lostId); // say, a Redis restarted without it
    await redis.zadd(store.keys.ticks, 'XX', T0 + 90_000, claimedId); // claimed until then
    await reconcileOnce(store, queues, '1');
    const set = await inSet();
    expect(set[lostId]).toBe(T0 + 60_000);
    expect(set[claimedId]).toBe(T0 + 90_000);
    expect(await queues.steps.getJob(lostId)).toBeUndefined();
  });
});
