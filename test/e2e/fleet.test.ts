// Every rollout primitive on both kinds of fleet, from Slack: direct mode, the seed's Demo 3
// sequence, image versions, canary sizing, progress deadlines, unreachable clusters, a
// missing base, supersede and cooldown.
import { describe, expect, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { ephemeralsOf, say, stackPerTest } from './conversation.js';
import { waitFor, type Stack } from './stack.js';

const open = stackPerTest();

async function start(s: Stack, text: string, user = 'U0DEV'): Promise<string> {
  const before = ephemeralsOf(s, user).length;
  await s.command(user, text);
  const answer = await waitFor('the start answer', () => ephemeralsOf(s, user).slice(before).find((t) => t.includes('is queued')));
  return /Rollout `([^`]+)`/.exec(answer)?.[1] as string;
}

async function approve(s: Stack, id: string, clusters: string): Promise<void> {
  const gate = await waitFor(`the ${clusters} gate`, () => s.openGate(id, clusters), 40_000);
  await s.click('U0LEAD', gate.ts, 'rollout_approve');
  await waitFor(`${clusters} approved`, () => s.message(gate.ts)?.text.includes('approved by'));
}


const envOf = (d: any, name = 'ROLLOUT_LABEL') => d?.spec.template.spec.containers[0].env?.find((e: any) => e.name === name)?.value;
const finished = (s: Stack, id: string) => waitFor(`${id} to finish`, () => /Rolled out|Rolled back|Failed/.test(s.rootOf(id)?.text ?? '') && s.rootOf(id)?.text, 60_000);

describe('direct mode', () => {
  it('runs a whole per-cluster rollout writing to each member', async () => {
    const s = await open({ fleetMode: 'direct' });
    const id = await start(s, 'start http-probe-app v2');
    for (const member of ['member1', 'member2', 'member3']) {
      const canary = await waitFor(`canary in ${member}`, () => s.memberDeployment(member, 'http-probe-app-canary'));
      expect(canary.metadata.labels['app.kubernetes.io/managed-by']).toBe('rollgate');
      expect(canary.metadata.annotations['rollgate.dev/rollout-id']).toBe(id);
      expect(envOf(canary)).toBe('v2');
    }
    await approve(s, id, 'member1');
    const promoted = await waitFor('member1 base patched', async () => {
      const base = await s.memberDeployment('member1', 'http-probe-app');
      return envOf(base) === 'v2' && base;
    });
    expect(promoted.metadata.annotations['rollgate.dev/previous-version']).toBe('v1');
    expect(envOf(await s.memberDeployment('member2', 'http-probe-app'))).toBe('v1');
    await approve(s, id, 'member2');
    await approve(s, id, 'member3');
    expect(await finished(s, id)).toContain('Rolled out v2');
    for (const member of ['member1', 'member2', 'member3']) {
      const base = await s.memberDeployment(member, 'http-probe-app');
      expect(envOf(base)).toBe('v2');
      expect(base.metadata.annotations?.['rollgate.dev/previous-version']).toBeUndefined();
      expect(await s.memberDeployment(member, 'http-probe-app-canary')).toBeUndefined();
    }
  });

  it('holds the rollout while a cluster answers 503, says so, and carries on', async () => {
    const s = await open({ fleetMode: 'direct' });
    // The outage lasts until the held notice is seen (causality, not a wall-clock window).
    const outage = s.fleet.setFault({ type: 'api', cluster: 'member2', status: 503 });
    const id = await start(s, 'start http-probe-app v2');
    const held = await waitFor('the held notice', () => s.channel().find((m) => m.text.includes('is *held*')), 60_000);
    expect(held.text).toContain('cluster member2 unreachable');
    s.fleet.clearFaults(outage.id);
    await waitFor('the resumed notice', () => s.thread(id).find((m) => m.text.includes('The cluster answers again')), 30_000);
    await waitFor('the first gate', () => s.openGate(id, 'member1'), 40_000);
    expect(await s.memberDeployment('member2', 'http-probe-app-canary')).toBeDefined();
  });
});

describe('Karmada mode primitives', () => {
  it('runs seed Demo 3 from Slack, touching only the named cluster at every step', async () => {
    const s = await open();
    const id = await start(s, 'start http-probe-app v2 --clusters member1,member2');
    await waitFor('the first gate', () => s.openGate(id, 'member1'), 40_000);
    const policy = () => s.karmadaObject('propagationpolicies', 'http-probe-app-canary-propagation');
    const override = () => s.karmadaObject('overridepolicies', 'http-probe-app-promote-override');
    expect((await policy()).spec.placement.clusterAffinity.clusterNames).toEqual(['member1', 'member2']);
    const member3 = s.memberVersions('member3');
    let member1 = s.memberVersions('member1');
    // An operation is done when the rollout is back at its gate.
    // Slack messages are paced, so the stored phase, not the root message, says when it is done.
    const store = createRolloutStore({ redis: s.redis, prefix: s.prefix });
    const settled = (what: string) => waitFor(what, async () => (await store.get(id))?.phase === 'awaiting-approval', 20_000);

    await s.command('U0DEV', `uncanary ${id} member2`);
    await waitFor('member2 canary gone', async () => !(await s.memberDeployment('member2', 'http-probe-app-canary')));
    await settled('uncanary done');
    expect((await policy()).spec.placement.clusterAffinity.clusterNames).toEqual(['member1']);
    expect(s.memberVersions('member1')).toEqual(member1);

    await s.command('U0DEV', `canary ${id} member2`);
    await waitFor('member2 canary back', async () => (await s.memberDeployment('member2', 'http-probe-app-canary'))?.status?.readyReplicas === 1);
    await settled('canary done');
    expect(s.memberVersions('member1')).toEqual(member1);
    await say(s, 'U0DEV', `canary ${id} member2`, 'Nothing to do: member2 already runs a canary');

    member1 = s.memberVersions('member1');
    await s.command('U0LEAD', `promote ${id} member2`);
    await waitFor('member2 promoted', async () => envOf(await s.memberDeployment('member2', 'http-probe-app')) === 'v2');
    await settled('promote done');
    expect((await override()).spec.overrideRules[0].targetCluster.clusterNames).toEqual(['member2']);
    expect(s.memberVersions('member1')).toEqual(member1);

    await s.command('U0LEAD', `unpromote ${id} member2`);
    await waitFor('member2 back on v1', async () => envOf(await s.memberDeployment('member2', 'http-probe-app')) === 'v1');
    await settled('unpromote done');
    expect(await override()).toBeUndefined();
    await say(s, 'U0LEAD', `unpromote ${id} member2`, 'Nothing to do: member2 is not promoted');
    expect(s.memberVersions('member1')).toEqual(member1);
    await waitFor('root lists the operations', () => s.rootOf(id)?.blocks && JSON.stringify(s.rootOf(id)?.blocks).includes('rolled back the promotion of member2'));

    await say(s, 'U0GUEST', `promote ${id} member1`, 'not an approver');
    await say(s, 'U0DEV', `canary ${id} member3`, 'member3 is not part of rollout');

    await s.command('U0DEV', `rollback ${id}`);
    expect(await finished(s, id)).toContain('Rolled back');
    expect(await policy()).toBeUndefined();
    expect(await s.memberDeployment('member1', 'http-probe-app-canary')).toBeUndefined();
    expect(s.memberVersions('member3')).toEqual(member3);
  });

  it('rolls out an image version with a percentage canary sized from the live base (7 replicas)', async () => {
    const s = await open({
      mutateConfig: (doc) => {
        const base = { deployment: 'checkout', container: 'checkout', version: { image: true }, channel: 'C0ROLLOUTS', clusters: ['member1', 'member2', 'member3'], analysis: doc.apps[0].analysis, approvals: doc.apps[0].approvals };
        doc.apps.push({ ...base, name: 'checkout', strategy: 'canary-first', canary: { percentage: 20 } }, { ...base, name: 'checkout-small', canary: { percentage: 5 } });
      },
    });
    const id = await start(s, 'start checkout v2');
    const canary = await waitFor('the checkout canary', () => s.deployment('checkout-canary-member1'));
    expect(canary.spec.replicas).toBe(2);
    expect(canary.spec.template.spec.containers[0].image).toBe('registry.local/shop/checkout:v2');
    await approve(s, id, 'member1');
    const override = await waitFor('the image override', () => s.karmadaObject('overridepolicies', 'checkout-promote-override'));
    expect(override.spec.overrideRules[0].overriders.plaintext).toEqual([{ path: '/spec/template/spec/containers/0/image', operator: 'replace', value: 'registry.local/shop/checkout:v2' }]);
    await approve(s, id, 'member2, member3');
    expect(await finished(s, id)).toContain('Rolled out v2');
    expect((await s.deployment('checkout')).spec.template.spec.containers[0].image).toBe('registry.local/shop/checkout:v2');

    await start(s, 'start checkout-small v3');
    const small = await waitFor('the 5 % canary', () => s.deployment('checkout-canary'));
    expect(small.spec.replicas).toBe(1);
  });

  it('rolls back when a canary never becomes ready by the progress deadline, naming the cluster', async () => {
    const s = await open({ mutateConfig: (doc) => (doc.apps[0].progressDeadline = '6s') });
    s.fleet.setFault({ type: 'notReady', pods: 'http-probe-app-canary-.*' });
    const id = await start(s, 'start http-probe-app v2');
    const message = await waitFor('the deadline rollback', () => s.channel().find((m) => m.text.includes('rolled back automatically')), 40_000);
    expect(message.text).toContain('not ready within the progress deadline');
    expect(message.text).toMatch(/member1: canary 0\/1 ready/);
    expect(await s.deployment('http-probe-app-canary')).toBeUndefined();
    expect(s.rootOf(id)?.text).toContain('Rolled back');
  });

  it('refuses to start when the base Deployment does not exist, privately and clearly', async () => {
    const s = await open({ mutateConfig: (doc) => doc.apps.push({ ...doc.apps[0], name: 'ghost', deployment: 'ghost' }) });
    await s.command('U0DEV', 'start ghost v2');
    const answer = await waitFor('the private refusal', () => ephemeralsOf(s, 'U0DEV').find((t) => t.includes('could not start')), 30_000);
    expect(answer).toContain('Deployment default/ghost does not exist');
    expect(await s.deployment('ghost-canary')).toBeUndefined();
  });

  it('supersedes a running rollout: rolls it back, then starts the new version from the beginning', async () => {
    const s = await open();
    const first = await start(s, 'start http-probe-app v2');
    await waitFor('the first gate', () => s.openGate(first, 'member1'), 40_000);
    await say(s, 'U0SRE', 'start http-probe-app v3', 'already rolling out');
    await s.command('U0DEV', 'start http-probe-app v3 --supersede');
    expect(await finished(s, first)).toContain('superseded by v3');
    const second = await waitFor('the new rollout', () => s.roots().find((m) => m.text.includes('→ v3') || m.text.includes('… → v3')));
    const secondId = /Rollout (\S+):/.exec(second.text)?.[1] as string;
    expect(secondId).not.toBe(first);
    await waitFor('v3 canary', async () => envOf(await s.deployment('http-probe-app-canary')) === 'v3');
    await waitFor('v3 at its first gate', () => s.openGate(secondId, 'member1'), 40_000);
    expect(s.thread(secondId).filter((m) => m.text.startsWith('Analysis #')).length).toBeGreaterThan(0);
    expect(JSON.stringify(s.rootOf(secondId)?.blocks)).toContain('0/2 failed checks');
  });

  it('refuses a start inside the app’s cooldown, with the time left', async () => {
    const s = await open({ mutateConfig: (doc) => (doc.apps[0].cooldown = '1h') });
    const id = await start(s, 'start http-probe-app v2');
    await waitFor('the first gate', () => s.openGate(id, 'member1'), 40_000);
    await s.command('U0DEV', `rollback ${id}`);
    await finished(s, id);
    const refusal = await say(s, 'U0DEV', 'start http-probe-app v3', 'cooldown');
    expect(refusal).toMatch(/60 min left|59 min left|1 h left/);
  });
});
