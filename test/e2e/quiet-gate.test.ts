// A thread people can read after a long wait: while a gate waits and nothing changes, the
// analysis summary is updated in place; a change (a failed check) posts a new reply.
import { afterEach, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const summaries = (s: Stack, id: string) => s.thread(id).filter((m) => m.text.startsWith('Analysis #'));
const tickOf = (text: string | undefined) => Number(/^Analysis #(\d+)/.exec(text ?? '')?.[1] ?? 0);

it('many unchanged intervals at a gate make one summary updated in place; a failing one posts anew', async () => {
  stack = await startStack(); // one-second intervals, one interval per stage
  const s = stack;
  await s.command('U0DEV', 'start http-probe-app v2');
  const root = await waitFor('the root message', () => s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-')));
  const id = /Rollout (\S+):/.exec(root.text)?.[1] as string;
  await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);
  // The first summary while the gate waits is a reply; then it is updated as intervals pass.
  const waiting = await waitFor('a summary after the gate opened', () => summaries(s, id).find((m) => tickOf(m.text) >= 2), 40_000);
  const first = tickOf(waiting.text);
  await waitFor('twelve more intervals', () => tickOf(s.message(waiting.ts)?.text) >= first + 12, 60_000);
  const replies = summaries(s, id);
  // Analysis #1 (before the gate) and the one updated in place: not one reply per interval.
  expect(replies.map((m) => m.ts)).toEqual([replies[0]!.ts, waiting.ts]);
  expect(JSON.stringify(s.message(waiting.ts)?.blocks)).toMatch(/\d+ intervals unchanged while the gate waits/);
  expect(s.slack.calls('chat.update').filter((c) => c.status === 200 && c.args.ts === waiting.ts).length).toBeGreaterThanOrEqual(12);

  // Something changes: member1's canary stops answering with data, a failed check.
  s.fleet.setFault({ type: 'prometheus', cluster: 'member1', mode: 'empty' });
  await waitFor('a new reply for the failed check', () => summaries(s, id).some((m) => m.ts > waiting.ts && m.text.includes('failed')), 40_000);
  console.log(`${tickOf(s.message(waiting.ts)?.text)} intervals, ${summaries(s, id).length} summary replies in the thread`);
});
