// Retry from Slack, through the emulator: a held step runs at once on the Retry button of the
// held notice (a double click retries once), `/rollout retry` refuses clearly when nothing is
// held, and each try is in the audit. The held step's own retry is set far away (retryMs is
// 5 × the ready poll), so only the person's retry can move the rollout on in this test.
import { describe, expect, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { ephemeralsOf, say, stackPerTest } from './conversation.js';
import { waitFor } from './stack.js';

const open = stackPerTest();

describe('retry from Slack', () => {
  it('runs a held step now from the Retry button, once for a double click, and says when there is nothing to retry', async () => {
    const s = await open({ fleetMode: 'direct', env: { ROLLGATE_READY_POLL_MS: '60000' } });
    const store = createRolloutStore({ redis: s.redis, prefix: s.prefix });
    const outage = s.fleet.setFault({ type: 'api', cluster: 'member2', status: 503 });
    const started = await say(s, 'U0DEV', 'start http-probe-app v2', 'is queued');
    const id = /Rollout `([^`]+)`/.exec(started)?.[1] as string;
    const held = await waitFor('the held notice', () => s.channel().find((m) => m.text.includes('is *held*')), 60_000);
    const heldStep = (await store.get(id))?.held?.step;
    expect(heldStep).toBeDefined();

    // Not everyone may retry: a guest is refused privately, and nothing moves.
    const guestBefore = ephemeralsOf(s, 'U0GUEST').length;
    await s.click('U0GUEST', held.ts, 'rollout_retry');
    await waitFor('the guest refused', () => ephemeralsOf(s, 'U0GUEST').slice(guestBefore).find((t) => t.includes('Only the requester')));
    expect((await store.get(id))?.held?.retryBy).toBeUndefined();

    s.fleet.clearFaults(outage.id);
    const before = ephemeralsOf(s, 'U0DEV').length;
    await s.click('U0DEV', held.ts, 'rollout_retry');
    await s.click('U0DEV', held.ts, 'rollout_retry');
    await waitFor('the resumed notice', () => s.thread(id).find((m) => m.text.includes('The cluster answers again')), 40_000);
    // The second click is answered privately: a retry is under way, or nothing is held any more.
    await waitFor('the second click answered', () => ephemeralsOf(s, 'U0DEV').slice(before).find((t) => /already asked|Nothing to retry/.test(t)));
    const audit = await store.audit(id);
    const retries = audit.filter((e) => e.what === 'retry' || e.what === 'RetryRequested');
    expect(retries.filter((e) => !e.outcome.startsWith('refused'))).toEqual([expect.objectContaining({ who: 'U0DEV', what: 'RetryRequested', detail: `the held ${heldStep} step runs now` })]);
    expect(retries.filter((e) => e.outcome.startsWith('refused')).map((e) => e.who)).toEqual(['U0GUEST', 'U0DEV']);
    await waitFor('the retry note in the thread', () => s.thread(id).find((m) => m.text.includes('retries the held')));
    expect(s.thread(id).filter((m) => m.text.includes('retries the held'))).toHaveLength(1);

    // Nothing held now: the command says so and changes nothing.
    const seq = (await store.get(id))?.seq;
    await say(s, 'U0DEV', `retry ${id}`, 'Nothing to retry').catch((error: Error) => {
      throw new Error(`${error.message}\n${ephemeralsOf(s, 'U0DEV').join('\n')}\n${s.logs()}`);
    });
    expect((await store.get(id))?.seq).toBe(seq);
  });
});
