// Whom a gate message asks, as a reader (and Slack's notifications) see it: the approvers by
// mention, never the requester who may not approve; with none configured, anyone, by no one's name.
import { describe, expect, it } from 'vitest';
import { gateMessage } from '../../bot/blocks/messages.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';

const T0 = Date.UTC(2026, 10, 21, 12);

function atGate(approvals: Record<string, unknown>): Rollout {
  const app = testConfig((doc) => (doc.apps[0].approvals = approvals)).apps[0]!;
  const rollout = newRollout({ id: 'http-probe-app-1', app, version: 'v2', requester: 'U0DEV', nowMs: T0 });
  return { ...rollout, phase: 'awaiting-approval', gates: rollout.gates.map((g, i) => (i === 0 ? { ...g, state: 'open', openedAt: T0 } : g)) };
}

const none = { users: [], groups: [] };

describe('the gate asks', () => {
  it.each([
    ['the app approvers, users then groups', { approvers: { users: ['U0LEAD'], groups: ['S0SRE'] } }, '<@U0LEAD>, <!subteam^S0SRE>: please approve or roll back.'],
    ['the approvers but not the requester among them', { approvers: { users: ['U0DEV', 'U0LEAD'], groups: [] } }, '<@U0LEAD>: please approve or roll back.'],
    ['the requester too when self-approval is allowed', { approvers: { users: ['U0DEV', 'U0LEAD'], groups: [] }, allowSelfApproval: true }, '<@U0DEV>, <@U0LEAD>: please approve or roll back.'],
    ['anyone but the requester when none are configured', { approvers: none }, 'No approvers are configured: anyone in this channel but the requester may approve.'],
    ['anyone when none are configured and self-approval is allowed', { approvers: none, allowSelfApproval: true }, 'No approvers are configured: anyone in this channel may approve.'],
    ['no one to approve when the requester is the only approver', { approvers: { users: ['U0DEV'], groups: [] } }, 'No approver but the requester is configured, and self-approval is off: this gate can only be rolled back.'],
    ['the gate clusters own approvers where they have some', { approvers: { users: ['U0LEAD'], groups: [] }, clusters: { member1: { users: [], groups: ['S0PROD'] } } }, '<!subteam^S0PROD>: please approve or roll back.'],
  ])('%s', (_what, approvals, asked) => {
    const message = gateMessage(atGate(approvals), 1, T0);
    const section = JSON.stringify(message.blocks[0]);
    expect(JSON.parse(section).text.text).toContain(`\n${asked}`);
    // The text (what mobile notifications show) asks the same people.
    expect(message.text).toBe(`Gate: promote http-probe-app v2 to member1? ${asked}`);
    // Whatever the case, the requester is only mentioned when they may approve.
    if (!('allowSelfApproval' in approvals)) expect(`${message.text}${section}`).not.toContain('<@U0DEV>');
  });

  it('no longer mentions the requester when the gate opens', () => {
    const section = JSON.stringify(gateMessage(atGate({ approvers: { users: ['U0LEAD'], groups: [] } }), 1, T0).blocks[0]);
    expect(section).toContain('*Gate: promote v2 to member1?* The canary in member1, member2, member3 passed 2 analysis intervals.');
  });
});
