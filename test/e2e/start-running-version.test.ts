// A start of the version that already runs, on the slow path: the receiver's bounded read of
// the running version fails or takes longer than its budget, so the start is recorded and the
// start step finds the version running. The requester gets one private message (their
// "queued" replaced), the channel shows nothing: no root left behind, no ❌ broadcast.
// The slow path is forced with fleet faults (a 500 for the receiver's read; then latency far
// over the receiver's 1.5 s budget), never by measuring time.
import { describe, expect, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { ephemeralsOf, stackPerTest } from './conversation.js';
import { waitFor, type Stack } from './stack.js';

const open = stackPerTest();
const ANSWER = ':information_source: http-probe-app already runs v1: there is nothing to roll out. Nothing was started.';

async function startRunningVersion(s: Stack, id: string): Promise<void> {
  const store = createRolloutStore({ redis: s.redis, prefix: s.prefix });
  const before = ephemeralsOf(s, 'U0DEV').length;
  await s.command('U0DEV', 'start http-probe-app v1');
  // Recorded (the slow path), then ended by the start step, every notice handled.
  await waitFor(`${id} ended with nothing to do`, async () => {
    const rollout = await store.get(id);
    return rollout?.outcome?.kind === 'failed' && rollout.outcome.nothingToDo !== undefined && (await store.outbox(id)).length === 0;
  });
  await waitFor('the private answer', () => ephemeralsOf(s, 'U0DEV').slice(before).includes(ANSWER));
  // One private message: "queued" was replaced in place, not followed by a second one.
  expect(ephemeralsOf(s, 'U0DEV').slice(before)).toEqual([ANSWER]);
  expect(await store.audit(id)).toEqual([expect.objectContaining({ what: 'start', outcome: 'queued' }), expect.objectContaining({ what: 'AlreadyRunning', outcome: 'failed' })]);
}

describe('a start of the version that already runs, caught by the start step', () => {
  it('leaves nothing in the channel and answers privately once, whether the receiver read failed or was too slow', async () => {
    const s = await open();

    // 1. The receiver's read fails (one 500 on the base Deployment); the start step's read succeeds.
    s.fleet.setFault({ type: 'api', cluster: 'karmada', status: 500, count: 1, method: 'GET', path: 'deployments/http-probe-app$' });
    await startRunningVersion(s, 'http-probe-app-1');
    expect(s.fleet.faults()).toEqual([]); // the receiver's read took the 500

    // 2. The Karmada API answers only after 3 s, twice the receiver's budget: the start goes
    //    ahead; the root waits for the start step's answer (up to 5 s), so usually none is posted.
    const slow = s.fleet.setFault({ type: 'latency', cluster: 'karmada', ms: 3000 });
    await startRunningVersion(s, 'http-probe-app-2');
    s.fleet.clearFaults(slow.id);

    // Nothing public: no message in the channel, no tombstone, nothing broadcast. Any root
    // that was posted was deleted again, and no reply was ever posted in a thread.
    expect(s.channel()).toEqual([]);
    const posts = s.slack.calls('chat.postMessage');
    expect(posts.filter((c) => c.args.thread_ts)).toEqual([]);
    expect(s.slack.calls('chat.delete').map((c) => c.args.ts)).toEqual(posts.map((c) => c.response.ts));
    expect(s.slack.calls('chat.postMessage').some((c) => String(c.args.text).includes(':x:'))).toBe(false);

    // The app is free again: a real start goes ahead at once (no lock, no cooldown from a no-op).
    await s.command('U0DEV', 'start http-probe-app v2');
    await waitFor('the real rollout', () => s.rootOf('http-probe-app-3'));
  });
});
