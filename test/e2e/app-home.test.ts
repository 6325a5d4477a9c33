// The App Home tab end to end: the emulator sends app_home_opened (a signed JSON Events API
// request), rollgate answers with views.publish listing the active rollout.
import { afterEach, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

it('publishes the Home tab with the active rollouts when a person opens it', async () => {
  stack = await startStack();
  const s = stack;
  await s.command('U0DEV', 'start http-probe-app v2');
  const root = await waitFor('the root message', () => s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-')));
  const id = /Rollout (\S+):/.exec(root.text)![1]!;
  const reply = await s.slack.homeOpened({ user: 'U0LEAD' });
  expect(reply.status).toBe(200);
  const view = await waitFor('the published Home view', () => s.slack.state().views.U0LEAD as { type: string; blocks: unknown[] } | undefined);
  expect(view.type).toBe('home');
  expect(JSON.stringify(view.blocks)).toContain(id);
  expect(s.slack.state().views.U0DEV).toBeUndefined(); // published for the person who opened it
});
