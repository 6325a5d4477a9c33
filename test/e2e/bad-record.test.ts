// A damaged record in Redis against the real processes: the step that reads it fails with an
// error naming the key and the field, the record is left as it was for a person to look at,
// and the workers go on running every other rollout; listings leave it out.
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { expect, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { stackPerTest } from './conversation.js';
import { waitFor } from './stack.js';

const open = stackPerTest();

it('a rollout record rollgate cannot read stops neither the workers nor the other rollouts', async () => {
  const s = await open();
  const store = createRolloutStore({ redis: s.redis, prefix: s.prefix });
  const connection = s.redis.duplicate({ maxRetriesPerRequest: null });
  const steps = new Queue('steps', { connection, prefix: s.prefix });
  try {
    // Another app's rollout, damaged (its seq is not a number), with an analysis step due now.
    const bad = 'checkout-9';
    const key = store.keys.rollout(bad);
    const stored = JSON.parse(JSON.parse(readFileSync(new URL('../fixtures/stored-v0/awaiting-second-approval.json', import.meta.url), 'utf8')).rollout);
    const raw = JSON.stringify({ schemaVersion: 1, ...stored, id: bad, app: 'checkout', seq: 'seven' });
    await s.redis.set(key, raw);
    await s.redis.sadd(store.keys.active, bad);
    await steps.add('step', { rolloutId: bad, seq: 0, step: 'tick' }, { jobId: `${bad}.0.tick`, attempts: 2, backoff: { type: 'fixed', delay: 100 } });
    // And as ticks are scheduled now: in the tick set. The runner drops it (the reconciler would bring it back) and goes on.
    await s.redis.zadd(store.keys.ticks, 0, `${bad}.0.tick`);
    await waitFor('the bad tick taken out of the tick set', async () => (await s.redis.zscore(store.keys.ticks, `${bad}.0.tick`)) === null, 60_000);

    const failed = await waitFor('the step of the bad record failed', async () => {
      const jobs = await steps.getJobs(['failed']);
      return jobs.find((job) => job.data?.rolloutId === bad);
    }, 60_000);
    expect(failed.failedReason).toContain(key);
    expect(failed.failedReason).toContain('seq');
    expect(await s.redis.get(key)).toBe(raw);

    // The same workers carry a rollout from start to finish meanwhile.
    await s.command('U0DEV', 'start http-probe-app v2 --auto');
    const answer = await waitFor('the queued answer', () => s.slack.state().ephemerals.find((e) => e.user === 'U0DEV' && e.text.includes('is queued')));
    const id = /Rollout `([^`]+)`/.exec(answer.text)?.[1] as string;
    await waitFor(`${id} succeeded`, async () => (await store.get(id))?.phase === 'succeeded', 120_000);

    // Listings leave the unreadable record out instead of failing.
    await s.command('U0LEAD', 'start http-probe-app v3');
    await waitFor('a second rollout active', async () => (await store.activeRollouts()).some((r) => r.version === 'v3'), 60_000);
    const before = s.slack.state().ephemerals.length;
    await s.command('U0GUEST', 'list');
    const list = await waitFor('the list', () => s.slack.state().ephemerals.slice(before).find((e) => e.user === 'U0GUEST'));
    expect(list.text).toMatch(/http-probe-app \S+ → v3/);
    expect(list.text).not.toContain(bad);
    expect(await s.redis.get(key)).toBe(raw);
  } finally {
    await steps.close();
    connection.disconnect();
  }
}, 300_000);
