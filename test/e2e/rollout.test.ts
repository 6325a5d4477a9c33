// Whole rollouts from Slack, end to end: signed requests in; Web API calls and Kubernetes
// objects observed. rollgate runs as a real process against the emulator and the fleet.
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const APPROVE = 'rollout_approve';
const ROLLBACK = 'rollout_rollback';

async function startRollout(s: Stack, text: string): Promise<string> {
  const answer = await s.command('U0DEV', text);
  expect(answer.status).toBe(200);
  const ephemeral = await waitFor('the queued answer', () => s.slack.state().ephemerals.find((e) => e.user === 'U0DEV' && e.text.includes('is queued')));
  const id = /Rollout `([^`]+)`/.exec(ephemeral.text)?.[1];
  expect(id).toBeTruthy();
  return id as string;
}

async function approveGate(s: Stack, id: string, clusters: string): Promise<string> {
  const gate = await waitFor(`the ${clusters} gate`, () => s.openGate(id, clusters), 40_000);
  expect(gate.reply_broadcast).toBe(true);
  // Waiting at a gate holds no worker and no job waits for the click: the only job of the
  // rollout is its next analysis tick (analysis goes on while a gate waits).
  await waitFor('only analysis ticks while the gate waits', async () => (await s.openJobs(id)).every((job) => job.endsWith('.tick')), 30_000);
  const result = await s.click('U0LEAD', gate.ts, APPROVE);
  expect(result.status).toBe(200);
  await waitFor(`${clusters} approved`, () => s.message(gate.ts)?.text.includes('approved by <@U0LEAD>'));
  return gate.ts;
}

const overrideClusters = async (s: Stack) => (await s.karmadaObject('overridepolicies', 'http-probe-app-promote-override'))?.spec.overrideRules[0].targetCluster.clusterNames;
const envOf = (deployment: any) => deployment?.spec.template.spec.containers[0].env.find((e: any) => e.name === 'ROLLOUT_LABEL')?.value;
const rootPhase = (s: Stack, id: string) => s.rootOf(id)?.text ?? '';

function memberVersions(s: Stack): Record<string, string[]> {
  const state = s.fleet.state() as any;
  return Object.fromEntries(
    ['member1', 'member2', 'member3'].map((m) => [
      m,
      state.members[m].pods.filter((p: any) => p.metadata.name.startsWith('http-probe-app-') && !p.metadata.name.includes('canary')).map((p: any) => p.spec.containers[0].env[0].value),
    ]),
  );
}

describe('a rollout from Slack, end to end', () => {
  it('per-cluster over three clusters: canary, summaries, three gates, finalize, cleanup', async () => {
    stack = await startStack();
    const s = stack;
    const id = await startRollout(s, 'start http-probe-app v2');

    // While it works, the rollout's next step is always a job (the probe below sees them).
    await waitFor('a step job queued for the rollout', async () => (await s.openJobs(id)).length > 0, 30_000);
    const canary = await waitFor('the region canary', () => s.deployment('http-probe-app-canary'));
    expect(canary.metadata.labels).toMatchObject({ app: 'http-probe-app', version: 'canary', 'app.kubernetes.io/managed-by': 'rollgate' });
    expect(canary.metadata.annotations['rollgate.dev/rollout-id']).toBe(id);
    expect(canary.spec.selector.matchLabels).toEqual({ app: 'http-probe-app', version: 'canary' });
    expect(envOf(canary)).toBe('v2');
    const policy = await waitFor('its policy', () => s.karmadaObject('propagationpolicies', 'http-probe-app-canary-propagation'));
    expect(policy.spec.placement.clusterAffinity.clusterNames).toEqual(['member1', 'member2', 'member3']);
    expect(policy.spec.resourceSelectors).toMatchObject([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'http-probe-app-canary' }]);

    await approveGate(s, id, 'member1');
    const summary = s.thread(id).find((m) => m.text.startsWith('Analysis #1'));
    expect(summary?.text).toContain('member1 passed');
    const summaryText = JSON.stringify(summary?.blocks);
    expect(summaryText).toContain('request-success-rate');
    expect(summaryText).toMatch(/failed checks 0\/2/);
    await waitFor('override for member1', async () => JSON.stringify(await overrideClusters(s)) === '["member1"]');
    const override = await s.karmadaObject('overridepolicies', 'http-probe-app-promote-override');
    expect(override.spec.overrideRules[0].overriders.plaintext).toEqual([{ path: '/spec/template/spec/containers/0/env/0/value', operator: 'replace', value: 'v2' }]);

    await approveGate(s, id, 'member2');
    await waitFor('override grows to member2', async () => JSON.stringify(await overrideClusters(s)) === '["member1","member2"]');
    const sameObject = await s.karmadaObject('overridepolicies', 'http-probe-app-promote-override');
    expect(sameObject.metadata.uid).toBe(override.metadata.uid);

    await approveGate(s, id, 'member3');
    await waitFor('the rollout to finish', () => rootPhase(s, id).includes('Rolled out v2'), 40_000);

    expect(envOf(await s.deployment('http-probe-app'))).toBe('v2');
    expect(await s.karmadaObject('overridepolicies', 'http-probe-app-promote-override')).toBeUndefined();
    expect(await s.deployment('http-probe-app-canary')).toBeUndefined();
    expect(await s.karmadaObject('propagationpolicies', 'http-probe-app-canary-propagation')).toBeUndefined();
    await waitFor('every member on v2', () => Object.values(memberVersions(s)).every((v) => v.length === 2 && v.every((x) => x === 'v2')));
    const finished = await waitFor('the finished broadcast', () => s.channel().find((m) => m.reply_broadcast && m.text.includes('is rolled out to member1, member2, member3')));
    expect(finished?.text).toContain('<@U0DEV>');
    expect(s.slack.calls('chat.update').length).toBeGreaterThan(3);
    // The chart of every metric over the whole rollout lands in the thread as a PNG.
    const chart = await waitFor('the chart upload', () => s.thread(id).find((m) => (m.files ?? []).length > 0));
    const file = (chart.files as { id: string; name: string }[])[0]!;
    expect(file.name).toBe(`${id}-metrics.png`);
    const png = Buffer.from(await (await fetch(`${s.slack.url}/_emulator/files/${file.id}`)).arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('a bad version rolls back by itself after failureLimit failed checks and tells the channel', async () => {
    stack = await startStack();
    const s = stack;
    const id = await startRollout(s, 'start http-probe-app v2-bad');
    const message = await waitFor('the automatic rollback message', () => s.channel().find((m) => m.reply_broadcast && m.text.includes('rolled back automatically')), 40_000);
    expect(message.text).toContain('<@U0DEV>');
    const detail = JSON.stringify(message.blocks);
    expect(detail).toContain('request-success-rate');
    expect(detail).toMatch(/\(min 99\); every interval so far: 8\d\.\d+, 8\d\.\d+/);
    // The canary runs everywhere and fails everywhere: the notice names every cluster's value.
    for (const member of ['member1', 'member2', 'member3']) expect(detail).toMatch(new RegExp(`request-success-rate in ${member}: \`8\\d`));
    expect(s.thread(id).filter((m) => m.text.startsWith('Analysis #')).length).toBe(2);
    expect(await s.deployment('http-probe-app-canary')).toBeUndefined();
    expect(await s.karmadaObject('propagationpolicies', 'http-probe-app-canary-propagation')).toBeUndefined();
    expect(await s.karmadaObject('overridepolicies', 'http-probe-app-promote-override')).toBeUndefined();
    expect(envOf(await s.deployment('http-probe-app'))).toBe('v1');
    await waitFor('root shows rolled back', () => rootPhase(s, id).includes('Rolled back'));
    // Times are Slack date tokens (each reader's local time) with a UTC fallback.
    expect(JSON.stringify(s.rootOf(id)?.blocks)).toMatch(/started <!date\^\d+\^\{date_short_pretty\} \{time\}\|\d\d:\d\d UTC>/);
  });

  it('Rollback at member2’s gate undoes member1’s promotion and every canary (seed Demo 3)', async () => {
    stack = await startStack();
    const s = stack;
    const id = await startRollout(s, 'start http-probe-app v2');
    await approveGate(s, id, 'member1');
    await waitFor('member1 base on v2', () => memberVersions(s).member1?.every((v) => v === 'v2') && memberVersions(s).member1?.length === 2, 20_000);
    const gate = await waitFor('the member2 gate', () => s.openGate(id, 'member2'), 40_000);
    expect(JSON.stringify(gate.blocks)).toContain('"confirm"');
    await s.click('U0LEAD', gate.ts, ROLLBACK);
    await waitFor('rolled back', () => rootPhase(s, id).includes('Rolled back'), 30_000);
    // Both are chat.update calls, one a second per channel: a root update queued before the click
    // renders the latest state, so the root may say so one slot before the gate does.
    await waitFor('the gate shows the rollback', () => s.message(gate.ts)?.text.includes('Rolled back by <@U0LEAD>'), 10_000);
    expect(JSON.stringify(s.message(gate.ts)?.blocks)).not.toContain(APPROVE);
    expect(await s.karmadaObject('overridepolicies', 'http-probe-app-promote-override')).toBeUndefined();
    expect(await s.deployment('http-probe-app-canary')).toBeUndefined();
    await waitFor('member1 base back on v1', () => memberVersions(s).member1?.every((v) => v === 'v1') && memberVersions(s).member1?.length === 2, 20_000);
    expect(memberVersions(s).member3?.every((v) => v === 'v1')).toBe(true);
    const late = await s.click('U0LEAD', gate.ts, APPROVE).catch((e: Error) => e);
    expect(late).toBeInstanceOf(Error); // the buttons are gone from the message
  });

  it('canary-first: canary in member1, promote it, then the rest, then finalize', async () => {
    stack = await startStack();
    const s = stack;
    const id = await startRollout(s, 'start http-probe-app v3 --strategy canary-first');
    const canary = await waitFor('the member1 canary', () => s.deployment('http-probe-app-canary-member1'));
    expect(canary.spec.selector.matchLabels).toEqual({ app: 'http-probe-app', version: 'canary-member1' });
    const policy = await waitFor('its policy', () => s.karmadaObject('propagationpolicies', 'http-probe-app-canary-member1-propagation'));
    expect(policy.spec.placement.clusterAffinity.clusterNames).toEqual(['member1']);
    expect(await s.deployment('http-probe-app-canary')).toBeUndefined();
    await approveGate(s, id, 'member1');
    await approveGate(s, id, 'member2, member3');
    await waitFor('override for all', async () => JSON.stringify(await overrideClusters(s)) === '["member1","member2","member3"]' || rootPhase(s, id).includes('Rolled out'));
    await waitFor('the rollout to finish', () => rootPhase(s, id).includes('Rolled out v3'), 40_000);
    expect(envOf(await s.deployment('http-probe-app'))).toBe('v3');
    expect(await s.deployment('http-probe-app-canary-member1')).toBeUndefined();
  });
});
