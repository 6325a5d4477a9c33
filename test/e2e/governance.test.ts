// Governance from Slack, end to end: gate timeouts (rollback and hold) with one reminder,
// two approvals from a cluster's own approvers, pause and resume, audit, App Home, and a
// fuzz run of the command box.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { slackSignature } from '@rollgate/slack-emulator';
import { ephemeralsOf, say, stackPerTest } from './conversation.js';
import { waitFor, type Stack } from './stack.js';

const open = stackPerTest();

async function started(s: Stack): Promise<string> {
  await s.command('U0DEV', 'start http-probe-app v2');
  const root = await waitFor('the root message', () => s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-')));
  return /Rollout (\S+):/.exec(root.text)?.[1] as string;
}

const withApprovals = (approvals: Record<string, unknown>) => (doc: Record<string, any>) => Object.assign(doc.apps[0].approvals, approvals);

describe('gate timeouts', () => {
  it('reminds the approvers once at half time, then rolls back at the timeout', async () => {
    const s = await open({ mutateConfig: withApprovals({ timeout: '4s', onTimeout: 'rollback' }) });
    const id = await started(s);
    const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);
    const rolled = await waitFor('the timeout rollback', () => s.channel().find((m) => m.text.includes('rolled back automatically')), 30_000);
    expect(rolled.text).toContain('the member1 gate got no decision within 4 s');
    const reminders = s.thread(id).filter((m) => m.text.includes('is waiting for a decision'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.text).toContain('<@U0LEAD>, <!subteam^S0SRE>');
    expect(s.message(gate.ts)?.text).toContain('Gate timed out');
    await say(s, 'U0LEAD', `approve ${id} member1`, 'already');
    expect(await s.deployment('http-probe-app-canary')).toBeUndefined();
  });

  it('holds at the timeout with onTimeout: hold; resume opens the gate again', async () => {
    const s = await open({ mutateConfig: withApprovals({ timeout: '3s', onTimeout: 'hold' }) });
    const id = await started(s);
    const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);
    await waitFor('the hold notice', () => s.channel().find((m) => m.text.includes('the rollout is held as it is')), 30_000);
    expect(s.message(gate.ts)?.text).toContain('Gate timed out');
    await say(s, 'U0LEAD', `approve ${id} member1`, 'already timed out');
    expect(await s.deployment('http-probe-app-canary')).toBeDefined();
    await s.command('U0DEV', `resume ${id}`);
    const reopened = await waitFor('the gate again', () => s.thread(id).find((m) => m.ts !== gate.ts && m.text.startsWith('Gate:') && m.text.includes('to member1?')), 20_000);
    await s.click('U0LEAD', reopened.ts, 'rollout_approve');
    await waitFor('member1 promoted', async () => (await s.karmadaObject('overridepolicies', 'http-probe-app-promote-override')) !== undefined);
  });
});

describe('approvals and pausing', () => {
  it('needs two approvals from the cluster’s own approvers', async () => {
    const s = await open({ mutateConfig: withApprovals({ clusters: { member1: { users: ['U0LEAD', 'U0SRE'], required: 2 } } }) });
    const id = await started(s);
    const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);
    expect(gate.text).toBeDefined();
    expect(JSON.stringify(gate.blocks)).toContain('needs 2 approvals');
    await s.click('U0LEAD', gate.ts, 'rollout_approve');
    await waitFor('one of two', () => JSON.stringify(s.message(gate.ts)?.blocks).includes('so far <@U0LEAD>'));
    await s.click('U0LEAD', gate.ts, 'rollout_approve');
    await waitFor('the same person twice refused', () => ephemeralsOf(s, 'U0LEAD').find((t) => t.includes('You already approved')));
    expect(await s.karmadaObject('overridepolicies', 'http-probe-app-promote-override')).toBeUndefined();
    await s.click('U0SRE', gate.ts, 'rollout_approve');
    await waitFor('approved by the second', () => s.message(gate.ts)?.text.includes('approved by <@U0SRE>'));
    await waitFor('member1 promoted', async () => (await s.karmadaObject('overridepolicies', 'http-probe-app-promote-override')) !== undefined);
  });

  it('pause stops analysis and gates, resume continues where it was; audit shows who did what', async () => {
    const s = await open({ mutateConfig: (doc) => Object.assign(doc.apps[0].analysis, { iterations: 3 }) });
    const id = await started(s);
    await waitFor('analysing', () => s.thread(id).some((m) => m.text.startsWith('Analysis #1')), 30_000);
    await s.command('U0GUEST', `pause ${id}`);
    await waitFor('a bystander may not pause', () => ephemeralsOf(s, 'U0GUEST').find((t) => t.includes('Only the requester')));
    await s.command('U0DEV', `pause ${id}`);
    await waitFor('paused', () => s.rootOf(id)?.text.includes('paused by <@U0DEV>'));
    // No waiting to see nothing happen: every tick scheduled before the pause runs (finds the
    // rollout paused, or its seq stale) and none is scheduled again; the analysis count stays.
    const store = createRolloutStore({ redis: s.redis, prefix: s.prefix });
    const pausedAt = (await store.get(id))!;
    expect(pausedAt.phase).toBe('paused');
    const connection = s.redis.duplicate({ maxRetriesPerRequest: null });
    const steps = new Queue('steps', { connection, prefix: s.prefix });
    try {
      await waitFor('the ticks scheduled before the pause run out', async () => {
        const queued = await steps.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
        const ticks = await s.redis.zrange(`${s.prefix}:ticks`, 0, -1);
        return !queued.some((job) => job.data?.rolloutId === id && job.data?.step === 'tick') && !ticks.some((tick) => tick.startsWith(`${id}.`));
      });
    } finally {
      await steps.close();
      connection.disconnect();
    }
    expect((await store.get(id))?.tick).toBe(pausedAt.tick);
    expect(await store.pending(id)).toEqual([]);
    const analysed = s.thread(id).flatMap((m) => /^Analysis #(\d+)/.exec(m.text)?.[1] ?? []).map(Number);
    expect(Math.max(...analysed)).toBeLessThanOrEqual(pausedAt.tick);
    await say(s, 'U0DEV', `pause ${id}`, 'already paused');
    await say(s, 'U0GUEST', `status ${id}`, 'paused by <@U0DEV>');
    const status = s.slack.state().ephemerals.filter((e) => e.user === 'U0GUEST').at(-1);
    expect(JSON.stringify(status?.blocks)).toMatch(/Last analysis\* \(#\d+\)\\n\*member1\* request-success-rate `99\.\d+`/);
    await say(s, 'U0GUEST', 'list', `\`${id}\` http-probe-app v1 → v2: paused`);
    await s.command('U0DEV', `resume ${id}`);
    await waitFor('the gate after resuming', () => s.openGate(id, 'member1'), 30_000);
    const audit = await say(s, 'U0LEAD', `audit ${id}`, `Audit of \`${id}\``);
    expect(audit).toMatch(/<@U0DEV> PauseRequested → paused/);
    expect(audit).toMatch(/<@U0GUEST> pause → refused: not-allowed/);
    expect(audit).toMatch(/<@U0DEV> ResumeRequested → analysing/);
  });
});

describe('the surface holds up', () => {
  it('a fuzz run of the command box: every request answered, nothing queued, nothing crashed', async () => {
    const s = await open();
    const pieces = ['start', 'approve', 'rollback', 'pause', 'audit', 'http-probe-app', 'http-probe-app-1', 'member1', '--clusters', '--strategy', '--supersede', '=', ',', '\u0000', '\u202e', '🚀', 'ß', '%', '"', '<@U1>', '\n', 'v2', '${x}', '__proto__', '../..', 'x'.repeat(3000)];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const texts = Array.from({ length: 400 }, () =>
      Array.from({ length: Math.floor(random() * 6) }, () => pieces[Math.floor(random() * pieces.length)]).join(random() > 0.5 ? ' ' : ''),
    ).filter((t) => !/^\s*start\s+http-probe-app\s+v2\s*$/.test(t));
    for (let i = 0; i < texts.length; i += 20) {
      const answers = await Promise.all(texts.slice(i, i + 20).map((text) => s.command('U0GUEST', text)));
      for (const a of answers) expect(a.status).toBe(200);
    }
    expect(s.bot.child.exitCode).toBeNull();
    expect(await s.redis.keys(`${s.prefix}:rollout:*`)).toEqual([]);
    expect(await s.openJobs('http-probe-app-1')).toEqual([]);
    expect((await fetch(`http://127.0.0.1:${s.port}/healthz`)).status).toBe(200);
  });

  it('publishes an App Home tab listing active rollouts and their gates', async () => {
    const s = await open();
    const id = await started(s);
    await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);
    const body = JSON.stringify({
      token: 'legacy',
      team_id: 'T0LOCAL',
      api_app_id: 'A0ROLLGATE',
      type: 'event_callback',
      event_id: `Ev${randomUUID().slice(0, 8)}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: 'U0LEAD', channel: 'D0LEAD', tab: 'home', event_ts: String(Date.now() / 1000) },
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const answer = await fetch(`http://127.0.0.1:${s.port}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSignature(s.secret, Number(ts), body) },
      body,
    });
    expect(answer.status).toBe(200);
    const view = await waitFor('the home view', () => (s.slack.state().views as Record<string, any>).U0LEAD);
    const text = JSON.stringify(view);
    expect(text).toContain(id);
    expect(text).toContain('gate waiting');
  });
});
