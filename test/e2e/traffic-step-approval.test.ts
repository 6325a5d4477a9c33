// approvals.trafficSteps through the whole stack (Slack emulator, simulated fleet, rollgate as
// child processes): each step waits for "Increase CLUSTER to W %" on the root message, a
// double click increases once, and the gate opens only after the last step was approved.
import { describe, expect, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { ephemeralsOf, stackPerTest } from './conversation.js';
import { waitFor, type Stack } from './stack.js';

const open = stackPerTest();

const stepApproval = (doc: Record<string, any>) => {
  doc.apps[0].canary = { replicas: 1, traffic: { provider: 'replicas', stepWeight: 25, maxWeight: 50 } };
  doc.apps[0].approvals.trafficSteps = true;
};

async function start(s: Stack, text: string): Promise<string> {
  const before = ephemeralsOf(s, 'U0DEV').length;
  await s.command('U0DEV', text);
  const answer = await waitFor('the start answer', () => ephemeralsOf(s, 'U0DEV').slice(before).find((t) => t.includes('is queued')));
  return /Rollout `([^`]+)`/.exec(answer)?.[1] as string;
}

const rootBlocks = (s: Stack, id: string) => JSON.stringify(s.rootOf(id)?.blocks ?? []);

describe('per-step approval (approvals.trafficSteps)', { timeout: 240_000 }, () => {
  it.each(['direct', 'karmada'] as const)('%s mode: each cluster waits at 25 % for its button; a double click moves member1 once; the gate opens after the last step', async (fleetMode) => {
    const s = await open({ fleetMode, mutateConfig: stepApproval });
    const id = await start(s, 'start http-probe-app v2');
    await waitFor('the increase buttons', () => ['member1', 'member2', 'member3'].every((c) => rootBlocks(s, id).includes(`Increase ${c} to 50 %`)), 90_000);
    const store = createRolloutStore({ redis: s.redis, prefix: s.prefix });
    expect((await store.get(id))?.cluster['member1']?.weight).toBe(25);
    // Several passing intervals go by at 25 %: nothing moves without a click, no gate opens.
    await waitFor('more intervals at 25 %', async () => ((await store.get(id))?.tick ?? 0) >= 4, 90_000);
    expect(s.openGate(id, 'member1')).toBeUndefined();
    expect((await store.get(id))?.cluster['member1']?.weights?.map((w) => w.weight)).toEqual([25]);

    // The requester may not take a step (same rules as a gate).
    const ts = s.rootOf(id)?.ts as string;
    const devBefore = ephemeralsOf(s, 'U0DEV').length;
    await s.click('U0DEV', ts, 'rollout_increase_member1');
    await waitFor('the refusal', () => ephemeralsOf(s, 'U0DEV').slice(devBefore).find((t) => t.includes('someone else has to approve')));

    const leadBefore = ephemeralsOf(s, 'U0LEAD').length;
    await s.click('U0LEAD', ts, 'rollout_increase_member1');
    await s.click('U0LEAD', ts, 'rollout_increase_member1');
    await waitFor('the second click refused', () => ephemeralsOf(s, 'U0LEAD').slice(leadBefore).find((t) => t.includes('member1 is already at 50 %')));
    expect((await store.get(id))?.cluster['member1']?.weights?.map((w) => w.weight)).toEqual([25, 50]);
    expect(s.openGate(id, 'member1')).toBeUndefined(); // member2 and member3 still wait

    await s.click('U0LEAD', ts, 'rollout_increase_member2');
    await s.click('U0LEAD', ts, 'rollout_increase_member3');
    await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 90_000);
    const audit = (await store.audit(id)).filter((e) => e.what === 'TrafficStepApproved');
    expect(audit.map((e) => `${e.who} ${e.cluster} ${e.detail}`).sort()).toEqual(['U0LEAD member1 to 50 %', 'U0LEAD member2 to 50 %', 'U0LEAD member3 to 50 %']);
    expect(rootBlocks(s, id)).not.toContain('Increase member1');
    // What the cluster runs: the canary (Karmada: one for the region) sized for 50 % beside the base's 2 replicas (ceil(2 × 50 / 50) = 2).
    const canary = fleetMode === 'karmada' ? await s.deployment('http-probe-app-canary') : await s.memberDeployment('member1', 'http-probe-app-canary');
    expect(canary?.spec.replicas).toBe(2);
  });
});
