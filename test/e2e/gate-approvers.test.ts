// The gate message asks the people who can act: the app's approvers, as Slack mentions (users
// and user groups), in the blocks and in the text that mobile notifications show, and not the
// requester, who may not approve. With no approvers configured it says anyone in the channel
// may approve, mentioning no one; and that is true: a bystander's click approves.
import { describe, expect, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { ephemeralsOf, say, stackPerTest } from './conversation.js';
import { waitFor } from './stack.js';

const open = stackPerTest();
const gateText = (m: { text: string; blocks?: unknown[] }) => `${m.text}\n${JSON.stringify(m.blocks)}`;

describe('the gate message', () => {
  it('mentions the approvers, users and groups, and not the requester', async () => {
    const s = await open();
    await s.command('U0DEV', 'start http-probe-app v2');
    const gate = await waitFor('the member1 gate', () => s.openGate('http-probe-app-1', 'member1'), 60_000);
    expect(gate.text).toBe('Gate: promote http-probe-app v2 to member1? <@U0LEAD>, <!subteam^S0SRE>: please approve or roll back.');
    const section = (gate.blocks as { type: string; text?: { text: string } }[])[0]!.text!.text;
    expect(section).toContain('*Gate: promote v2 to member1?* The canary in member1, member2, member3 passed 1 analysis interval.');
    expect(section).toContain('<@U0LEAD>, <!subteam^S0SRE>: please approve or roll back.');
    expect(gateText(gate)).not.toContain('<@U0DEV>');
    // It is broadcast to the channel, where the mentioned people see it.
    expect(s.channel().some((m) => m.ts === gate.ts)).toBe(true);
    // Analysis goes on while the gate waits; /rollout audit folds the ticks that changed nothing.
    const store = createRolloutStore({ redis: s.redis, prefix: s.prefix });
    await waitFor('three ticks at the gate', async () => (await store.audit('http-probe-app-1')).filter((e) => e.what === 'AnalysisTicked' && e.outcome === 'awaiting-approval').length >= 3);
    const audit = await say(s, 'U0LEAD', 'audit http-probe-app-1', 'Audit of');
    expect(audit).toMatch(/AnalysisTicked ×\d+ \(awaiting-approval, unchanged\)/);
    // The requester is indeed refused; a mentioned group's member approves.
    await s.click('U0DEV', gate.ts, 'rollout_approve');
    await waitFor('the requester refused', () => ephemeralsOf(s, 'U0DEV').find((t) => t.includes('someone else has to approve')));
    await s.click('U0SRE', gate.ts, 'rollout_approve');
    await waitFor('approved by the group member', () => s.message(gate.ts)?.text.includes('approved by <@U0SRE>'));
  });

  it('says anyone in the channel may approve when no approvers are configured, mentioning no one', async () => {
    const s = await open({ mutateConfig: (doc) => (doc.apps[0].approvals = { approvers: { users: [], groups: [] } }) });
    await s.command('U0DEV', 'start http-probe-app v2');
    const gate = await waitFor('the member1 gate', () => s.openGate('http-probe-app-1', 'member1'), 60_000);
    expect(gate.text).toBe('Gate: promote http-probe-app v2 to member1? No approvers are configured: anyone in this channel but the requester may approve.');
    expect(gateText(gate)).toContain('anyone in this channel but the requester may approve');
    expect(gateText(gate)).not.toMatch(/<@|<!subteam|<!channel|<!here/);
    // True to its word: a bystander approves.
    await s.click('U0GUEST', gate.ts, 'rollout_approve');
    await waitFor('approved by the bystander', () => s.message(gate.ts)?.text.includes('approved by <@U0GUEST>'));
  });
});
