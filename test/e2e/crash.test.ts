// A worker killed with SIGKILL in the middle of a rollout: a new worker finishes it, no
// step is applied twice and no Slack message is posted twice.
import { afterEach, expect, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

it('survives SIGKILL of the worker mid-rollout', async () => {
  stack = await startStack({ layout: 'split' });
  const s = stack;
  await s.command('U0DEV', 'start http-probe-app v2');
  const root = await waitFor('the root message', () => s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-')));
  const id = /Rollout (\S+):/.exec(root.text)?.[1] as string;

  // Kill the only worker while the first stage is being deployed and analysed.
  await waitFor('the canary written', () => s.deployment('http-probe-app-canary'));
  s.workers[0]!.child.kill('SIGKILL');
  await new Promise((r) => s.workers[0]!.child.once('exit', r));
  s.spawnWorker();

  for (const cluster of ['member1', 'member2', 'member3']) {
    const gate = await waitFor(`the ${cluster} gate`, () => s.openGate(id, cluster), 40_000);
    if (cluster === 'member2') {
      // Kill the new worker right after a click too; a third one takes over.
      await s.click('U0LEAD', gate.ts, 'rollout_approve');
      s.workers[1]!.child.kill('SIGKILL');
      await new Promise((r) => s.workers[1]!.child.once('exit', r));
      s.spawnWorker();
    } else {
      await s.click('U0LEAD', gate.ts, 'rollout_approve');
    }
    await waitFor(`${cluster} approved`, () => s.message(gate.ts)?.text.includes('approved by'), 30_000);
  }
  await waitFor('the rollout to finish', () => s.rootOf(id)?.text.includes('Rolled out v2'), 60_000);

  const audit = await createRolloutStore({ redis: s.redis, prefix: s.prefix }).audit(id);
  const count = (what: string) => audit.filter((e) => e.what === what).length;
  expect([count('RolloutStarted'), count('CanaryDeployed'), count('GateApproved'), count('PromotionApplied'), count('Finalized')]).toEqual([1, 1, 3, 3, 1]);

  const posts = s.slack.calls('chat.postMessage').map((c) => String((c.args as { text?: string }).text));
  const duplicates = posts.filter((text, i) => posts.indexOf(text) !== i);
  expect(duplicates).toEqual([]);
  expect(posts.filter((t) => t.startsWith('Gate:')).length).toBe(3);
});
