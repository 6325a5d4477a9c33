// rollgate in Socket Mode, end to end: two `rollgate serve` replicas on one Redis, each with
// its own WebSocket to the emulator and its own PORT, no signing secret and no Request URL.
// Slack gives each envelope to one connection; every command and click is handled once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { startStack, waitFor, type Stack } from './stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack({ socketMode: true, replicas: 2 });
});
afterAll(async () => s?.stop());

const ephemeralsOf = (user: string) => s.slack.state().ephemerals.filter((e) => e.user === user).map((e) => e.text);
const overrideClusters = async () => (await s.karmadaObject('overridepolicies', 'http-probe-app-promote-override'))?.spec.overrideRules[0].targetCluster.clusterNames;

describe('Socket Mode with two replicas', () => {
  it('serves health, readiness and metrics on each PORT, and no /slack/events', async () => {
    expect(s.slack.socketConnections()).toHaveLength(2);
    expect(s.slack.calls('apps.connections.open')).toHaveLength(2);
    for (const port of s.ports) {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain('rollgate_queue_jobs');
      expect((await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: 'x' })).status).toBe(404);
    }
  });

  it('starts a rollout, refuses a second start, and promotes member1 once when two approvers click at once', async () => {
    const start = await s.command('U0DEV', 'start http-probe-app v2');
    expect(start).toMatchObject({ status: 200, via: 'socket' });
    const queued = await waitFor('the queued answer', () => ephemeralsOf('U0DEV').find((t) => t.includes('is queued')));
    const id = /Rollout `([^`]+)`/.exec(queued)?.[1] as string;

    // The next envelope goes to the other replica, which knows the rollout through Redis.
    const second = await s.command('U0SRE', 'start http-probe-app v3');
    expect(second.connection).not.toBe(start.connection);
    await waitFor('the second start refused', () => ephemeralsOf('U0SRE').find((t) => t.includes('already rolling out') && t.includes(id)));

    const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 30_000);
    const clicks = await Promise.all([s.click('U0SRE', gate.ts, 'rollout_approve'), s.click('U0LEAD', gate.ts, 'rollout_approve')]);
    expect(clicks.map((c) => [c.status, c.via])).toEqual([
      [200, 'socket'],
      [200, 'socket'],
    ]);
    expect(new Set(clicks.map((c) => c.connection)).size).toBe(2); // one click per replica
    await waitFor('approved once', () => s.message(gate.ts)?.text.includes('approved by'));
    await waitFor('the loser told', () => [...ephemeralsOf('U0SRE'), ...ephemeralsOf('U0LEAD')].find((t) => t.includes('already approved by')));
    await waitFor('override for member1', async () => JSON.stringify(await overrideClusters()) === '["member1"]');

    const audit = await createRolloutStore({ redis: s.redis, prefix: s.prefix }).audit(id);
    expect(audit.filter((e) => e.what === 'GateApproved')).toHaveLength(1);
    expect(ephemeralsOf('U0DEV').filter((t) => t.includes('is queued'))).toHaveLength(1);
    expect(s.roots().filter((m) => m.text.includes(`Rollout ${id}`))).toHaveLength(1);
    expect(s.slack.state().ephemerals.filter((e) => e.from === 'USLACKBOT')).toEqual([]);

    // Slack recycles the connections: both replicas reconnect and the next command is answered.
    s.slack.disconnectSockets('refresh_requested');
    await waitFor('both replicas reconnected', () => s.slack.socketConnections().filter((c) => !c.draining).length === 2, 10_000);
    await s.command('U0DEV', `rollback ${id}`);
    await waitFor('rolled back', () => s.rootOf(id)?.text.includes('Rolled back'), 20_000);
    expect(await s.karmadaObject('overridepolicies', 'http-probe-app-promote-override')).toBeUndefined();
  });

  it('keeps answering on the remaining connection when a replica stops', async () => {
    const [replica] = s.replicas;
    replica!.child.kill('SIGTERM');
    await waitFor('one connection left', () => s.slack.socketConnections().length === 1, 10_000);
    for (const text of ['list', 'help']) {
      const answer = await s.command('U0GUEST', text);
      expect(answer).toMatchObject({ status: 200, via: 'socket' });
    }
    expect(s.slack.state().ephemerals.filter((e) => e.from === 'USLACKBOT')).toEqual([]);
  });
});
