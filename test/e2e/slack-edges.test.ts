// The Slack surface's edges against the real process: forged requests, bad commands, a
// second rollout of the same app, double clicks and clicks by people who may not approve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { startStack, waitFor, type Stack } from './stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack({ mutateConfig: (doc) => (doc.apps[0].analysis.iterations = 2) });
});
afterAll(async () => s?.stop());

const ephemeralsOf = (user: string) => s.slack.state().ephemerals.filter((e) => e.user === user).map((e) => e.text);

describe('the Slack surface', () => {
  it('answers a forged or stale request with 401 and does nothing', async () => {
    for (const kind of ['bad-signature', 'stale-timestamp', 'no-signature'] as const) {
      const result = await s.slack.forged({ kind, user: 'U0DEV', text: 'start http-probe-app v9' });
      expect(result.status, kind).toBe(401);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(s.slack.calls('chat.postMessage')).toEqual([]);
    expect(await s.redis.keys(`${s.prefix}:rollout:*`)).toEqual([]);
  });

  it('answers bad command text privately with the usage, and queues nothing', async () => {
    const result = await s.command('U0DEV', 'start http-probe-ap v2');
    expect(result.status).toBe(200);
    await waitFor('the usage error', () => ephemeralsOf('U0DEV').find((t) => t.includes('Did you mean `http-probe-app`?')));
    await s.command('U0DEV', 'deploy everything now');
    await waitFor('the unknown-command error', () => ephemeralsOf('U0DEV').find((t) => t.includes('Unknown command "deploy"')));
    await s.command('U0DEV', 'start http-probe-app v2 --supersede=no');
    await waitFor('the switch with a value refused', () => ephemeralsOf('U0DEV').find((t) => t.includes('--supersede takes no value')));
    // The fleet runs v1: starting v1 again is refused privately, before anything is recorded.
    await s.command('U0DEV', 'start http-probe-app v1');
    await waitFor('the start of the running version refused', () => ephemeralsOf('U0DEV').find((t) => t.includes('already runs v1')));
    expect(await s.redis.keys(`${s.prefix}:rollout:*`)).toEqual([]);
    expect(s.slack.calls('chat.postMessage')).toEqual([]);
    // One private message for the no-op; with nothing recorded, no step can post another later.
    expect(ephemeralsOf('U0DEV').filter((t) => t.includes('v1'))).toHaveLength(1);
    expect(ephemeralsOf('U0DEV').filter((t) => t.includes('queued'))).toEqual([]);
  });

  it('refuses self-approval and non-approvers, promotes once on a double click, and refuses a second start', async () => {
    await s.command('U0DEV', 'start http-probe-app v2');
    const root = await waitFor('the root message', () => s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-')));
    const id = /Rollout (\S+):/.exec(root.text)?.[1] as string;

    await s.command('U0SRE', 'start http-probe-app v3');
    await waitFor('the second start refused', () => ephemeralsOf('U0SRE').find((t) => t.includes('already rolling out') && t.includes(id)));

    const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);
    await s.click('U0DEV', gate.ts, 'rollout_approve');
    await waitFor('self-approval refused', () => ephemeralsOf('U0DEV').find((t) => t.includes('someone else has to approve')));
    await s.click('U0GUEST', gate.ts, 'rollout_approve');
    await waitFor('non-approver refused', () => ephemeralsOf('U0GUEST').find((t) => t.includes('not an approver')));
    expect(s.message(gate.ts)?.text).toContain('Gate:'); // still open

    // A double click by U0SRE, an approver only through the S0SRE user group: promoted once.
    const [a, b] = await Promise.all([s.click('U0SRE', gate.ts, 'rollout_approve'), s.click('U0SRE', gate.ts, 'rollout_approve')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await waitFor('approved by the group member', () => s.message(gate.ts)?.text.includes('approved by <@U0SRE>'));
    await waitFor('the second click told', () => ephemeralsOf('U0SRE').find((t) => t.includes('already approved by <@U0SRE>')));
    // A click on the old command path after the decision changes nothing either.
    await s.command('U0LEAD', `approve ${id} member1`);
    await waitFor('a late approval refused', () => ephemeralsOf('U0LEAD').find((t) => t.includes('already approved by <@U0SRE>')));
    await waitFor('promotion written', async () => (await s.karmadaObject('overridepolicies', 'http-probe-app-promote-override')) !== undefined);

    const audit = await createRolloutStore({ redis: s.redis, prefix: s.prefix }).audit(id);
    expect(audit.filter((e) => e.what === 'GateApproved')).toHaveLength(1);
    expect(audit.filter((e) => e.outcome.startsWith('refused')).map((e) => `${e.who} ${e.outcome}`)).toEqual(
      expect.arrayContaining(['U0DEV refused: self-approval', 'U0GUEST refused: not-an-approver', expect.stringMatching(/refused: gate-decided/)]),
    );
    // A bystander may not roll back; the requester may.
    await s.command('U0GUEST', `rollback ${id}`);
    await waitFor('bystander refused', () => ephemeralsOf('U0GUEST').find((t) => t.includes('Only the requester')));
    await s.command('U0DEV', `rollback ${id}`);
    await waitFor('rolled back', () => s.rootOf(id)?.text.includes('Rolled back'), 30_000);
    expect(await s.karmadaObject('overridepolicies', 'http-probe-app-promote-override')).toBeUndefined();
  });

  it('serves health, readiness and metrics', async () => {
    expect((await fetch(`http://127.0.0.1:${s.port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${s.port}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
    expect(metrics).toContain('rollgate_queue_jobs');
    expect(metrics).toMatch(/rollgate_step_duration_seconds_count\{step="deploy-canary"\} 1/);
    expect(metrics).toMatch(/rollgate_gate_wait_seconds_count 1/);
    expect(metrics).toMatch(/rollgate_rollouts_active\b/);
  });
});
