// Slack's rate limits against the real process: a 429 storm on every Web API method while
// two rollouts run. Afterwards every notice is in Slack exactly once, and the other
// rollout's promotion, clicked during the storm, was not held back: steps and notices are
// separate queues, and a rate-limited notice waits in Redis, not in a worker.
import { afterEach, expect, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const STORM_MS = 5000;

async function start(s: Stack, text: string): Promise<string> {
  const before = s.slack.state().ephemerals.length;
  await s.command('U0DEV', text);
  const answer = await waitFor(`the answer to ${text}`, () => s.slack.state().ephemerals.slice(before).find((e) => e.user === 'U0DEV' && e.text.includes('is queued')));
  return /Rollout `([^`]+)`/.exec(answer.text)?.[1] as string;
}

const summaryNumbers = (s: Stack, id: string) => s.thread(id).flatMap((m) => /^Analysis #(\d+)/.exec(m.text)?.[1] ?? []).map(Number);
const outboxLength = (s: Stack, id: string) => s.redis.llen(`${s.prefix}:rollout:${id}:outbox`);

it('a 429 storm on every method: every notice arrives exactly once, and another rollout promotes on time', async () => {
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

  s.slack.setFaults({ rateLimit: { forMs: STORM_MS, retryAfterSeconds: 1 } });
  const stormStart = Date.now();
  const stormEnd = stormStart + STORM_MS;
  await new Promise((r) => setTimeout(r, 1000));

  // A click is a request to the bot, not a Web API call: it works during the storm, and the
  // promotion it starts runs on the steps queue, which notices do not share.
  const clicked = await s.slack.click({ user: 'U0LEAD', ts: checkoutGate.ts, action_id: 'rollout_approve', channel: 'C0CHECKOUT' });
  expect(clicked.status).toBe(200);
  const clickedAt = Date.now();
  await waitFor('the checkout promotion', () => s.karmadaObject('overridepolicies', 'checkout-promote-override'), 10_000);
  const promotedAt = Date.now();
  expect(promotedAt).toBeLessThan(stormEnd); // promoted while Slack still answered every call with 429

  // Notices wait out the storm and then catch up at the channel's pace.
  await waitFor('the storm over', () => Date.now() > stormEnd + 100, STORM_MS + 1000);
  const limited = s.slack.calls().filter((c) => c.status === 429 && c.at >= stormStart);
  expect(limited.length).toBeGreaterThan(0);
  // Retry-After honoured: about one try per channel per second of storm, not a hammering.
  expect(limited.length).toBeLessThanOrEqual(2 * (STORM_MS / 1000 + 2));
  const caughtUp = await waitFor('the outboxes drained after the storm', async () => (await outboxLength(s, probe)) === 0 && (await outboxLength(s, checkout)) === 0 && Date.now(), 30_000);
  const firstAfter = s.slack.calls('chat.postMessage').find((c) => c.status === 200 && c.at >= stormStart);

  // A promotion after the storm, for comparison.
  const probeGate = await waitFor('the http-probe-app member1 gate', () => s.openGate(probe, 'member1'), 40_000);
  const clickedAfter = Date.now();
  await s.click('U0LEAD', probeGate.ts, 'rollout_approve');
  await waitFor('the http-probe-app promotion', () => s.karmadaObject('overridepolicies', 'http-probe-app-promote-override'), 10_000);
  const promotedAfter = Date.now();

  // End both rollouts, so nothing more is queued, and let everything drain.
  for (const id of [probe, checkout]) await s.command('U0DEV', `rollback ${id}`);
  for (const id of [probe, checkout]) {
    await waitFor(`${id} rolled back`, async () => (await store.get(id))?.phase === 'rolled-back', 30_000);
    await waitFor(`${id}'s last notices`, async () => (await outboxLength(s, id)) === 0 && s.rootOf(id)?.text.includes('Rolled back'), 30_000);
  }

  console.log(
    [
      `storm ${STORM_MS} ms: ${limited.length} calls answered 429 (${limited.filter((c) => c.method === 'chat.postMessage').length} chat.postMessage, ${limited.filter((c) => c.method === 'chat.update').length} chat.update)`,
      `first notice accepted ${firstAfter ? firstAfter.at - stormEnd : '?'} ms after the storm; outboxes empty ${caughtUp - stormEnd} ms after it`,
      `checkout promoted ${promotedAt - clickedAt} ms after its click during the storm; http-probe-app ${promotedAfter - clickedAfter} ms after its click with no storm`,
    ].join('\n'),
  );

  for (const id of [probe, checkout]) {
    const rollout = (await store.get(id))!;
    // Every analysis summary once, none missing.
    expect(summaryNumbers(s, id).sort((a, b) => a - b), id).toEqual(Array.from({ length: rollout.tick }, (_, i) => i + 1));
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
  expect(texts.length).toBeGreaterThan(10);
  expect(texts.filter((t, i) => texts.indexOf(t) !== i)).toEqual([]);
});
