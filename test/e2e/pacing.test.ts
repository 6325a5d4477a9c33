// Slack's rate limits against the real process: a 429 storm on every Web API method while
// two rollouts run. Afterwards every notice is in Slack exactly once, and the other
// rollout's promotion, clicked during the storm, was not held back: steps and notices are
// separate queues, and a rate-limited notice waits in Redis, not in a worker. Asserted as
// order (the promotion is written before Slack accepts anything), never as a time window.
import { afterEach, expect, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** Longer than the test: the test clears the storm itself. */
const STORM_UNTIL_CLEARED_MS = 10 * 60_000;

async function start(s: Stack, text: string): Promise<string> {
  const before = s.slack.state().ephemerals.length;
  await s.command('U0DEV', text);
  const answer = await waitFor(`the answer to ${text}`, () => s.slack.state().ephemerals.slice(before).find((e) => e.user === 'U0DEV' && e.text.includes('is queued')));
  return /Rollout `([^`]+)`/.exec(answer.text)?.[1] as string;
}

const summaryNumbers = (s: Stack, id: string) => s.thread(id).flatMap((m) => /^Analysis #(\d+)/.exec(m.text)?.[1] ?? []).map(Number);
const outboxLength = (s: Stack, id: string) => s.redis.llen(`${s.prefix}:rollout:${id}:outbox`);

it('a 429 storm on every method: every notice arrives exactly once, and another rollout promotes without waiting for Slack', async () => {
  stack = await startStack({
    channels: [
      { id: 'C0ROLLOUTS', name: 'rollouts' },
      { id: 'C0CHECKOUT', name: 'checkout' },
    ],
    mutateConfig: (doc) => {
      // Two-second intervals: a summary every 2 s per rollout stays under a channel's one post a second.
      doc.apps[0].analysis.interval = '2s';
      doc.apps.push({ ...structuredClone(doc.apps[0]), name: 'checkout', deployment: 'checkout', container: 'checkout', version: { image: true }, channel: 'C0CHECKOUT' });
    },
  });
  const s = stack;
  const store = createRolloutStore({ redis: s.redis, prefix: s.prefix });

  const checkout = await start(s, 'start checkout v2');
  const checkoutGate = await waitFor('the checkout member1 gate', () => s.openGate(checkout, 'member1'), 40_000);
  expect(checkoutGate.channel).toBe('C0CHECKOUT');
  const probe = await start(s, 'start http-probe-app v2');
  await waitFor('the first summary of http-probe-app', () => summaryNumbers(s, probe).includes(1), 40_000);

  // A storm that lasts until the test ends it, so nothing below races its end. The calls Slack
  // answered before it are told apart by identity, not by time: one answered in the same
  // millisecond just before the storm is not the storm's.
  const beforeStorm = new Set(s.slack.calls());
  s.slack.setFaults({ rateLimit: { forMs: STORM_UNTIL_CLEARED_MS, retryAfterSeconds: 1 } });
  const stormStart = Date.now();
  const duringStorm = () => s.slack.calls().filter((c) => !beforeStorm.has(c));
  const accepted = () => duringStorm().filter((c) => c.status === 200);
  // Notices are being turned away (a summary or a root update of http-probe-app keeps coming).
  await waitFor('a notice answered 429', () => duringStorm().some((c) => c.status === 429), 60_000);

  // A click is a request to the bot, not a Web API call: it works during the storm, and the
  // promotion it starts runs on the steps queue, which notices do not share.
  const clicked = await s.slack.click({ user: 'U0LEAD', ts: checkoutGate.ts, action_id: 'rollout_approve', channel: 'C0CHECKOUT' });
  expect(clicked.status).toBe(200);
  await waitFor('the checkout promotion', () => s.karmadaObject('overridepolicies', 'checkout-promote-override'), 60_000);
  // Causality, not speed: the promotion is in the cluster while Slack has not accepted a single
  // call since the storm began, so it did not wait behind any notice.
  expect(accepted()).toEqual([]);
  expect(await outboxLength(s, checkout)).toBeGreaterThan(0); // its gate update is still waiting

  s.slack.clearFaults();
  const stormEnd = Date.now();
  const limited = duringStorm().filter((c) => c.status === 429);
  expect(limited.length).toBeGreaterThan(0);
  // Retry-After honoured: per channel (2) and lane (post, update), about one try per second of
  // storm, not a hammering. A slow machine only makes fewer tries.
  expect(limited.length).toBeLessThanOrEqual(2 * 2 * (Math.ceil((stormEnd - stormStart) / 1000) + 1));

  // Notices catch up at the channel's pace once Slack accepts them again.
  await waitFor('the outboxes drained after the storm', async () => (await outboxLength(s, probe)) === 0 && (await outboxLength(s, checkout)) === 0, 60_000);

  // A promotion after the storm works the same way.
  const probeGate = await waitFor('the http-probe-app member1 gate', () => s.openGate(probe, 'member1'), 60_000);
  await s.click('U0LEAD', probeGate.ts, 'rollout_approve');
  await waitFor('the http-probe-app promotion', () => s.karmadaObject('overridepolicies', 'http-probe-app-promote-override'), 60_000);

  // End both rollouts, so nothing more is queued, and let everything drain.
  for (const id of [probe, checkout]) await s.command('U0DEV', `rollback ${id}`);
  for (const id of [probe, checkout]) {
    await waitFor(`${id} rolled back`, async () => (await store.get(id))?.phase === 'rolled-back', 30_000);
    await waitFor(`${id}'s last notices`, async () => (await outboxLength(s, id)) === 0 && s.rootOf(id)?.text.includes('Rolled back'), 30_000);
  }

  console.log(`storm of ${stormEnd - stormStart} ms: ${limited.length} calls answered 429 (${limited.filter((c) => c.method === 'chat.postMessage').length} chat.postMessage, ${limited.filter((c) => c.method === 'chat.update').length} chat.update)`);

  for (const id of [probe, checkout]) {
    const rollout = (await store.get(id))!;
    // Every analysis summary once, in order, the last one shown: a summary repeating the last
    // while a gate waits updates it in place, so numbers may skip but never repeat or go back.
    const shown = summaryNumbers(s, id);
    expect(shown, id).toEqual([...new Set(shown)].sort((a, b) => a - b));
    expect(shown.at(-1), id).toBe(rollout.tick);
    const gateTs = await store.messageTs(id, 'gate-1');
    expect(s.thread(id).some((m) => m.ts === gateTs), `${id}'s gate message`).toBe(true);
    expect(s.roots().filter((m) => m.text.includes(`Rollout ${id}:`)), `${id}'s root`).toHaveLength(1);
    expect(s.channel().filter((m) => m.reply_broadcast && m.text.includes(id) && m.text.includes('rolled back')), `${id}'s rollback message`).toHaveLength(1);
  }
  // The gate approved during the storm shows it, once Slack let us say so.
  expect(s.message(checkoutGate.ts)?.text).toContain('approved by <@U0LEAD>');
  // Nothing posted twice: every accepted chat.postMessage is different (two rollouts' summaries
  // may read the same, in their own threads).
  const texts = s.slack.calls('chat.postMessage').filter((c) => c.status === 200).map((c) => `${String(c.args.channel)} ${String(c.args.thread_ts ?? '')} ${String(c.args.text)}`);
  // At least each rollout's root, first summary, gate and rollback notice (summaries repeating
  // the last while a gate waits are updates, not posts).
  expect(texts.length).toBeGreaterThanOrEqual(8);
  expect(texts.filter((t, i) => texts.indexOf(t) !== i)).toEqual([]);
}, 300_000); // a deadline for a hung run only; nothing above is timed
