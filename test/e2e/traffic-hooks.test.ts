// Webhooks holding weighted steps end to end (Flagger): the canary gets no weight before its
// pre-rollout hook passed, and confirm-traffic-increase (the load-tester stand-in's
// /gate/check, closed until /gate/open) keeps every cluster at its weight until it answers 2xx.
import { afterEach, expect, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { createLoadTester, type LoadTester } from '@rollgate/fleet-sim';
import { startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
let tester: LoadTester | undefined;
afterEach(async () => {
  await stack?.stop();
  await tester?.close();
  stack = undefined;
  tester = undefined;
});

it('direct mode: no weight at readiness with a pre-rollout hook; steps (the first too) wait for confirm-traffic-increase, then walk 25 → 50 % and the gate opens', { timeout: 240_000 }, async () => {
  tester = createLoadTester();
  const url = await tester.listen(0);
  const s = (stack = await startStack({
    fleetMode: 'direct',
    mutateConfig: (doc) => {
      doc.apps[0].canary = { replicas: 1, traffic: { provider: 'replicas', stepWeight: 25, maxWeight: 50 } };
      doc.apps[0].analysis.webhooks = [
        { name: 'smoke', type: 'pre-rollout', url: `${url}/`, metadata: { cmd: 'curl -sf http://http-probe-app-canary.default:8080/' } },
        { name: 'traffic-window', type: 'confirm-traffic-increase', url: `${url}/gate/check` },
      ];
    },
  }));
  await s.command('U0DEV', 'start http-probe-app v2');
  const root = await waitFor('the root message', () => s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-')));
  const id = /Rollout (\S+):/.exec(root.text)?.[1] as string;
  const store = createRolloutStore({ redis: s.redis, prefix: s.prefix });
  const lt = tester;

  // With pre-rollout hooks no weight is given at readiness; the first weight is an increase
  // like the others (Flagger), so while the hook says no every cluster stays at 0, no gate.
  await waitFor('three intervals held by the hook', () => lt.calls().filter((c) => c.path === '/gate/check' && c.payload?.metadata?.cluster === 'member1').length >= 3, 90_000);
  const held = await store.get(id);
  expect(held?.clusters.map((c) => held.cluster[c]?.weight ?? 0)).toEqual([0, 0, 0]);
  expect(held?.clusters.every((c) => held.cluster[c]?.preRolloutPassed)).toBe(true);
  expect(s.openGate(id, 'member1')).toBeUndefined();
  const audit = (await store.audit(id)).map((e) => e.what);
  expect(audit).toContain('AnalysisTicked');
  expect(audit).not.toContain('TrafficShifted');

  await fetch(`${lt.url()}/gate/open`, { method: 'POST', body: JSON.stringify({ name: 'http-probe-app', namespace: 'default' }) });
  await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 90_000);
  const done = await store.get(id);
  expect(done?.clusters.map((c) => done.cluster[c]?.weights?.map((w) => w.weight))).toEqual([[25, 50], [25, 50], [25, 50]]);
});
