// SIGTERM while a step waits on a Kubernetes API that does not answer: the process ends
// within its shutdown deadline with one line, instead of outliving the platform's grace period.
import { afterEach, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

it('ends with one line at the shutdown deadline when a step is stuck on a slow API', async () => {
  stack = await startStack({ env: { ROLLGATE_SHUTDOWN_MS: '1500' } });
  const s = stack;
  s.fleet.setFault({ type: 'latency', cluster: 'karmada', ms: 10 * 60_000 });
  await s.command('U0DEV', 'start http-probe-app v2');
  const id = await waitFor('the rollout recorded', async () => (await s.redis.keys(`${s.prefix}:rollout:*`)).map((k) => /:rollout:([^:]+)$/.exec(k)?.[1]).find(Boolean), 60_000);
  await waitFor('its start step in flight', async () => (await s.openJobs(id)).length > 0 && (await s.redis.llen(`${s.prefix}:steps:active`)) > 0, 60_000);
  s.bot.child.kill('SIGTERM');
  const code = await new Promise((done) => s.bot.child.once('exit', done));
  expect(code).toBe(1);
  expect(s.bot.output()).toContain('shutdown: not finished after 1500 ms (ROLLGATE_SHUTDOWN_MS); exiting anyway');
  s.fleet.clearFaults();
});
